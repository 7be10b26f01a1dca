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

    /// @notice One escrow to open inside openBatch (detailsHash as in open).
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
        if (derived != terms.workKey) revert WrongPrivateKey(terms.workKey, derived);

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

        escrows[workKey] = keccak256(abi.encode(msg.sender, payee, workKey, workHash, amount, deadline));
        emit EscrowOpened(workKey, agreementIdOf(detailsHash, workKey), msg.sender, payee, workHash, amount, deadline);
    }

    function _requireOpen(Terms calldata terms) private view {
        bytes32 stored = escrows[terms.workKey];
        bytes32 expected;
        assembly ("memory-safe") {
            // Terms is a static struct: its calldata bytes are abi.encode(terms) already (dirty address bits
            // would only make the hash differ, hence TermsMismatch).
            let p := mload(0x40)
            calldatacopy(p, terms, 0xc0)
            expected := keccak256(p, 0xc0)
        }
        if (stored != expected) {
            if (stored == 0) revert NoSuchEscrow(terms.workKey);
            if (stored == CLAIMED) revert AlreadyClaimed(terms.workKey);
            revert TermsMismatch(terms.workKey);
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
