// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title FairDelegationEscrow
/// @notice Steps (8) to (11') of "Fair Delegation of Digital Services Without Third Parties": the customer
/// deposits the wage against the provider's disposable public key (its address, the "work key"); the provider
/// is paid by revealing the matching private key, which lets the customer decrypt the work; after the deadline
/// an unclaimed deposit goes back to the customer.
/// @dev A singleton serving every delegation. Each escrow costs one storage slot, keyed by its work key and
/// holding keccak256 of its terms; events carry the terms so off-chain code can rebuild every escrow.
/// A claimed escrow keeps a tombstone in its slot: a work key whose private key was revealed can never be
/// used again (assumption A8 of the paper, enforced on chain). A refunded escrow's slot is cleared (its key
/// was never revealed, and the gas refund keeps refund under 35k): its customer may open it again.
/// The agreement id is derived here, agreementId = keccak256(abi.encode(detailsHash, workKey)), so one id
/// names exactly one work key and the work key's slot rejects a reused id.
/// No owner, no upgrade path, no admin withdrawal, no selfdestruct.
contract FairDelegationEscrow {
    /// @notice What the customer and the provider agreed, as the contract sees it. The work key identifies the
    /// escrow; the agreement id travels in EscrowOpened only (claim calldata stays small).
    /// @param customer who deposited the wage and gets it back on refund
    /// @param payee who is paid on claim (fixed at open: never msg.sender, whom a mempool observer could be)
    /// @param workKey address of the provider's disposable public key pk_sp
    /// @param workHash H(w'): hash of the encrypted work the verifier stamped
    /// @param amount the wage in wei
    /// @param deadline unix time: claims strictly before it, refunds from it on
    struct Terms {
        address customer;
        address payee;
        address workKey;
        bytes32 workHash;
        uint256 amount;
        uint256 deadline;
    }

    /// @notice The terms of an escrow whose wage is an ERC-20 token: Terms with the token appended (7 words, so
    /// its hash can never equal the hash of ETH Terms, which are 6 words).
    /// @param amount the wage in the token's base units
    /// @param token the ERC-20 token contract
    struct TokenTerms {
        address customer;
        address payee;
        address workKey;
        bytes32 workHash;
        uint256 amount;
        uint256 deadline;
        address token;
    }

    /// @notice One escrow to open inside openBatch or openTokenBatch (detailsHash as in open).
    struct Opening {
        bytes32 detailsHash;
        address payee;
        address workKey;
        bytes32 workHash;
        uint256 amount;
        uint256 deadline;
    }

    /// @dev secp256k1 group order and generator x coordinate (the generator's y is even, hence v = 27 below).
    uint256 private constant N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;
    uint256 private constant GX = 0x79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798;

    /// @dev The slot value of a claimed escrow. No keccak256 output is known to equal it.
    bytes32 private constant CLAIMED = bytes32(uint256(1));

    /// @notice The latest deadline open accepts, counted from the block that opens the escrow. Without a cap a
    /// griefer could open on somebody else's work key with 1 wei and deadline 2^256-1 and lock the key forever;
    /// with it the slot is refundable (and so free again) at most this long after the griefer's open.
    uint256 public constant MAX_ESCROW_DURATION = 30 days;

    /// @notice workKey => keccak256(abi.encode(terms)) while open, CLAIMED once claimed, 0 if free.
    mapping(address workKey => bytes32) public escrows;

    /// @notice Step (8): a deposit, with every term (off-chain code rebuilds the Terms from this event alone).
    /// agreementId is derived by open, agreementIdOf(detailsHash, workKey): it can only ever name this work key.
    event EscrowOpened(
        address indexed workKey,
        bytes32 indexed agreementId,
        address customer,
        address payee,
        bytes32 workHash,
        uint256 amount,
        uint256 deadline
    );

    /// @notice Step (8) with an ERC-20 wage: EscrowOpened's fields and the token. Claims and refunds of token
    /// escrows raise the same KeyRevealed and Refunded as ETH escrows (the work key names the escrow).
    event TokenEscrowOpened(
        address indexed workKey,
        bytes32 indexed agreementId,
        address customer,
        address payee,
        bytes32 workHash,
        uint256 amount,
        uint256 deadline,
        address token
    );

    /// @notice Steps (10)-(11): the work key's private key, now public; the customer decrypts the work with it.
    event KeyRevealed(address indexed workKey, uint256 privateKey);

    /// @notice An unclaimed escrow returned to its customer after the deadline.
    event Refunded(address indexed workKey);

    error ZeroAmount();
    error ZeroPayee();
    error ZeroWorkKey();
    error DeadlineNotInFuture(uint256 deadline, uint256 nowTimestamp);
    error DeadlineTooFar(uint256 deadline, uint256 latestDeadline);
    error WorkKeyAlreadyUsed(address workKey);
    error ValueMismatch(uint256 expected, uint256 received);
    error NoSuchEscrow(address workKey);
    error AlreadyClaimed(address workKey);
    error TermsMismatch(address workKey);
    error DeadlinePassed(uint256 deadline, uint256 nowTimestamp);
    error DeadlineNotReached(uint256 deadline, uint256 nowTimestamp);
    error PrivateKeyOutOfRange();
    error WrongPrivateKey(address workKey, address derived);
    error PaymentFailed(address to, uint256 amount);
    error ZeroToken();
    error TokenTransferFailed(address token);
    /// @dev Fee-on-transfer (or otherwise non-standard) tokens are refused: the escrow must hold exactly the wage.
    error TokenAmountMismatch(uint256 expected, uint256 received);

    /// @notice Step (8): deposit msg.value for the provider whose disposable key has address `workKey`.
    /// @param detailsHash keccak256 of the agreement's terms other than the work key (docs/formats/agreement-terms.md);
    /// the escrow's agreement id is agreementIdOf(detailsHash, workKey).
    function open(bytes32 detailsHash, address payee, address workKey, bytes32 workHash, uint256 deadline)
        external
        payable
    {
        _open(detailsHash, payee, workKey, workHash, msg.value, deadline);
    }

    /// @notice Opens several escrows in one transaction; msg.value must equal the sum of their amounts.
    function openBatch(Opening[] calldata openings) external payable {
        uint256 total;
        for (uint256 i; i < openings.length; ++i) {
            Opening calldata o = openings[i];
            _open(o.detailsHash, o.payee, o.workKey, o.workHash, o.amount, o.deadline);
            total += o.amount;
        }
        if (total != msg.value) revert ValueMismatch(total, msg.value);
    }

    /// @notice Step (10): reveal the work key's private key `sk`; pays terms.payee (whoever sends this).
    function claim(Terms calldata terms, uint256 sk) external {
        if (block.timestamp >= terms.deadline) revert DeadlinePassed(terms.deadline, block.timestamp);
        _requireOpen(terms);
        _requireKeyOf(terms.workKey, sk);

        escrows[terms.workKey] = CLAIMED;
        emit KeyRevealed(terms.workKey, sk);
        _pay(terms.payee, terms.amount);
    }

    /// @notice Step (11) when the provider stalled: from the deadline on, the deposit goes back to the customer.
    function refund(Terms calldata terms) external {
        if (block.timestamp < terms.deadline) revert DeadlineNotReached(terms.deadline, block.timestamp);
        _requireOpen(terms);

        delete escrows[terms.workKey];
        emit Refunded(terms.workKey);
        _pay(terms.customer, terms.amount);
    }

    /// @notice Step (8) with an ERC-20 wage: pulls `amount` of `token` from msg.sender (who approved the escrow
    /// beforehand). Same rules as open; the escrow must receive exactly `amount` (fee-on-transfer tokens revert).
    function openToken(
        bytes32 detailsHash,
        address payee,
        address workKey,
        bytes32 workHash,
        uint256 amount,
        uint256 deadline,
        address token
    ) external {
        _openToken(detailsHash, payee, workKey, workHash, amount, deadline, token);
        _pull(token, amount);
    }

    /// @notice Opens several token escrows in one transaction, all in `token`, with one transfer of their sum.
    function openTokenBatch(address token, Opening[] calldata openings) external {
        uint256 total;
        for (uint256 i; i < openings.length; ++i) {
            Opening calldata o = openings[i];
            _openToken(o.detailsHash, o.payee, o.workKey, o.workHash, o.amount, o.deadline, token);
            total += o.amount;
        }
        _pull(token, total);
    }

    /// @notice Step (10) for a token escrow: reveal `sk`; pays terms.amount of terms.token to terms.payee.
    function claimToken(TokenTerms calldata terms, uint256 sk) external {
        if (block.timestamp >= terms.deadline) revert DeadlinePassed(terms.deadline, block.timestamp);
        _requireOpenToken(terms);
        _requireKeyOf(terms.workKey, sk);
        escrows[terms.workKey] = CLAIMED;
        emit KeyRevealed(terms.workKey, sk);
        _pushToken(terms.token, terms.payee, terms.amount);
    }

    /// @notice Step (11) for a token escrow: from the deadline on, the tokens go back to the customer.
    function refundToken(TokenTerms calldata terms) external {
        if (block.timestamp < terms.deadline) revert DeadlineNotReached(terms.deadline, block.timestamp);
        _requireOpenToken(terms);
        delete escrows[terms.workKey];
        emit Refunded(terms.workKey);
        _pushToken(terms.token, terms.customer, terms.amount);
    }

    /// @notice The agreement id of an agreement: keccak256(abi.encode(detailsHash, workKey)). Binding the work key
    /// into the id means an id can only ever be opened with its own work key, whose slot is single-use.
    function agreementIdOf(bytes32 detailsHash, address workKey) public pure returns (bytes32 id) {
        assembly ("memory-safe") {
            // The scratch space (0x00-0x3f) holds the 64-byte abi.encode; the free memory pointer is untouched.
            mstore(0, detailsHash)
            mstore(0x20, and(workKey, 0xffffffffffffffffffffffffffffffffffffffff))
            id := keccak256(0, 0x40)
        }
    }

    function _open(
        bytes32 detailsHash,
        address payee,
        address workKey,
        bytes32 workHash,
        uint256 amount,
        uint256 deadline
    ) private {
        _checkOpening(payee, workKey, amount, deadline);
        escrows[workKey] = keccak256(abi.encode(msg.sender, payee, workKey, workHash, amount, deadline));
        emit EscrowOpened(workKey, agreementIdOf(detailsHash, workKey), msg.sender, payee, workHash, amount, deadline);
    }

    function _openToken(
        bytes32 detailsHash,
        address payee,
        address workKey,
        bytes32 workHash,
        uint256 amount,
        uint256 deadline,
        address token
    ) private {
        if (token == address(0)) revert ZeroToken();
        _checkOpening(payee, workKey, amount, deadline);
        bytes32 termsHash;
        assembly ("memory-safe") {
            // keccak256(abi.encode(msg.sender, payee, workKey, workHash, amount, deadline, token)) in scratch memory
            // past the free pointer (not kept): no abi.encode allocation.
            let p := mload(0x40)
            mstore(p, caller())
            mstore(add(p, 0x20), payee)
            mstore(add(p, 0x40), workKey)
            mstore(add(p, 0x60), workHash)
            mstore(add(p, 0x80), amount)
            mstore(add(p, 0xa0), deadline)
            mstore(add(p, 0xc0), token)
            termsHash := keccak256(p, 0xe0)
        }
        escrows[workKey] = termsHash;
        emit TokenEscrowOpened(
            workKey, agreementIdOf(detailsHash, workKey), msg.sender, payee, workHash, amount, deadline, token
        );
    }

    /// @dev The rules every opening follows, ETH or token.
    function _checkOpening(address payee, address workKey, uint256 amount, uint256 deadline) private view {
        if (amount == 0) revert ZeroAmount();
        if (payee == address(0)) revert ZeroPayee();
        // ecrecover returns address(0) for any input it cannot recover: a zero work key would take any sk.
        if (workKey == address(0)) revert ZeroWorkKey();
        if (deadline <= block.timestamp) revert DeadlineNotInFuture(deadline, block.timestamp);
        // block.timestamp is far below 2^255: the sum cannot overflow, so no checked arithmetic is paid for.
        unchecked {
            if (deadline > block.timestamp + MAX_ESCROW_DURATION) {
                revert DeadlineTooFar(deadline, block.timestamp + MAX_ESCROW_DURATION);
            }
        }
        if (escrows[workKey] != 0) revert WorkKeyAlreadyUsed(workKey);
    }

    function _requireOpenToken(TokenTerms calldata terms) private view {
        bytes32 expected;
        assembly ("memory-safe") {
            // TokenTerms is static too: its 7 calldata words are abi.encode(terms).
            let p := mload(0x40)
            calldatacopy(p, terms, 0xe0)
            expected := keccak256(p, 0xe0)
        }
        _requireStored(terms.workKey, expected);
    }

    /// @dev Reverts unless sk is the private key of workKey.
    function _requireKeyOf(address workKey, uint256 sk) private view {
        if (sk == 0 || sk >= N) revert PrivateKeyOutOfRange();
        // P(workKey, sk) without a point multiplication: ecrecover computes r^-1 (s R - h G). With h = 0,
        // r = Gx and v = 27 (R = G, whose y is even), s = sk * Gx mod N, it returns the address of sk * G.
        address derived;
        assembly ("memory-safe") {
            // Scratch memory past the free pointer; not kept, so the pointer is not advanced.
            let p := mload(0x40)
            mstore(p, 0)
            mstore(add(p, 0x20), 27)
            mstore(add(p, 0x40), GX)
            mstore(add(p, 0x60), mulmod(sk, GX, N))
            // On failure the precompile returns nothing and p still holds 0: derived stays address(0).
            pop(staticcall(gas(), 0x01, p, 0x80, p, 0x20))
            derived := mload(p)
        }
        if (derived != workKey) revert WrongPrivateKey(workKey, derived);
    }

    /// @dev transferFrom(msg.sender, this, amount), refusing any token that delivers another amount
    /// (fee-on-transfer, rebasing on transfer): the escrow must be able to pay out exactly what it recorded.
    function _pull(address token, uint256 amount) private {
        uint256 before = _balanceOf(token);
        bool ok;
        assembly ("memory-safe") {
            // The call's 100 bytes past the free pointer, not kept (as in claim's ecrecover).
            let p := mload(0x40)
            mstore(p, 0x23b872dd00000000000000000000000000000000000000000000000000000000) // transferFrom
            mstore(add(p, 0x04), caller())
            mstore(add(p, 0x24), address())
            mstore(add(p, 0x44), amount)
            ok := call(gas(), token, 0, p, 0x64, 0, 0x20)
        }
        if (!_tokenCallSucceeded(token, ok)) revert TokenTransferFailed(token);
        uint256 received = _balanceOf(token) - before;
        if (received != amount) revert TokenAmountMismatch(amount, received);
    }

    /// @dev transfer(to, amount): the last step of claimToken and refundToken (state already settled).
    function _pushToken(address token, address to, uint256 amount) private {
        bool ok;
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, 0xa9059cbb00000000000000000000000000000000000000000000000000000000) // transfer
            mstore(add(p, 0x04), to)
            mstore(add(p, 0x24), amount)
            ok := call(gas(), token, 0, p, 0x44, 0, 0x20)
        }
        if (!_tokenCallSucceeded(token, ok)) revert TokenTransferFailed(token);
    }

    /// @dev SafeERC20 semantics, read right after the token call: it must succeed and return either nothing
    /// (tokens like USDT that return no bool; then the token must have code, or a call to an empty address would
    /// pass) or a word equal to true (written to scratch word 0 by the call).
    function _tokenCallSucceeded(address token, bool callOk) private view returns (bool ok) {
        assembly ("memory-safe") {
            switch returndatasize()
            case 0 { ok := and(callOk, gt(extcodesize(token), 0)) }
            default { ok := and(callOk, and(gt(returndatasize(), 0x1f), eq(mload(0), 1))) }
        }
    }

    function _balanceOf(address token) private view returns (uint256 held) {
        bool ok;
        assembly ("memory-safe") {
            mstore(0, 0x70a0823100000000000000000000000000000000000000000000000000000000)
            mstore(4, address())
            ok := staticcall(gas(), token, 0, 0x24, 0, 0x20)
            ok := and(ok, gt(returndatasize(), 0x1f))
            held := mload(0)
        }
        if (!ok) revert TokenTransferFailed(token);
    }

    function _requireOpen(Terms calldata terms) private view {
        bytes32 expected;
        assembly ("memory-safe") {
            // Terms is a static struct: its calldata bytes are abi.encode(terms) already (dirty address bits
            // would only make the hash differ, hence TermsMismatch).
            let p := mload(0x40)
            calldatacopy(p, terms, 0xc0)
            expected := keccak256(p, 0xc0)
        }
        _requireStored(terms.workKey, expected);
    }

    /// @dev The escrow of workKey must hold exactly the terms hashed to `expected`.
    function _requireStored(address workKey, bytes32 expected) private view {
        bytes32 stored = escrows[workKey];
        if (stored != expected) {
            if (stored == 0) revert NoSuchEscrow(workKey);
            if (stored == CLAIMED) revert AlreadyClaimed(workKey);
            revert TermsMismatch(workKey);
        }
    }

    /// @dev The last step of claim and refund (checks-effects-interactions): state is already settled.
    function _pay(address to, uint256 amount) private {
        bool ok;
        assembly ("memory-safe") {
            ok := call(gas(), to, amount, 0, 0, 0, 0)
        }
        if (!ok) revert PaymentFailed(to, amount);
    }
}
