namespace FairDelegation.Chain.Registry;

/// <summary>
/// FairDelegationRegistry as the build compiled it (contracts/tools/compile.js, embedded like the escrow): its creation
/// bytecode for `contract deploy` and the tests, and its ABI. The calls and events are the typed messages of
/// RegistryMessages.cs.
/// </summary>
public static class RegistryContract
{
    private static readonly Lazy<string> CreationCode = new(() => "0x" + ReadResource("FairDelegationRegistry.bin").Trim());
    private static readonly Lazy<string> AbiJson = new(() => ReadResource("FairDelegationRegistry.abi.json"));

    /// <summary>The creation bytecode (0x-hex) without constructor arguments.</summary>
    public static string CreationBytecode => CreationCode.Value;

    /// <summary>The ABI as solc wrote it.</summary>
    public static string Abi => AbiJson.Value;

    /// <summary>The registry's custom errors, to decode reverts (e.g. "StakeTooLow(minimum=…, stake=…)").</summary>
    public static FairDelegation.Chain.Abi.ContractErrors Errors { get; } = FairDelegation.Chain.Abi.ContractErrors.FromAbiJson(ReadResource("FairDelegationRegistry.abi.json"));

    /// <summary>A deployment message with the registry's two parameters.</summary>
    public static RegistryDeployment Deployment(System.Numerics.BigInteger minStake, System.Numerics.BigInteger unbondingDelaySeconds) =>
        new() { MinStake = minStake, UnbondingDelay = unbondingDelaySeconds };

    private static string ReadResource(string name)
    {
        using var s = typeof(RegistryContract).Assembly.GetManifestResourceStream(name)
                      ?? throw new InvalidOperationException($"embedded resource {name} is missing: the build compiles contracts/ with solcjs");
        using var r = new StreamReader(s);
        return r.ReadToEnd();
    }
}
