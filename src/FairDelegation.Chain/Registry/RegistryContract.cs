using Nethereum.Contracts;

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

    /// <summary>
    /// Deploys the registry from <paramref name="deployer"/> (creation code + the two constructor arguments) and returns
    /// the mined receipt: its ContractAddress is the registry, its BlockNumber where a directory starts reading logs.
    /// </summary>
    public static async Task<FairDelegation.Chain.Rpc.TransactionReceipt> DeployAsync(FairDelegation.Chain.Transactions.TransactionSender deployer,
        System.Numerics.BigInteger minStake, System.Numerics.BigInteger unbondingDelaySeconds, CancellationToken ct = default)
    {
        object encoded = Deployment(minStake, unbondingDelaySeconds).GetDeploymentData(); // creation code + constructor arguments
        var data = encoded is string hex ? FairDelegation.Chain.Crypto.Hex.Decode(hex) : (byte[])encoded;
        return await deployer.SendAndWaitAsync(new FairDelegation.Chain.Transactions.TransactionRequest(null, data) { Abi = Errors, Action = "deploy registry" }, ct);
    }

    private static string ReadResource(string name)
    {
        using var s = typeof(RegistryContract).Assembly.GetManifestResourceStream(name)
                      ?? throw new InvalidOperationException($"embedded resource {name} is missing: the build compiles contracts/ with solcjs");
        using var r = new StreamReader(s);
        return r.ReadToEnd();
    }
}
