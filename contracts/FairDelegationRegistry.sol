// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title FairDelegationRegistry
/// @notice The market's directory (the second seed, "a path towards secure and equitable resource markets"):
/// anyone may join to serve. A provider registers its node identity (msg.sender), the URL of its node, the payee
/// its wages go to and its offers (service, price, currency, limits), and locks a stake while it serves and for an
/// unbonding delay after it leaves. The stake is the seed's collateral: a Sybil cost per identity and what gives a
/// reputation (computed off chain from the escrow's events) its weight.
/// @dev A singleton with no owner, no upgrade path, no admin function, no slashing (no party could judge a
/// slash without a trusted third party; the escrow already pays only for a revealed work key). Storage holds
/// only what the contract enforces (the stake and when it unlocks); the events carry every field, so any node
/// rebuilds the directory from logs. The minimum stake and the unbonding delay are fixed at deployment.
contract FairDelegationRegistry {
    /// @notice How an offer's price is counted.
    enum Basis {
        PerTask, // price is the wage of one delegation, whatever its size
        PerUnit // price is per unit of work (the unit is the service's, e.g. one training epoch)
    }

    /// @notice One service a provider sells.
    /// @param service the service's name, e.g. "train-linear-model" (1..64 bytes)
    /// @param token the currency: address(0) for ETH, else an ERC-20 token address
    /// @param price wei or token base units, per task or per unit (see basis); never 0
    /// @param basis PerTask or PerUnit
    /// @param maxUnits the most units one delegation may ask for (0: no limit)
    /// @param maxConcurrent the most delegations the provider runs at once (0: no limit)
    struct Offer {
        string service;
        address token;
        uint256 price;
        Basis basis;
        uint64 maxUnits;
        uint32 maxConcurrent;
    }

    /// @notice A registered provider's on-chain state (one slot). stake == 0 means unknown or withdrawn.
    /// @param stake locked wei
    /// @param unlocksAt 0 while registered; once left, the unix time from which withdraw pays the stake back
    struct Provider {
        uint128 stake;
        uint64 unlocksAt;
    }

    uint256 public constant MAX_OFFERS = 16;
    uint256 public constant MAX_ENDPOINT_BYTES = 256;
    uint256 public constant MAX_SERVICE_BYTES = 64;

    /// @notice The least stake a registration locks.
    uint256 public immutable minStake;
    /// @notice Seconds between deregister and the earliest withdraw: long enough for customers to see the departure
    /// and for the provider's last escrows to end (a stake that could leave at once would weigh nothing).
    uint256 public immutable unbondingDelay;

    mapping(address provider => Provider) public providers;

    /// @notice A provider joined (or rejoined while unbonding): its whole record and its stake after the call.
    event ProviderRegistered(address indexed provider, string endpoint, address payee, Offer[] offers, uint256 stake);
    /// @notice A registered provider replaced its endpoint, payee and offers (the whole record again).
    event ProviderUpdated(address indexed provider, string endpoint, address payee, Offer[] offers);
    /// @notice More stake locked by a registered provider; stake is the total after the call.
    event StakeAdded(address indexed provider, uint256 amount, uint256 stake);
    /// @notice The provider stopped serving; its stake unlocks at unlocksAt.
    event ProviderLeft(address indexed provider, uint256 unlocksAt);
    /// @notice The stake went back to the provider after the delay; the provider is forgotten.
    event StakeWithdrawn(address indexed provider, uint256 amount);

    error StakeTooLow(uint256 minimum, uint256 stake);
    error StakeTooHigh();
    error AlreadyRegistered(address provider);
    error NotRegistered(address provider);
    error NotLeaving(address provider);
    error StillBonded(uint256 unlocksAt, uint256 nowTimestamp);
    error ZeroPayee();
    error BadEndpoint();
    error NoOffers();
    error TooManyOffers(uint256 count);
    error BadService(uint256 index);
    error ZeroPrice(uint256 index);
    error DuplicateOffer(uint256 index);
    error ZeroValue();
    error PaymentFailed(address to, uint256 amount);

    error DelayTooLong(uint256 delay);

    constructor(uint256 minStake_, uint256 unbondingDelay_) {
        // unlocksAt is a uint64: a delay past ~136 years (uint32) would only ever lock a stake for good.
        if (unbondingDelay_ > type(uint32).max) revert DelayTooLong(unbondingDelay_);
        minStake = minStake_;
        unbondingDelay = unbondingDelay_;
    }

    /// @notice Join the market (msg.sender is the node identity), locking msg.value. A provider that left and has
    /// not withdrawn yet may register again: the unbonding stops and msg.value adds to the stake it kept.
    function register(string calldata endpoint, address payee, Offer[] calldata offers) external payable {
        Provider memory p = providers[msg.sender];
        if (p.stake != 0 && p.unlocksAt == 0) revert AlreadyRegistered(msg.sender);
        _check(endpoint, payee, offers);
        uint256 stake = p.stake + msg.value;
        if (stake < minStake || stake == 0) revert StakeTooLow(minStake, stake);
        if (stake > type(uint128).max) revert StakeTooHigh();
        providers[msg.sender] = Provider(uint128(stake), 0);
        emit ProviderRegistered(msg.sender, endpoint, payee, offers, stake);
    }

    /// @notice Replace the endpoint, payee and offers of a registered provider (its stake stays locked).
    function update(string calldata endpoint, address payee, Offer[] calldata offers) external {
        _requireRegistered();
        _check(endpoint, payee, offers);
        emit ProviderUpdated(msg.sender, endpoint, payee, offers);
    }

    /// @notice Lock more stake (a heavier stake weighs more in the customers' matching score).
    function addStake() external payable {
        Provider memory p = _requireRegistered();
        if (msg.value == 0) revert ZeroValue();
        uint256 stake = p.stake + msg.value;
        if (stake > type(uint128).max) revert StakeTooHigh();
        providers[msg.sender].stake = uint128(stake);
        emit StakeAdded(msg.sender, msg.value, stake);
    }

    /// @notice Stop serving. The stake stays locked for unbondingDelay seconds (the issue's "leave": `leave` is reserved in Solidity).
    function deregister() external {
        _requireRegistered();
        uint256 unlocksAt = block.timestamp + unbondingDelay;
        providers[msg.sender].unlocksAt = uint64(unlocksAt);
        emit ProviderLeft(msg.sender, unlocksAt);
    }

    /// @notice After the delay, the whole stake goes back to the provider (msg.sender), which is forgotten.
    function withdraw() external {
        Provider memory p = providers[msg.sender];
        if (p.stake == 0 || p.unlocksAt == 0) revert NotLeaving(msg.sender);
        if (block.timestamp < p.unlocksAt) revert StillBonded(p.unlocksAt, block.timestamp);
        delete providers[msg.sender];
        emit StakeWithdrawn(msg.sender, p.stake);
        // Checks-effects-interactions: the slot is already cleared, so a re-entering withdraw finds nothing.
        (bool ok,) = msg.sender.call{value: p.stake}("");
        if (!ok) revert PaymentFailed(msg.sender, p.stake);
    }

    /// @notice True while `provider` is registered and has not left.
    function isRegistered(address provider) external view returns (bool) {
        Provider memory p = providers[provider];
        return p.stake != 0 && p.unlocksAt == 0;
    }

    function _requireRegistered() private view returns (Provider memory p) {
        p = providers[msg.sender];
        if (p.stake == 0 || p.unlocksAt != 0) revert NotRegistered(msg.sender);
    }

    /// @dev Bounds keep every record readable by a node in one log (and its gas paid by the provider).
    function _check(string calldata endpoint, address payee, Offer[] calldata offers) private pure {
        if (payee == address(0)) revert ZeroPayee();
        if (bytes(endpoint).length == 0 || bytes(endpoint).length > MAX_ENDPOINT_BYTES) revert BadEndpoint();
        if (offers.length == 0) revert NoOffers();
        if (offers.length > MAX_OFFERS) revert TooManyOffers(offers.length);
        for (uint256 i; i < offers.length; ++i) {
            Offer calldata o = offers[i];
            uint256 len = bytes(o.service).length;
            if (len == 0 || len > MAX_SERVICE_BYTES) revert BadService(i);
            if (o.price == 0) revert ZeroPrice(i);
            // One price per (service, currency): a customer must not have to guess which of two applies.
            bytes32 key = keccak256(abi.encode(o.service, o.token));
            for (uint256 j; j < i; ++j) {
                if (keccak256(abi.encode(offers[j].service, offers[j].token)) == key) revert DuplicateOffer(i);
            }
        }
    }
}
