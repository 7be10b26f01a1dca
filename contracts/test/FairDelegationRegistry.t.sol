// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {FairDelegationRegistry} from "../FairDelegationRegistry.sol";
import {TestBase} from "./Vm.sol";

/// @dev A provider identity that is a contract refusing ether: withdraw must fail loudly and keep the stake.
contract RefusingProvider {
    function join(FairDelegationRegistry r, FairDelegationRegistry.Offer[] calldata offers) external payable {
        r.register{value: msg.value}("http://refusing", address(this), offers);
    }

    function quit(FairDelegationRegistry r) external {
        r.deregister();
    }

    function withdraw(FairDelegationRegistry r) external {
        r.withdraw();
    }
}

/// @dev A provider identity that tries to withdraw again while being paid (reentrancy).
contract ReenteringProvider {
    FairDelegationRegistry private immutable registry;
    bytes public reentryError;
    uint256 public calls;

    constructor(FairDelegationRegistry r) {
        registry = r;
    }

    function join(FairDelegationRegistry.Offer[] calldata offers) external payable {
        registry.register{value: msg.value}("http://reentering", address(this), offers);
    }

    function quit() external {
        registry.deregister();
    }

    function withdraw() external {
        registry.withdraw();
    }

    receive() external payable {
        calls++;
        try registry.withdraw() {} catch (bytes memory err) {
            reentryError = err;
        }
    }
}

