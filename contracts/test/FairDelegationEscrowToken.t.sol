// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {FairDelegationEscrow} from "../FairDelegationEscrow.sol";
import {TestBase} from "./Vm.sol";
import {TestToken, FeeOnTransferToken, NoBoolToken, FalseReturningToken} from "./TestTokens.sol";

/// @dev ERC-20 wages: the same open / claim / refund rules as ETH, with OpenZeppelin's ERC20 (npm) as the token,
/// a token that returns no bool, one that returns false, and a fee-on-transfer token (refused).
contract FairDelegationEscrowTokenTest is TestBase {
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
    event KeyRevealed(address indexed workKey, uint256 privateKey);
    event Refunded(address indexed workKey);

    FairDelegationEscrow private escrow;
    TestToken private token;
    address private customer = address(0xC0FFEE);
    address private payee = address(0xBEEF);
    address private stranger = address(0xBAD);
    uint256 private workSk = 0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d;
    address private workKey;
    bytes32 private constant DETAILS = keccak256("agreement 1 details");
    bytes32 private constant WORK_HASH = keccak256("encrypted work");
    uint256 private constant WAGE = 250e6;

    function setUp() public {
        escrow = new FairDelegationEscrow();
        token = new TestToken();
        workKey = vm.addr(workSk);
        token.mint(customer, 1_000e6);
        vm.prank(customer);
        token.approve(address(escrow), type(uint256).max);
        vm.deal(customer, 100 ether);
        vm.warp(1_700_000_000);
    }

    function _terms(address t, address key, uint256 deadline) private view returns (FairDelegationEscrow.TokenTerms memory) {
        return FairDelegationEscrow.TokenTerms(customer, payee, key, WORK_HASH, WAGE, deadline, t);
    }

    function _open(address t, address key) private returns (FairDelegationEscrow.TokenTerms memory) {
        uint256 deadline = block.timestamp + 1 days;
        vm.prank(customer);
        escrow.openToken(DETAILS, payee, key, WORK_HASH, WAGE, deadline, t);
        return _terms(t, key, deadline);
    }

    // ---------- open ----------

    function test_OpenToken_PullsExactlyTheWageAndEmitsEveryTerm() public {
        uint256 deadline = block.timestamp + 1 days;
        vm.expectEmit(true, true, true, true);
        emit TokenEscrowOpened(workKey, keccak256(abi.encode(DETAILS, workKey)), customer, payee, WORK_HASH, WAGE, deadline, address(token));
        FairDelegationEscrow.TokenTerms memory t = _open(address(token), workKey);
        assertEq(escrow.escrows(workKey), keccak256(abi.encode(t)), "stored terms hash");
        assertEq(token.balanceOf(address(escrow)), WAGE, "escrow holds the wage");
        assertEq(token.balanceOf(customer), 1_000e6 - WAGE, "customer paid the wage");
    }

    function test_RevertWhen_OpenTokenWithZeroTokenAmountOrPayee() public {
        vm.startPrank(customer);
        vm.expectRevert(FairDelegationEscrow.ZeroToken.selector);
        escrow.openToken(DETAILS, payee, workKey, WORK_HASH, WAGE, block.timestamp + 1, address(0));
        vm.expectRevert(FairDelegationEscrow.ZeroAmount.selector);
        escrow.openToken(DETAILS, payee, workKey, WORK_HASH, 0, block.timestamp + 1, address(token));
        vm.expectRevert(FairDelegationEscrow.ZeroPayee.selector);
        escrow.openToken(DETAILS, address(0), workKey, WORK_HASH, WAGE, block.timestamp + 1, address(token));
        vm.expectRevert(FairDelegationEscrow.ZeroWorkKey.selector);
        escrow.openToken(DETAILS, payee, address(0), WORK_HASH, WAGE, block.timestamp + 1, address(token));
        vm.expectRevert(abi.encodeWithSelector(FairDelegationEscrow.DeadlineNotInFuture.selector, block.timestamp, block.timestamp));
        escrow.openToken(DETAILS, payee, workKey, WORK_HASH, WAGE, block.timestamp, address(token));
        vm.stopPrank();
    }

    function test_RevertWhen_OpenTokenWithDeadlineBeyondTheCap() public {
        uint256 latest = block.timestamp + escrow.MAX_ESCROW_DURATION();
        vm.expectRevert(abi.encodeWithSelector(FairDelegationEscrow.DeadlineTooFar.selector, latest + 1, latest));
        vm.prank(customer);
        escrow.openToken(DETAILS, payee, workKey, WORK_HASH, WAGE, latest + 1, address(token));
        vm.prank(customer);
        escrow.openToken(DETAILS, payee, workKey, WORK_HASH, WAGE, latest, address(token));
        assertEq(token.balanceOf(address(escrow)), WAGE, "opened at exactly the cap");
    }

    function test_RevertWhen_OpenTokenWithoutAllowanceOrBalance_NothingStored() public {
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(FairDelegationEscrow.TokenTransferFailed.selector, address(token)));
        escrow.openToken(DETAILS, payee, workKey, WORK_HASH, WAGE, block.timestamp + 1 days, address(token));
        assertEq(escrow.escrows(workKey), bytes32(0), "nothing stored");
    }

    function test_RevertWhen_TheTokenHasNoCode() public {
        vm.prank(customer);
        vm.expectRevert(abi.encodeWithSelector(FairDelegationEscrow.TokenTransferFailed.selector, stranger));
        escrow.openToken(DETAILS, payee, workKey, WORK_HASH, WAGE, block.timestamp + 1 days, stranger);
    }

    function test_RevertWhen_FeeOnTransferToken() public {
        FeeOnTransferToken fee = new FeeOnTransferToken();
        fee.mint(customer, 1_000e6);
        vm.prank(customer);
        fee.approve(address(escrow), WAGE);
        vm.expectRevert(abi.encodeWithSelector(FairDelegationEscrow.TokenAmountMismatch.selector, WAGE, WAGE - WAGE / 100));
        vm.prank(customer);
        escrow.openToken(DETAILS, payee, workKey, WORK_HASH, WAGE, block.timestamp + 1 days, address(fee));
        assertEq(fee.balanceOf(customer), 1_000e6, "customer keeps everything");
    }

    function test_RevertWhen_TheTokenReturnsFalse() public {
        FalseReturningToken f = new FalseReturningToken();
        f.mint(customer, 1_000e6);
        f.setFailing(true);
        vm.expectRevert(abi.encodeWithSelector(FairDelegationEscrow.TokenTransferFailed.selector, address(f)));
        vm.prank(customer);
        escrow.openToken(DETAILS, payee, workKey, WORK_HASH, WAGE, block.timestamp + 1 days, address(f));
    }

    function test_RevertWhen_WorkKeyUsedByAnEthEscrow_AndTheOtherWayRound() public {
        vm.prank(customer);
        escrow.open{value: 1 ether}(DETAILS, payee, workKey, WORK_HASH, block.timestamp + 1 days);
        vm.expectRevert(abi.encodeWithSelector(FairDelegationEscrow.WorkKeyAlreadyUsed.selector, workKey));
        vm.prank(customer);
        escrow.openToken(DETAILS, payee, workKey, WORK_HASH, WAGE, block.timestamp + 1 days, address(token));

        address other = vm.addr(workSk + 1);
        _open(address(token), other);
        vm.expectRevert(abi.encodeWithSelector(FairDelegationEscrow.WorkKeyAlreadyUsed.selector, other));
        vm.prank(customer);
        escrow.open{value: 1 ether}(DETAILS, payee, other, WORK_HASH, block.timestamp + 1 days);
    }

    // ---------- claim ----------

    function test_ClaimToken_PaysThePayeeAndRevealsTheKey() public {
        FairDelegationEscrow.TokenTerms memory t = _open(address(token), workKey);
        vm.expectEmit(true, true, true, true);
        emit KeyRevealed(workKey, workSk);
        vm.prank(stranger);
        escrow.claimToken(t, workSk);
        assertEq(token.balanceOf(payee), WAGE, "payee paid");
        assertEq(token.balanceOf(address(escrow)), 0, "escrow empty");
        assertEq(escrow.escrows(workKey), bytes32(uint256(1)), "tombstone");

        vm.expectRevert(abi.encodeWithSelector(FairDelegationEscrow.AlreadyClaimed.selector, workKey));
        escrow.claimToken(t, workSk);
        vm.expectRevert(abi.encodeWithSelector(FairDelegationEscrow.WorkKeyAlreadyUsed.selector, workKey));
        vm.prank(customer);
        escrow.openToken(DETAILS, payee, workKey, WORK_HASH, WAGE, block.timestamp + 1 days, address(token));
    }

    function test_RevertWhen_ClaimTokenWithWrongKeyLateOrAlteredTerms() public {
        FairDelegationEscrow.TokenTerms memory t = _open(address(token), workKey);
        address wrong = vm.addr(workSk + 1);
        vm.expectRevert(abi.encodeWithSelector(FairDelegationEscrow.WrongPrivateKey.selector, workKey, wrong));
        escrow.claimToken(t, workSk + 1);

        FairDelegationEscrow.TokenTerms memory other = t;
        other.token = address(new TestToken());
        vm.expectRevert(abi.encodeWithSelector(FairDelegationEscrow.TermsMismatch.selector, workKey));
        escrow.claimToken(other, workSk);

        other = _terms(address(token), workKey, t.deadline);
        other.amount = WAGE + 1;
        vm.expectRevert(abi.encodeWithSelector(FairDelegationEscrow.TermsMismatch.selector, workKey));
        escrow.claimToken(other, workSk);

        vm.warp(t.deadline);
        vm.expectRevert(abi.encodeWithSelector(FairDelegationEscrow.DeadlinePassed.selector, t.deadline, t.deadline));
        escrow.claimToken(t, workSk);
    }

    /// @dev A token escrow's terms hash covers 7 words, an ETH escrow's 6: neither claim accepts the other's escrow.
    function test_EthAndTokenEscrowsCannotBeClaimedThroughEachOther() public {
        FairDelegationEscrow.TokenTerms memory t = _open(address(token), workKey);
        FairDelegationEscrow.Terms memory asEth =
            FairDelegationEscrow.Terms(t.customer, t.payee, t.workKey, t.workHash, t.amount, t.deadline);
        vm.expectRevert(abi.encodeWithSelector(FairDelegationEscrow.TermsMismatch.selector, workKey));
        escrow.claim(asEth, workSk);

        address ethKey = vm.addr(workSk + 1);
        uint256 deadline = block.timestamp + 1 days;
        vm.prank(customer);
        escrow.open{value: WAGE}(DETAILS, payee, ethKey, WORK_HASH, deadline);
        // Any token, even address(0): the 7-word hash never equals the stored 6-word one.
        FairDelegationEscrow.TokenTerms memory asToken = _terms(address(0), ethKey, deadline);
        vm.expectRevert(abi.encodeWithSelector(FairDelegationEscrow.TermsMismatch.selector, ethKey));
        escrow.claimToken(asToken, workSk + 1);
    }

    function test_RevertWhen_PaymentOfTheClaimFails_NothingChanges() public {
        FalseReturningToken f = new FalseReturningToken();
        f.mint(customer, 1_000e6);
        uint256 deadline = block.timestamp + 1 days;
        vm.prank(customer);
        escrow.openToken(DETAILS, payee, workKey, WORK_HASH, WAGE, deadline, address(f));
        f.setFailing(true);
        FairDelegationEscrow.TokenTerms memory t = _terms(address(f), workKey, deadline);
        vm.expectRevert(abi.encodeWithSelector(FairDelegationEscrow.TokenTransferFailed.selector, address(f)));
        escrow.claimToken(t, workSk);
        assertEq(escrow.escrows(workKey), keccak256(abi.encode(t)), "escrow still open");
        f.setFailing(false);
        escrow.claimToken(t, workSk);
        assertEq(f.balanceOf(payee), WAGE, "paid once the token works");
    }

    // ---------- refund ----------

    function test_RefundToken_FromTheDeadlineOn_ReturnsTheTokensWhoeverCalls() public {
        FairDelegationEscrow.TokenTerms memory t = _open(address(token), workKey);
        vm.warp(t.deadline - 1);
        vm.expectRevert(abi.encodeWithSelector(FairDelegationEscrow.DeadlineNotReached.selector, t.deadline, t.deadline - 1));
        escrow.refundToken(t);

        vm.warp(t.deadline);
        vm.expectEmit(true, true, true, true);
        emit Refunded(workKey);
        vm.prank(stranger);
        escrow.refundToken(t);
        assertEq(token.balanceOf(customer), 1_000e6, "customer whole again");
        assertEq(token.balanceOf(address(escrow)), 0, "escrow empty");
        assertEq(escrow.escrows(workKey), bytes32(0), "slot cleared");

        vm.expectRevert(abi.encodeWithSelector(FairDelegationEscrow.NoSuchEscrow.selector, workKey));
        escrow.refundToken(t);
        vm.expectRevert(abi.encodeWithSelector(FairDelegationEscrow.DeadlinePassed.selector, t.deadline, t.deadline));
        escrow.claimToken(t, workSk);
    }

    // ---------- a token that returns no bool ----------

    function test_NoBoolToken_OpensClaimsAndRefunds() public {
        NoBoolToken nb = new NoBoolToken();
        nb.mint(customer, 1_000e6);
        vm.prank(customer);
        nb.approve(address(escrow), type(uint256).max);

        FairDelegationEscrow.TokenTerms memory claimed = _open(address(nb), workKey);
        assertEq(nb.balanceOf(address(escrow)), WAGE, "escrow holds the wage");
        escrow.claimToken(claimed, workSk);
        assertEq(nb.balanceOf(payee), WAGE, "payee paid");

        FairDelegationEscrow.TokenTerms memory refunded = _open(address(nb), vm.addr(workSk + 1));
        vm.warp(refunded.deadline);
        escrow.refundToken(refunded);
        assertEq(nb.balanceOf(customer), 1_000e6 - WAGE, "customer got the refunded wage back");
        assertEq(nb.balanceOf(address(escrow)), 0, "escrow empty");
    }

    function test_RevertWhen_NoBoolTokenTransferReverts() public {
        NoBoolToken nb = new NoBoolToken();
        // No allowance: transferFrom underflows and reverts; the escrow reports the token.
        vm.expectRevert(abi.encodeWithSelector(FairDelegationEscrow.TokenTransferFailed.selector, address(nb)));
        vm.prank(customer);
        escrow.openToken(DETAILS, payee, workKey, WORK_HASH, WAGE, block.timestamp + 1 days, address(nb));
    }

    // ---------- batch ----------

    function test_OpenTokenBatch_OpensEveryEscrowWithOneTransfer() public {
        FairDelegationEscrow.Opening[] memory batch = new FairDelegationEscrow.Opening[](5);
        uint256 deadline = block.timestamp + 1 days;
        for (uint256 i; i < batch.length; ++i) {
            batch[i] = FairDelegationEscrow.Opening(DETAILS, payee, vm.addr(100 + i), WORK_HASH, WAGE / 5 + i, deadline);
        }
        vm.prank(customer);
        escrow.openTokenBatch(address(token), batch);
        uint256 total;
        for (uint256 i; i < batch.length; ++i) {
            FairDelegationEscrow.TokenTerms memory t = FairDelegationEscrow.TokenTerms(
                customer, payee, vm.addr(100 + i), WORK_HASH, WAGE / 5 + i, deadline, address(token)
            );
            assertEq(escrow.escrows(t.workKey), keccak256(abi.encode(t)), "each escrow stored");
            total += t.amount;
        }
        assertEq(token.balanceOf(address(escrow)), total, "one transfer of the sum");
        escrow.claimToken(
            FairDelegationEscrow.TokenTerms(customer, payee, vm.addr(102), WORK_HASH, WAGE / 5 + 2, deadline, address(token)), 102
        );
        assertEq(token.balanceOf(payee), WAGE / 5 + 2, "one claimed from the batch");
    }

    function test_RevertWhen_OpenTokenBatchRepeatsAWorkKey() public {
        FairDelegationEscrow.Opening[] memory batch = new FairDelegationEscrow.Opening[](2);
        batch[0] = FairDelegationEscrow.Opening(DETAILS, payee, workKey, WORK_HASH, WAGE, block.timestamp + 1 days);
        batch[1] = batch[0];
        vm.expectRevert(abi.encodeWithSelector(FairDelegationEscrow.WorkKeyAlreadyUsed.selector, workKey));
        vm.prank(customer);
        escrow.openTokenBatch(address(token), batch);
        assertEq(token.balanceOf(customer), 1_000e6, "nothing moved");
    }

    /// @dev Whatever mix of claims and refunds, the escrow's token balance is the sum of the open escrows and
    /// everyone ends with exactly what the rules give.
    function testFuzz_TokenBalancesAreExact(uint256 amount, uint8 claims) public {
        amount = bound(amount, 1, 100e6);
        uint256 deadline = block.timestamp + 1 days;
        for (uint256 i; i < 4; ++i) {
            vm.prank(customer);
            escrow.openToken(DETAILS, payee, vm.addr(200 + i), WORK_HASH, amount, deadline, address(token));
        }
        uint256 paid;
        for (uint256 i; i < 4; ++i) {
            if (claims & (1 << i) != 0) {
                escrow.claimToken(
                    FairDelegationEscrow.TokenTerms(customer, payee, vm.addr(200 + i), WORK_HASH, amount, deadline, address(token)), 200 + i
                );
                paid += amount;
            }
        }
        assertEq(token.balanceOf(address(escrow)), 4 * amount - paid, "escrow holds the open ones");
        vm.warp(deadline);
        for (uint256 i; i < 4; ++i) {
            if (claims & (1 << i) == 0) {
                escrow.refundToken(
                    FairDelegationEscrow.TokenTerms(customer, payee, vm.addr(200 + i), WORK_HASH, amount, deadline, address(token))
                );
            }
        }
        assertEq(token.balanceOf(address(escrow)), 0, "escrow empty");
        assertEq(token.balanceOf(payee), paid, "payee got the claimed wages");
        assertEq(token.balanceOf(customer), 1_000e6 - paid, "customer got the rest back");
    }
}
