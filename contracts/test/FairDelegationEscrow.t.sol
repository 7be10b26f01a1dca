// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {FairDelegationEscrow} from "../FairDelegationEscrow.sol";
import {TestBase} from "./Vm.sol";

/// @dev A payee that refuses ether: payment must fail loudly, not vanish.
contract RefusingPayee {
    receive() external payable {
        revert("no thanks");
    }
}

/// @dev A payee that tries to claim the same escrow again while being paid (reentrancy).
contract ReenteringPayee {
    FairDelegationEscrow private immutable escrow;
    FairDelegationEscrow.Terms private terms;
    uint256 private sk;
    bytes public reentryError;
    uint256 public calls;

    constructor(FairDelegationEscrow e) {
        escrow = e;
    }

    function arm(FairDelegationEscrow.Terms calldata t, uint256 key) external {
        terms = t;
        sk = key;
    }

    receive() external payable {
        calls++;
        try escrow.claim(terms, sk) {} catch (bytes memory err) {
            reentryError = err;
        }
    }
}

contract FairDelegationEscrowTest is TestBase {
    uint256 private constant N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;

    event EscrowOpened(
        address indexed workKey,
        bytes32 indexed agreementId,
        address customer,
        address payee,
        bytes32 workHash,
        uint256 amount,
        uint256 deadline
    );
    event KeyRevealed(address indexed workKey, uint256 privateKey);
    event Refunded(address indexed workKey);

    FairDelegationEscrow private escrow;
    address private customer = address(0xC0FFEE);
    address private payee = address(0xBEEF);
    address private stranger = address(0xBAD);
    uint256 private workSk = 0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d;
    address private workKey;
    /// @dev keccak256 of an agreement's terms other than the work key (what open takes; the id is derived).
    bytes32 private constant DETAILS = keccak256("agreement 1 details");
    bytes32 private constant WORK_HASH = keccak256("encrypted work");
    uint256 private constant WAGE = 1 ether;

    function setUp() public {
        escrow = new FairDelegationEscrow();
        workKey = vm.addr(workSk);
        vm.deal(customer, 100 ether);
        vm.warp(1_700_000_000);
    }

    // ---------- helpers ----------

    function _terms(address key, uint256 deadline) private view returns (FairDelegationEscrow.Terms memory) {
        return FairDelegationEscrow.Terms(customer, payee, key, WORK_HASH, WAGE, deadline);
    }

    function _open(address key, uint256 deadline) private returns (FairDelegationEscrow.Terms memory t) {
        vm.prank(customer);
        escrow.open{value: WAGE}(DETAILS, payee, key, WORK_HASH, deadline);
        return _terms(key, deadline);
    }

    function _openDefault() private returns (FairDelegationEscrow.Terms memory) {
        return _open(workKey, block.timestamp + 1 days);
    }

    /// @dev The agreement id as docs/formats/agreement-terms.md defines it, computed independently of the contract.
    function _id(bytes32 details, address key) private pure returns (bytes32) {
        return keccak256(abi.encode(details, key));
    }

    // ---------- open ----------

    function test_Open_StoresTermsHashAndEmitsFullTerms() public {
        uint256 deadline = block.timestamp + 1 days;
        vm.expectEmit(true, true, true, true);
        emit EscrowOpened(workKey, _id(DETAILS, workKey), customer, payee, WORK_HASH, WAGE, deadline);
        FairDelegationEscrow.Terms memory t = _open(workKey, deadline);
        assertEq(escrow.escrows(workKey), keccak256(abi.encode(t)), "stored terms hash");
        assertEq(address(escrow).balance, WAGE, "escrow balance");
    }

    function test_RevertWhen_OpenWithZeroValue() public {
        vm.expectRevert(FairDelegationEscrow.ZeroAmount.selector);
        vm.prank(customer);
        escrow.open(DETAILS, payee, workKey, WORK_HASH, block.timestamp + 1);
    }

    function test_RevertWhen_OpenWithZeroPayee() public {
        vm.expectRevert(FairDelegationEscrow.ZeroPayee.selector);
        vm.prank(customer);
        escrow.open{value: WAGE}(DETAILS, address(0), workKey, WORK_HASH, block.timestamp + 1);
    }

    function test_RevertWhen_OpenWithZeroWorkKey() public {
        vm.expectRevert(FairDelegationEscrow.ZeroWorkKey.selector);
        vm.prank(customer);
        escrow.open{value: WAGE}(DETAILS, payee, address(0), WORK_HASH, block.timestamp + 1);
    }

    function test_RevertWhen_OpenWithPastOrPresentDeadline() public {
        vm.expectRevert(
            abi.encodeWithSelector(FairDelegationEscrow.DeadlineNotInFuture.selector, block.timestamp, block.timestamp)
        );
        vm.prank(customer);
        escrow.open{value: WAGE}(DETAILS, payee, workKey, WORK_HASH, block.timestamp);

        vm.expectRevert(
            abi.encodeWithSelector(
                FairDelegationEscrow.DeadlineNotInFuture.selector, block.timestamp - 1, block.timestamp
            )
        );
        vm.prank(customer);
        escrow.open{value: WAGE}(DETAILS, payee, workKey, WORK_HASH, block.timestamp - 1);
    }

    function test_Open_AcceptsADeadlineExactlyThirtyDaysAhead() public {
        _open(workKey, block.timestamp + 30 days);
        assertEq(escrow.MAX_ESCROW_DURATION(), 30 days, "cap");
    }

    /// @dev Finding #7 of issue 11: a griefer opening on somebody else's work key with deadline 2^256-1 would
    /// lock the key forever; the cap bounds the lock to 30 days, after which anyone refunds and frees the slot.
    function test_RevertWhen_OpenWithDeadlineBeyondThirtyDays() public {
        uint256 latest = block.timestamp + 30 days;
        vm.expectRevert(abi.encodeWithSelector(FairDelegationEscrow.DeadlineTooFar.selector, latest + 1, latest));
        vm.prank(customer);
        escrow.open{value: WAGE}(DETAILS, payee, workKey, WORK_HASH, latest + 1);

        vm.expectRevert(
            abi.encodeWithSelector(FairDelegationEscrow.DeadlineTooFar.selector, type(uint256).max, latest)
        );
        vm.prank(stranger);
        vm.deal(stranger, 1);
        escrow.open{value: 1}(DETAILS, stranger, workKey, WORK_HASH, type(uint256).max);
        assertEq(escrow.escrows(workKey), bytes32(0), "work key still free");
    }

    function test_RevertWhen_OpenBatchHasADeadlineBeyondThirtyDays() public {
        FairDelegationEscrow.Opening[] memory batch = new FairDelegationEscrow.Opening[](2);
        batch[0] = FairDelegationEscrow.Opening(DETAILS, payee, vm.addr(7), WORK_HASH, WAGE, block.timestamp + 1);
        batch[1] = FairDelegationEscrow.Opening(DETAILS, payee, vm.addr(8), WORK_HASH, WAGE, type(uint256).max);
        vm.expectRevert(
            abi.encodeWithSelector(
                FairDelegationEscrow.DeadlineTooFar.selector, type(uint256).max, block.timestamp + 30 days
            )
        );
        vm.prank(customer);
        escrow.openBatch{value: 2 * WAGE}(batch);
    }

    /// @dev The griefer's lock ends: after its (capped) deadline anyone refunds it and the provider's key is free.
    function test_GriefedWorkKeyIsFreeAgainAfterTheCappedDeadline() public {
        vm.deal(stranger, 1);
        uint256 deadline = block.timestamp + 30 days;
        vm.prank(stranger);
        escrow.open{value: 1}(DETAILS, stranger, workKey, WORK_HASH, deadline);
        vm.warp(deadline);
        escrow.refund(FairDelegationEscrow.Terms(stranger, stranger, workKey, WORK_HASH, 1, deadline));
        _openDefault();
        assertEq(escrow.escrows(workKey), keccak256(abi.encode(_terms(workKey, block.timestamp + 1 days))), "reopened");
    }

    function test_RevertWhen_WorkKeyReusedWhileOpen_EvenUnderAnotherAgreementId() public {
        _openDefault();
        vm.expectRevert(abi.encodeWithSelector(FairDelegationEscrow.WorkKeyAlreadyUsed.selector, workKey));
        vm.prank(customer);
        escrow.open{value: WAGE}(keccak256("another agreement"), payee, workKey, WORK_HASH, block.timestamp + 2 days);
    }

    // ---------- the agreement id binds the work key ----------

    function test_AgreementIdIsKeccakOfDetailsHashAndWorkKey() public view {
        assertEq(escrow.agreementIdOf(DETAILS, workKey), _id(DETAILS, workKey), "agreementIdOf");
        assertTrue(escrow.agreementIdOf(DETAILS, workKey) != escrow.agreementIdOf(DETAILS, vm.addr(2)), "id depends on the key");
        assertTrue(escrow.agreementIdOf(DETAILS, workKey) != escrow.agreementIdOf(WORK_HASH, workKey), "id depends on the details");
    }

    /// @dev The worked example of docs/formats/agreement-terms.md (tests/FairDelegation.Protocol.Tests/vectors/
    /// stamp-example.json): the contract derives the same id as the protocol layer.
    function test_AgreementIdOfTheProtocolExample() public view {
        assertEq(
            escrow.agreementIdOf(
                0x95c6de47a324b2e312820eeb86fa5546328606940eced73489b9492990677110,
                0x70997970C51812dc3A010C7d01b50e0d17dc79C8
            ),
            0xab1c59dc3720eb253d82f67666c87b10a562a1a639cd276a232a729a7aedfef6,
            "agreement id of the example"
        );
    }

    function test_RevertWhen_AgreementIdReused_WhileOpen() public {
        _openDefault();
        // The same agreement id means the same details hash and work key: the work key's slot is taken.
        vm.deal(stranger, WAGE);
        vm.expectRevert(abi.encodeWithSelector(FairDelegationEscrow.WorkKeyAlreadyUsed.selector, workKey));
        vm.prank(stranger);
        escrow.open{value: WAGE}(DETAILS, stranger, workKey, keccak256("other work"), block.timestamp + 2 days);
    }

    function test_RevertWhen_AgreementIdReused_AfterClaim_Forever() public {
        FairDelegationEscrow.Terms memory t = _openDefault();
        escrow.claim(t, workSk);
        vm.warp(block.timestamp + 3650 days);
        vm.expectRevert(abi.encodeWithSelector(FairDelegationEscrow.WorkKeyAlreadyUsed.selector, workKey));
        vm.prank(customer);
        escrow.open{value: WAGE}(DETAILS, payee, workKey, WORK_HASH, block.timestamp + 1 days);
    }

    function test_AgreementIdCannotBeOpenedWithAnotherWorkKey() public {
        _openDefault();
        bytes32 id = _id(DETAILS, workKey);
        // The same details with another key is another agreement: it opens under a different id, in another slot.
        address other = vm.addr(workSk + 1);
        vm.expectEmit(true, true, true, true);
        emit EscrowOpened(other, _id(DETAILS, other), customer, payee, WORK_HASH, WAGE, block.timestamp + 1 days);
        _open(other, block.timestamp + 1 days);
        assertTrue(_id(DETAILS, other) != id, "another work key gives another id");
        assertEq(escrow.escrows(workKey), keccak256(abi.encode(_terms(workKey, block.timestamp + 1 days))), "first escrow untouched");
    }

    /// @dev Whatever details hash an opening names with a work key other than an opened escrow's, its id differs
    /// from that escrow's: no opening can carry an id already bound to another work key.
    function testFuzz_AnIdNamesOnlyItsOwnWorkKey(bytes32 details, uint256 sk) public {
        sk = bound(sk, 1, N - 1);
        address key = vm.addr(sk);
        vm.assume(key != workKey);
        _openDefault();
        bytes32 id = _id(DETAILS, workKey);
        vm.expectEmit(true, true, true, true);
        emit EscrowOpened(key, _id(details, key), customer, payee, WORK_HASH, WAGE, block.timestamp + 1 days);
        vm.prank(customer);
        escrow.open{value: WAGE}(details, payee, key, WORK_HASH, block.timestamp + 1 days);
        assertTrue(_id(details, key) != id, "an opened id named another work key");
    }

    function test_RevertWhen_WorkKeyReusedAfterClaim_Forever() public {
        FairDelegationEscrow.Terms memory t = _openDefault();
        escrow.claim(t, workSk);
        vm.warp(block.timestamp + 3650 days);
        vm.expectRevert(abi.encodeWithSelector(FairDelegationEscrow.WorkKeyAlreadyUsed.selector, workKey));
        vm.prank(customer);
        escrow.open{value: WAGE}(DETAILS, payee, workKey, WORK_HASH, block.timestamp + 1 days);
    }

    function test_WorkKeyMayBeReopenedAfterRefund_ItWasNeverRevealed() public {
        FairDelegationEscrow.Terms memory t = _openDefault();
        vm.warp(t.deadline);
        escrow.refund(t);
        FairDelegationEscrow.Terms memory again = _open(workKey, block.timestamp + 1 days);
        escrow.claim(again, workSk);
        assertEq(payee.balance, WAGE, "payee paid for the reopened escrow");
    }

    // ---------- openBatch ----------

    function test_OpenBatch_OpensEveryEscrow() public {
        FairDelegationEscrow.Opening[] memory batch = new FairDelegationEscrow.Opening[](3);
        for (uint256 i; i < 3; ++i) {
            batch[i] = FairDelegationEscrow.Opening(
                bytes32(i), payee, vm.addr(100 + i), WORK_HASH, WAGE + i, block.timestamp + 1 days
            );
        }
        vm.expectEmit(true, true, true, true);
        emit EscrowOpened(vm.addr(100), _id(bytes32(0), vm.addr(100)), customer, payee, WORK_HASH, WAGE, block.timestamp + 1 days);
        vm.prank(customer);
        escrow.openBatch{value: 3 * WAGE + 3}(batch);
        for (uint256 i; i < 3; ++i) {
            FairDelegationEscrow.Terms memory t = FairDelegationEscrow.Terms(
                customer, payee, vm.addr(100 + i), WORK_HASH, WAGE + i, block.timestamp + 1 days
            );
            assertEq(escrow.escrows(vm.addr(100 + i)), keccak256(abi.encode(t)), "batch escrow stored");
        }
        escrow.claim(
            FairDelegationEscrow.Terms(customer, payee, vm.addr(101), WORK_HASH, WAGE + 1, block.timestamp + 1 days),
            101
        );
        assertEq(payee.balance, WAGE + 1, "batch escrow claimable");
    }

    function test_RevertWhen_OpenBatchValueDoesNotMatchAmounts() public {
        FairDelegationEscrow.Opening[] memory batch = new FairDelegationEscrow.Opening[](2);
        batch[0] = FairDelegationEscrow.Opening(DETAILS, payee, vm.addr(7), WORK_HASH, WAGE, block.timestamp + 1);
        batch[1] = FairDelegationEscrow.Opening(DETAILS, payee, vm.addr(8), WORK_HASH, WAGE, block.timestamp + 1);
        vm.expectRevert(abi.encodeWithSelector(FairDelegationEscrow.ValueMismatch.selector, 2 * WAGE, 2 * WAGE - 1));
        vm.prank(customer);
        escrow.openBatch{value: 2 * WAGE - 1}(batch);
    }

    function test_RevertWhen_OpenBatchRepeatsAWorkKey() public {
        FairDelegationEscrow.Opening[] memory batch = new FairDelegationEscrow.Opening[](2);
        batch[0] = FairDelegationEscrow.Opening(DETAILS, payee, vm.addr(7), WORK_HASH, WAGE, block.timestamp + 1);
        batch[1] = FairDelegationEscrow.Opening(DETAILS, payee, vm.addr(7), WORK_HASH, WAGE, block.timestamp + 1);
        vm.expectRevert(abi.encodeWithSelector(FairDelegationEscrow.WorkKeyAlreadyUsed.selector, vm.addr(7)));
        vm.prank(customer);
        escrow.openBatch{value: 2 * WAGE}(batch);
    }

    // ---------- claim ----------

    function test_Claim_PaysPayeeAndRevealsKey() public {
        FairDelegationEscrow.Terms memory t = _openDefault();
        vm.expectEmit(true, true, true, true);
        emit KeyRevealed(workKey, workSk);
        vm.prank(payee);
        escrow.claim(t, workSk);
        assertEq(payee.balance, WAGE, "payee balance");
        assertEq(address(escrow).balance, 0, "escrow emptied");
    }

    function test_FrontRunClaim_ThirdPartySubmits_PayeeStillPaid() public {
        FairDelegationEscrow.Terms memory t = _openDefault();
        vm.prank(stranger);
        escrow.claim(t, workSk);
        assertEq(payee.balance, WAGE, "payee paid");
        assertEq(stranger.balance, 0, "front-runner gets nothing");
        // The payee's own claim, now late, is rejected without loss.
        vm.expectRevert(abi.encodeWithSelector(FairDelegationEscrow.AlreadyClaimed.selector, workKey));
        vm.prank(payee);
        escrow.claim(t, workSk);
    }

    function test_RevertWhen_ClaimTwice() public {
        FairDelegationEscrow.Terms memory t = _openDefault();
        escrow.claim(t, workSk);
        vm.expectRevert(abi.encodeWithSelector(FairDelegationEscrow.AlreadyClaimed.selector, workKey));
        escrow.claim(t, workSk);
    }

    function test_RevertWhen_ClaimAtOrAfterDeadline() public {
        FairDelegationEscrow.Terms memory t = _openDefault();
        vm.warp(t.deadline);
        vm.expectRevert(abi.encodeWithSelector(FairDelegationEscrow.DeadlinePassed.selector, t.deadline, t.deadline));
        escrow.claim(t, workSk);
    }

    function test_RevertWhen_ClaimWithoutEscrow() public {
        FairDelegationEscrow.Terms memory t = _terms(workKey, block.timestamp + 1 days);
        vm.expectRevert(abi.encodeWithSelector(FairDelegationEscrow.NoSuchEscrow.selector, workKey));
        escrow.claim(t, workSk);
    }

    function test_RevertWhen_ClaimWithAlteredTerms() public {
        FairDelegationEscrow.Terms memory t = _openDefault();
        t.payee = stranger; // a front-runner redirecting the payment
        vm.expectRevert(abi.encodeWithSelector(FairDelegationEscrow.TermsMismatch.selector, workKey));
        escrow.claim(t, workSk);
        t.payee = payee;
        t.amount = WAGE + 1; // draining other escrows' deposits
        vm.expectRevert(abi.encodeWithSelector(FairDelegationEscrow.TermsMismatch.selector, workKey));
        escrow.claim(t, workSk);
    }

    function test_RevertWhen_ClaimWithZeroOrOutOfRangeKey() public {
        FairDelegationEscrow.Terms memory t = _openDefault();
        vm.expectRevert(FairDelegationEscrow.PrivateKeyOutOfRange.selector);
        escrow.claim(t, 0);
        vm.expectRevert(FairDelegationEscrow.PrivateKeyOutOfRange.selector);
        escrow.claim(t, N);
        // 1 + N would pass a check of the mulmod alone (it is 1 mod N), so the range check must come first.
        vm.expectRevert(FairDelegationEscrow.PrivateKeyOutOfRange.selector);
        escrow.claim(t, N + 1);
        vm.expectRevert(FairDelegationEscrow.PrivateKeyOutOfRange.selector);
        escrow.claim(t, type(uint256).max);
    }

    function test_RevertWhen_ClaimWithWrongKey() public {
        FairDelegationEscrow.Terms memory t = _openDefault();
        vm.expectRevert(
            abi.encodeWithSelector(FairDelegationEscrow.WrongPrivateKey.selector, workKey, vm.addr(workSk + 1))
        );
        escrow.claim(t, workSk + 1);
    }

    function test_RevertWhen_PayeeRefusesPayment_NothingChanges() public {
        RefusingPayee refusing = new RefusingPayee();
        vm.prank(customer);
        escrow.open{value: WAGE}(DETAILS, address(refusing), workKey, WORK_HASH, block.timestamp + 1 days);
        FairDelegationEscrow.Terms memory t =
            FairDelegationEscrow.Terms(customer, address(refusing), workKey, WORK_HASH, WAGE, block.timestamp + 1 days);
        vm.expectRevert(abi.encodeWithSelector(FairDelegationEscrow.PaymentFailed.selector, address(refusing), WAGE));
        escrow.claim(t, workSk);
        assertEq(escrow.escrows(workKey), keccak256(abi.encode(t)), "escrow still open after a failed payment");
    }

    function test_Claim_ReentrantPayeeIsPaidOnce() public {
        ReenteringPayee reentering = new ReenteringPayee(escrow);
        vm.prank(customer);
        escrow.open{value: WAGE}(DETAILS, address(reentering), workKey, WORK_HASH, block.timestamp + 1 days);
        vm.prank(customer);
        escrow.open{value: WAGE}(DETAILS, payee, vm.addr(9), WORK_HASH, block.timestamp + 1 days); // bait
        FairDelegationEscrow.Terms memory t = FairDelegationEscrow.Terms(
            customer, address(reentering), workKey, WORK_HASH, WAGE, block.timestamp + 1 days
        );
        reentering.arm(t, workSk);
        escrow.claim(t, workSk);
        assertEq(address(reentering).balance, WAGE, "paid exactly once");
        assertEq(reentering.calls(), 1, "one payment");
        assertEq(
            keccak256(reentering.reentryError()),
            keccak256(abi.encodeWithSelector(FairDelegationEscrow.AlreadyClaimed.selector, workKey)),
            "reentrant claim saw the escrow already settled"
        );
    }

    // ---------- refund ----------

    function test_RevertWhen_RefundBeforeDeadline() public {
        FairDelegationEscrow.Terms memory t = _openDefault();
        vm.warp(t.deadline - 1);
        vm.expectRevert(
            abi.encodeWithSelector(FairDelegationEscrow.DeadlineNotReached.selector, t.deadline, t.deadline - 1)
        );
        vm.prank(customer);
        escrow.refund(t);
    }

    function test_Refund_FromDeadlineOn_PaysCustomerWhoeverCalls() public {
        FairDelegationEscrow.Terms memory t = _openDefault();
        uint256 before = customer.balance;
        vm.warp(t.deadline);
        vm.expectEmit(true, true, true, true);
        emit Refunded(workKey);
        vm.prank(stranger);
        escrow.refund(t);
        assertEq(customer.balance, before + WAGE, "customer refunded");
        assertEq(stranger.balance, 0, "caller gets nothing");
        assertEq(escrow.escrows(workKey), bytes32(0), "slot cleared");
    }

    function test_RevertWhen_RefundTwice() public {
        FairDelegationEscrow.Terms memory t = _openDefault();
        vm.warp(t.deadline + 1);
        escrow.refund(t);
        vm.expectRevert(abi.encodeWithSelector(FairDelegationEscrow.NoSuchEscrow.selector, workKey));
        escrow.refund(t);
    }

    function test_RevertWhen_RefundAfterClaim() public {
        FairDelegationEscrow.Terms memory t = _openDefault();
        escrow.claim(t, workSk);
        vm.warp(t.deadline);
        vm.expectRevert(abi.encodeWithSelector(FairDelegationEscrow.AlreadyClaimed.selector, workKey));
        escrow.refund(t);
    }

    function test_RevertWhen_ClaimAfterRefund() public {
        FairDelegationEscrow.Terms memory t = _openDefault();
        vm.warp(t.deadline);
        escrow.refund(t);
        vm.expectRevert(abi.encodeWithSelector(FairDelegationEscrow.DeadlinePassed.selector, t.deadline, t.deadline));
        escrow.claim(t, workSk);
    }

    function test_RevertWhen_RefundWithAlteredTerms() public {
        FairDelegationEscrow.Terms memory t = _openDefault();
        vm.warp(t.deadline);
        t.customer = stranger;
        vm.expectRevert(abi.encodeWithSelector(FairDelegationEscrow.TermsMismatch.selector, workKey));
        escrow.refund(t);
    }

    // ---------- fuzz: the ecrecover trick is exactly P(workKey, sk) ----------

    function testFuzz_ClaimAcceptsExactlyTheKeyOfVmAddr(uint256 sk) public {
        sk = bound(sk, 1, N - 1);
        address key = vm.addr(sk);
        FairDelegationEscrow.Terms memory t = _open(key, block.timestamp + 1 days);
        escrow.claim(t, sk);
        assertEq(escrow.escrows(key), bytes32(uint256(1)), "claimed");
        assertEq(payee.balance, WAGE, "paid");
    }

    function testFuzz_ClaimRejectsAnyOtherKey(uint256 sk, uint256 other) public {
        sk = bound(sk, 1, N - 1);
        other = bound(other, 1, N - 1);
        vm.assume(other != sk);
        address key = vm.addr(sk);
        FairDelegationEscrow.Terms memory t = _open(key, block.timestamp + 1 days);
        vm.expectRevert(abi.encodeWithSelector(FairDelegationEscrow.WrongPrivateKey.selector, key, vm.addr(other)));
        escrow.claim(t, other);
    }

    function testFuzz_ClaimRejectsOutOfRangeKeys(uint256 sk) public {
        sk = bound(sk, N, type(uint256).max);
        FairDelegationEscrow.Terms memory t = _openDefault();
        vm.expectRevert(FairDelegationEscrow.PrivateKeyOutOfRange.selector);
        escrow.claim(t, sk);
    }
}
