using FairDelegation.Chain.Registry;
using FairDelegation.Chain.Tests.Crypto;
using Nethereum.Contracts;

namespace FairDelegation.Chain.Tests.Registry;

/// <summary>The registry's Nethereum typed messages against the ABI solc emits and against cast.</summary>
public class RegistryAbiTests
{
    private static string Selector<T>() where T : FunctionMessage, new() => Convert.ToHexStringLower(new T().GetCallData()[..4]);

    [Fact]
    public void Every_function_and_event_of_the_compiled_abi_has_a_typed_binding_with_its_signature()
    {
        var messages = new Dictionary<string, string>
        {
            ["register"] = Selector<RegisterFunction>(), ["update"] = Selector<UpdateFunction>(), ["addStake"] = Selector<AddStakeFunction>(),
            ["deregister"] = Selector<DeregisterFunction>(), ["withdraw"] = Selector<WithdrawFunction>(),
            ["providers"] = Selector<ProvidersFunction>(), ["minStake"] = Selector<MinStakeFunction>(),
            ["unbondingDelay"] = Selector<UnbondingDelayFunction>(),
        };
        var abi = Nethereum.ABI.ABIDeserialisation.ABIDeserialiserFactory.DeserialiseContractABI(RegistryContract.Abi);
        // The MAX_* bounds and isRegistered are for people reading the contract; the node reads the events and providers().
        foreach (var f in abi.Functions.Where(f => !f.Name.StartsWith("MAX_", StringComparison.Ordinal) && f.Name != "isRegistered"))
        {
            messages.Should().ContainKey(f.Name);
            messages[f.Name].Should().Be(f.Sha3Signature.ToLowerInvariant(), $"{f.Name}'s typed message has the compiled selector");
        }
        var events = new Dictionary<string, string>
        {
            ["ProviderRegistered"] = ABITypedRegistry.GetEvent<ProviderRegisteredEventDto>().Sha3Signature,
            ["ProviderUpdated"] = ABITypedRegistry.GetEvent<ProviderUpdatedEventDto>().Sha3Signature,
            ["StakeAdded"] = ABITypedRegistry.GetEvent<StakeAddedEventDto>().Sha3Signature,
            ["ProviderLeft"] = ABITypedRegistry.GetEvent<ProviderLeftEventDto>().Sha3Signature,
            ["StakeWithdrawn"] = ABITypedRegistry.GetEvent<StakeWithdrawnEventDto>().Sha3Signature,
        };
        abi.Events.Select(e => e.Name).Should().BeEquivalentTo(events.Keys);
        foreach (var e in abi.Events) events[e.Name].ToLowerInvariant().Should().Be(e.Sha3Signature.ToLowerInvariant());
    }

    [Fact]
    public async Task Event_topics_equal_cast_keccak_of_their_signatures()
    {
        const string offer = "(string,address,uint256,uint8,uint64,uint32)[]";
        ABITypedRegistry.GetEvent<ProviderRegisteredEventDto>().Sha3Signature.ToLowerInvariant()
            .Should().Be((await Cast.RunAsync("keccak", $"ProviderRegistered(address,string,address,{offer},uint256)"))[2..]);
        ABITypedRegistry.GetEvent<ProviderUpdatedEventDto>().Sha3Signature.ToLowerInvariant()
            .Should().Be((await Cast.RunAsync("keccak", $"ProviderUpdated(address,string,address,{offer})"))[2..]);
    }
}