contract FairDelegationRegistryTest is TestBase {
    event ProviderRegistered(
        address indexed provider, string endpoint, address payee, FairDelegationRegistry.Offer[] offers, uint256 stake
    );
    event ProviderUpdated(address indexed provider, string endpoint, address payee, FairDelegationRegistry.Offer[] offers);
    event StakeAdded(address indexed provider, uint256 amount, uint256 stake);
    event ProviderLeft(address indexed provider, uint256 unlocksAt);
    event StakeWithdrawn(address indexed provider, uint256 amount);

    uint256 private constant MIN_STAKE = 0.1 ether;
    uint256 private constant DELAY = 7 days;
    address private constant TOKEN = address(0x70CE);

    FairDelegationRegistry private registry;
    address private provider = address(0x5E11E5);
    address private payee = address(0xBEEF);
    address private stranger = address(0xBAD);

    function setUp() public {
        registry = new FairDelegationRegistry(MIN_STAKE, DELAY);
        vm.deal(provider, 100 ether);
        vm.deal(stranger, 100 ether);
        vm.warp(1_700_000_000);
    }

    // ---------- helpers ----------

    function _offers() private pure returns (FairDelegationRegistry.Offer[] memory o) {
        o = new FairDelegationRegistry.Offer[](2);
        o[0] = FairDelegationRegistry.Offer("train-linear-model", address(0), 0.01 ether, FairDelegationRegistry.Basis.PerTask, 0, 4);
        o[1] = FairDelegationRegistry.Offer("train-linear-model", TOKEN, 25e6, FairDelegationRegistry.Basis.PerUnit, 1000, 4);
    }

    function _one(string memory service, uint256 price) private pure returns (FairDelegationRegistry.Offer[] memory o) {
        o = new FairDelegationRegistry.Offer[](1);
        o[0] = FairDelegationRegistry.Offer(service, address(0), price, FairDelegationRegistry.Basis.PerTask, 0, 0);
    }

    function _register(uint256 stake) private {
        vm.prank(provider);
        registry.register{value: stake}("http://provider.example:8080", payee, _offers());
    }

    function _state(address who) private view returns (uint256 stake, uint256 unlocksAt) {
        (uint128 s, uint64 u) = registry.providers(who);
        return (s, u);
    }

    // ---------- register ----------

    function test_Register_LocksStakeAndEmitsTheWholeRecord() public {
        vm.expectEmit(true, true, true, true);
        emit ProviderRegistered(provider, "http://provider.example:8080", payee, _offers(), 1 ether);
        _register(1 ether);
        (uint256 stake, uint256 unlocksAt) = _state(provider);
        assertEq(stake, 1 ether, "stake");
        assertEq(unlocksAt, 0, "not leaving");
        assertTrue(registry.isRegistered(provider), "registered");
        assertEq(address(registry).balance, 1 ether, "registry balance");
        assertEq(provider.balance, 99 ether, "provider paid the stake");
    }

    function test_Register_AtExactlyTheMinimumStake() public {
        _register(MIN_STAKE);
        assertTrue(registry.isRegistered(provider), "registered");
    }

    function test_RevertWhen_RegisterBelowTheMinimumStake() public {
        vm.expectRevert(abi.encodeWithSelector(FairDelegationRegistry.StakeTooLow.selector, MIN_STAKE, MIN_STAKE - 1));
        _register(MIN_STAKE - 1);
    }

    function test_RevertWhen_RegisterWithNoStakeEvenIfTheMinimumIsZero() public {
        FairDelegationRegistry free = new FairDelegationRegistry(0, DELAY);
        vm.expectRevert(abi.encodeWithSelector(FairDelegationRegistry.StakeTooLow.selector, 0, 0));
        vm.prank(provider);
        free.register("http://p", payee, _offers());
    }

    function test_RevertWhen_RegisterTwice() public {
        _register(1 ether);
        vm.expectRevert(abi.encodeWithSelector(FairDelegationRegistry.AlreadyRegistered.selector, provider));
        _register(1 ether);
    }

    function test_RevertWhen_RegisterWithZeroPayee() public {
        vm.expectRevert(FairDelegationRegistry.ZeroPayee.selector);
        vm.prank(provider);
        registry.register{value: 1 ether}("http://p", address(0), _offers());
    }

    function test_RevertWhen_RegisterWithEmptyOrLongEndpoint() public {
        vm.expectRevert(FairDelegationRegistry.BadEndpoint.selector);
        vm.prank(provider);
        registry.register{value: 1 ether}("", payee, _offers());

        bytes memory long = new bytes(257);
        for (uint256 i; i < long.length; ++i) long[i] = "a";
        vm.expectRevert(FairDelegationRegistry.BadEndpoint.selector);
        vm.prank(provider);
        registry.register{value: 1 ether}(string(long), payee, _offers());
    }

    function test_RevertWhen_RegisterWithNoOrTooManyOffers() public {
        vm.expectRevert(FairDelegationRegistry.NoOffers.selector);
        vm.prank(provider);
        registry.register{value: 1 ether}("http://p", payee, new FairDelegationRegistry.Offer[](0));

        FairDelegationRegistry.Offer[] memory many = new FairDelegationRegistry.Offer[](17);
        for (uint256 i; i < many.length; ++i) {
            many[i] = FairDelegationRegistry.Offer(string(abi.encodePacked("s", bytes1(uint8(65 + i)))), address(0), 1, FairDelegationRegistry.Basis.PerTask, 0, 0);
        }
        vm.expectRevert(abi.encodeWithSelector(FairDelegationRegistry.TooManyOffers.selector, 17));
        vm.prank(provider);
        registry.register{value: 1 ether}("http://p", payee, many);
    }

    function test_RevertWhen_AnOfferHasNoServiceOrNoPrice() public {
        vm.expectRevert(abi.encodeWithSelector(FairDelegationRegistry.BadService.selector, 0));
        vm.prank(provider);
        registry.register{value: 1 ether}("http://p", payee, _one("", 1));

        vm.expectRevert(abi.encodeWithSelector(FairDelegationRegistry.ZeroPrice.selector, 0));
        vm.prank(provider);
        registry.register{value: 1 ether}("http://p", payee, _one("train", 0));
    }

    function test_RevertWhen_TwoOffersNameTheSameServiceAndCurrency() public {
        FairDelegationRegistry.Offer[] memory o = _offers();
        o[1].token = address(0);
        vm.expectRevert(abi.encodeWithSelector(FairDelegationRegistry.DuplicateOffer.selector, 1));
        vm.prank(provider);
        registry.register{value: 1 ether}("http://p", payee, o);
    }

    // ---------- update, addStake ----------

    function test_Update_EmitsTheNewRecordAndKeepsTheStake() public {
        _register(1 ether);
        FairDelegationRegistry.Offer[] memory o = _one("classify-images", 3 ether);
        vm.expectEmit(true, true, true, true);
        emit ProviderUpdated(provider, "https://new.example", stranger, o);
        vm.prank(provider);
        registry.update("https://new.example", stranger, o);
        (uint256 stake,) = _state(provider);
        assertEq(stake, 1 ether, "stake unchanged");
        assertEq(address(registry).balance, 1 ether, "registry balance unchanged");
    }

    function test_RevertWhen_UpdateByAnUnregisteredIdentity() public {
        vm.expectRevert(abi.encodeWithSelector(FairDelegationRegistry.NotRegistered.selector, stranger));
        vm.prank(stranger);
        registry.update("http://p", payee, _offers());
    }

    function test_RevertWhen_UpdateWithBadOffers() public {
        _register(1 ether);
        vm.expectRevert(abi.encodeWithSelector(FairDelegationRegistry.ZeroPrice.selector, 0));
        vm.prank(provider);
        registry.update("http://p", payee, _one("train", 0));
    }

    function test_AddStake_AddsUpAndEmitsTheTotal() public {
        _register(1 ether);
        vm.expectEmit(true, true, true, true);
        emit StakeAdded(provider, 2 ether, 3 ether);
        vm.prank(provider);
        registry.addStake{value: 2 ether}();
        (uint256 stake,) = _state(provider);
        assertEq(stake, 3 ether, "stake");
        assertEq(address(registry).balance, 3 ether, "registry balance");
    }

    function test_RevertWhen_AddStakeWithNothingOrUnregistered() public {
        vm.expectRevert(abi.encodeWithSelector(FairDelegationRegistry.NotRegistered.selector, stranger));
        vm.prank(stranger);
        registry.addStake{value: 1 ether}();

        _register(1 ether);
        vm.expectRevert(FairDelegationRegistry.ZeroValue.selector);
        vm.prank(provider);
        registry.addStake();
    }

    // ---------- leave, withdraw ----------

    function test_Leave_StartsTheUnbondingDelay() public {
        _register(1 ether);
        vm.expectEmit(true, true, true, true);
        emit ProviderLeft(provider, block.timestamp + DELAY);
        vm.prank(provider);
        registry.deregister();
        (uint256 stake, uint256 unlocksAt) = _state(provider);
        assertEq(stake, 1 ether, "stake still locked");
        assertEq(unlocksAt, block.timestamp + DELAY, "unlocksAt");
        assertTrue(!registry.isRegistered(provider), "no longer serving");
    }

    function test_RevertWhen_LeaveTwiceOrUpdateOrAddStakeAfterLeaving() public {
        _register(1 ether);
        vm.startPrank(provider);
        registry.deregister();
        vm.expectRevert(abi.encodeWithSelector(FairDelegationRegistry.NotRegistered.selector, provider));
        registry.deregister();
        vm.expectRevert(abi.encodeWithSelector(FairDelegationRegistry.NotRegistered.selector, provider));
        registry.update("http://p", payee, _offers());
        vm.expectRevert(abi.encodeWithSelector(FairDelegationRegistry.NotRegistered.selector, provider));
        registry.addStake{value: 1 ether}();
        vm.stopPrank();
    }

    function test_RevertWhen_WithdrawWithoutLeaving() public {
        _register(1 ether);
        vm.expectRevert(abi.encodeWithSelector(FairDelegationRegistry.NotLeaving.selector, provider));
        vm.prank(provider);
        registry.withdraw();

        vm.expectRevert(abi.encodeWithSelector(FairDelegationRegistry.NotLeaving.selector, stranger));
        vm.prank(stranger);
        registry.withdraw();
    }

    function test_RevertWhen_WithdrawBeforeTheDelay() public {
        _register(1 ether);
        vm.prank(provider);
        registry.deregister();
        uint256 unlocksAt = block.timestamp + DELAY;
        vm.warp(unlocksAt - 1);
        vm.expectRevert(abi.encodeWithSelector(FairDelegationRegistry.StillBonded.selector, unlocksAt, unlocksAt - 1));
        vm.prank(provider);
        registry.withdraw();
        assertEq(address(registry).balance, 1 ether, "stake kept");
    }

    function test_Withdraw_AtTheDelay_PaysTheWholeStakeOnceAndForgets() public {
        _register(1 ether);
        vm.prank(provider);
        registry.addStake{value: 0.5 ether}();
        vm.prank(provider);
        registry.deregister();
        vm.warp(block.timestamp + DELAY);
        vm.expectEmit(true, true, true, true);
        emit StakeWithdrawn(provider, 1.5 ether);
        vm.prank(provider);
        registry.withdraw();
        assertEq(provider.balance, 100 ether, "provider got every wei back");
        assertEq(address(registry).balance, 0, "registry empty");
        (uint256 stake, uint256 unlocksAt) = _state(provider);
        assertEq(stake + unlocksAt, 0, "slot cleared");

        vm.expectRevert(abi.encodeWithSelector(FairDelegationRegistry.NotLeaving.selector, provider));
        vm.prank(provider);
        registry.withdraw();
    }

    function test_AStrangerCannotWithdrawSomeoneElsesStake() public {
        _register(1 ether);
        vm.prank(provider);
        registry.deregister();
        vm.warp(block.timestamp + DELAY);
        vm.expectRevert(abi.encodeWithSelector(FairDelegationRegistry.NotLeaving.selector, stranger));
        vm.prank(stranger);
        registry.withdraw();
        assertEq(address(registry).balance, 1 ether, "stake kept");
    }

    function test_Rejoin_WhileUnbonding_KeepsTheStakeAndStopsTheClock() public {
        _register(1 ether);
        vm.prank(provider);
        registry.deregister();
        vm.warp(block.timestamp + 1 days);
        // The kept stake already covers the minimum: rejoining needs no new ether.
        vm.expectEmit(true, true, true, true);
        emit ProviderRegistered(provider, "http://provider.example:8080", payee, _offers(), 1 ether);
        _register(0);
        (uint256 stake, uint256 unlocksAt) = _state(provider);
        assertEq(stake, 1 ether, "stake kept");
        assertEq(unlocksAt, 0, "unbonding stopped");
        vm.warp(block.timestamp + DELAY);
        vm.expectRevert(abi.encodeWithSelector(FairDelegationRegistry.NotLeaving.selector, provider));
        vm.prank(provider);
        registry.withdraw();
    }

    function test_Register_AgainAfterWithdraw_StartsAfresh() public {
        _register(1 ether);
        vm.prank(provider);
        registry.deregister();
        vm.warp(block.timestamp + DELAY);
        vm.prank(provider);
        registry.withdraw();
        vm.expectRevert(abi.encodeWithSelector(FairDelegationRegistry.StakeTooLow.selector, MIN_STAKE, 0));
        _register(0);
        _register(MIN_STAKE);
        (uint256 stake,) = _state(provider);
        assertEq(stake, MIN_STAKE, "fresh stake");
    }

    function test_RevertWhen_ProviderRefusesItsStake_NothingChanges() public {
        RefusingProvider p = new RefusingProvider();
        p.join{value: 1 ether}(registry, _offers());
        p.quit(registry);
        vm.warp(block.timestamp + DELAY);
        vm.expectRevert(abi.encodeWithSelector(FairDelegationRegistry.PaymentFailed.selector, address(p), 1 ether));
        p.withdraw(registry);
        (uint256 stake,) = _state(address(p));
        assertEq(stake, 1 ether, "stake still recorded");
        assertEq(address(registry).balance, 1 ether, "stake still held");
    }

    function test_Withdraw_ReentrantProviderIsPaidOnce() public {
        ReenteringProvider p = new ReenteringProvider(registry);
        p.join{value: 1 ether}(_offers());
        p.quit();
        vm.warp(block.timestamp + DELAY);
        p.withdraw();
        assertEq(p.calls(), 1, "receive ran once");
        assertEq(address(p).balance, 1 ether, "paid once");
        assertEq(address(registry).balance, 0, "registry empty");
        assertEq(
            keccak256(p.reentryError()),
            keccak256(abi.encodeWithSelector(FairDelegationRegistry.NotLeaving.selector, address(p))),
            "re-entry refused"
        );
    }

    function test_RevertWhen_DeployedWithADelayPastUint32() public {
        uint256 delay = uint256(type(uint32).max) + 1;
        vm.expectRevert(abi.encodeWithSelector(FairDelegationRegistry.DelayTooLong.selector, delay));
        new FairDelegationRegistry(MIN_STAKE, delay);
    }

    // ---------- stake accounting ----------

    /// @dev Whatever several providers lock, add, leave and withdraw, the registry holds exactly the sum of the
    /// stakes it records, and each provider ends with its ether back.
    function testFuzz_StakeAccounting(uint256 a, uint256 b, uint256 extra, bool bLeaves) public {
        a = bound(a, MIN_STAKE, 10 ether);
        b = bound(b, MIN_STAKE, 10 ether);
        extra = bound(extra, 1, 10 ether);
        address pa = address(0xA11CE);
        address pb = address(0xB0B);
        vm.deal(pa, 100 ether);
        vm.deal(pb, 100 ether);
        vm.prank(pa);
        registry.register{value: a}("http://a", pa, _offers());
        vm.prank(pb);
        registry.register{value: b}("http://b", pb, _offers());
        vm.prank(pa);
        registry.addStake{value: extra}();
        (uint256 sa,) = _state(pa);
        (uint256 sb,) = _state(pb);
        assertEq(address(registry).balance, sa + sb, "balance == sum of stakes");
        assertEq(sa, a + extra, "a's stake");

        vm.prank(pa);
        registry.deregister();
        if (bLeaves) {
            vm.prank(pb);
            registry.deregister();
        }
        vm.warp(block.timestamp + DELAY);
        vm.prank(pa);
        registry.withdraw();
        assertEq(pa.balance, 100 ether, "a whole again");
        (sb,) = _state(pb);
        assertEq(address(registry).balance, sb, "only b's stake left");
        if (bLeaves) {
            vm.prank(pb);
            registry.withdraw();
            assertEq(address(registry).balance, 0, "empty");
            assertEq(pb.balance, 100 ether, "b whole again");
        }
    }
}
