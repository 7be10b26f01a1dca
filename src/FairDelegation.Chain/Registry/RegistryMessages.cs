using System.Numerics;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;

namespace FairDelegation.Chain.Registry;

// Typed Nethereum bindings of contracts/FairDelegationRegistry.sol (docs/contract.md, "The registry"). The ABI the
// build compiles is the reference: RegistryBindingTests checks these against it and against cast.

/// <summary>FairDelegationRegistry.Offer.</summary>
public sealed class OfferStruct
{
    [Parameter("string", "service", 1)] public string Service { get; set; } = "";
    [Parameter("address", "token", 2)] public string Token { get; set; } = "0x0000000000000000000000000000000000000000";
    [Parameter("uint256", "price", 3)] public BigInteger Price { get; set; }
    [Parameter("uint8", "basis", 4)] public byte Basis { get; set; }
    [Parameter("uint64", "maxUnits", 5)] public ulong MaxUnits { get; set; }
    [Parameter("uint32", "maxConcurrent", 6)] public uint MaxConcurrent { get; set; }
}

/// <summary>register(string endpoint, address payee, Offer[] offers) payable; the stake is AmountToSend.</summary>
[Function("register")]
public sealed class RegisterFunction : FunctionMessage
{
    [Parameter("string", "endpoint", 1)] public string Endpoint { get; set; } = "";
    [Parameter("address", "payee", 2)] public string Payee { get; set; } = "";
    [Parameter("tuple[]", "offers", 3)] public List<OfferStruct> Offers { get; set; } = [];
}

/// <summary>update(string endpoint, address payee, Offer[] offers).</summary>
[Function("update")]
public sealed class UpdateFunction : FunctionMessage
{
    [Parameter("string", "endpoint", 1)] public string Endpoint { get; set; } = "";
    [Parameter("address", "payee", 2)] public string Payee { get; set; } = "";
    [Parameter("tuple[]", "offers", 3)] public List<OfferStruct> Offers { get; set; } = [];
}

/// <summary>addStake() payable.</summary>
[Function("addStake")]
public sealed class AddStakeFunction : FunctionMessage;

/// <summary>deregister(): stop serving; the stake unlocks after the unbonding delay.</summary>
[Function("deregister")]
public sealed class DeregisterFunction : FunctionMessage;

/// <summary>withdraw(): the whole stake back after the delay.</summary>
[Function("withdraw")]
public sealed class WithdrawFunction : FunctionMessage;

/// <summary>providers(address) view returns (uint128 stake, uint64 unlocksAt).</summary>
[Function("providers", typeof(ProviderStateOutput))]
public sealed class ProvidersFunction : FunctionMessage
{
    [Parameter("address", "provider", 1)] public string Provider { get; set; } = "";
}

[FunctionOutput]
public sealed class ProviderStateOutput : IFunctionOutputDTO
{
    [Parameter("uint128", "stake", 1)] public BigInteger Stake { get; set; }
    [Parameter("uint64", "unlocksAt", 2)] public ulong UnlocksAt { get; set; }
}

/// <summary>minStake() view returns (uint256).</summary>
[Function("minStake", "uint256")]
public sealed class MinStakeFunction : FunctionMessage;

/// <summary>unbondingDelay() view returns (uint256).</summary>
[Function("unbondingDelay", "uint256")]
public sealed class UnbondingDelayFunction : FunctionMessage;

/// <summary>The constructor: (uint256 minStake, uint256 unbondingDelay) after the build's creation bytecode.</summary>
public sealed class RegistryDeployment() : ContractDeploymentMessage(RegistryContract.CreationBytecode)
{
    [Parameter("uint256", "minStake_", 1)] public BigInteger MinStake { get; set; }
    [Parameter("uint256", "unbondingDelay_", 2)] public BigInteger UnbondingDelay { get; set; }
}

[Event("ProviderRegistered")]
public sealed class ProviderRegisteredEventDto : IEventDTO
{
    [Parameter("address", "provider", 1, true)] public string Provider { get; set; } = "";
    [Parameter("string", "endpoint", 2, false)] public string Endpoint { get; set; } = "";
    [Parameter("address", "payee", 3, false)] public string Payee { get; set; } = "";
    [Parameter("tuple[]", "offers", 4, false)] public List<OfferStruct> Offers { get; set; } = [];
    [Parameter("uint256", "stake", 5, false)] public BigInteger Stake { get; set; }
}

[Event("ProviderUpdated")]
public sealed class ProviderUpdatedEventDto : IEventDTO
{
    [Parameter("address", "provider", 1, true)] public string Provider { get; set; } = "";
    [Parameter("string", "endpoint", 2, false)] public string Endpoint { get; set; } = "";
    [Parameter("address", "payee", 3, false)] public string Payee { get; set; } = "";
    [Parameter("tuple[]", "offers", 4, false)] public List<OfferStruct> Offers { get; set; } = [];
}

[Event("StakeAdded")]
public sealed class StakeAddedEventDto : IEventDTO
{
    [Parameter("address", "provider", 1, true)] public string Provider { get; set; } = "";
    [Parameter("uint256", "amount", 2, false)] public BigInteger Amount { get; set; }
    [Parameter("uint256", "stake", 3, false)] public BigInteger Stake { get; set; }
}

[Event("ProviderLeft")]
public sealed class ProviderLeftEventDto : IEventDTO
{
    [Parameter("address", "provider", 1, true)] public string Provider { get; set; } = "";
    [Parameter("uint256", "unlocksAt", 2, false)] public BigInteger UnlocksAt { get; set; }
}

[Event("StakeWithdrawn")]
public sealed class StakeWithdrawnEventDto : IEventDTO
{
    [Parameter("address", "provider", 1, true)] public string Provider { get; set; } = "";
    [Parameter("uint256", "amount", 2, false)] public BigInteger Amount { get; set; }
}
