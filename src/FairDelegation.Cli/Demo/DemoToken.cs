using System.Numerics;
using FairDelegation.Chain.Crypto;
using FairDelegation.Chain.Rpc;
using FairDelegation.Chain.Transactions;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;
using Nethereum.Contracts.Standards.ERC20.ContractDefinition;

namespace FairDelegation.Cli.Demo;

/// <summary>
/// The demo's ERC-20 wage token: TestToken of contracts/test/TestTokens.sol (OpenZeppelin's ERC20 from npm, 18
/// decimals, an open mint), compiled by the build and embedded (FairDelegation.Cli.csproj).
/// </summary>
public static class DemoToken
{
    public const string Symbol = "FDT";

    public static async Task<EthereumAddress> DeployAsync(TransactionSender deployer, CancellationToken ct)
    {
        await using var s = typeof(DemoToken).Assembly.GetManifestResourceStream("TestToken.bin")
                            ?? throw new InvalidOperationException("embedded resource TestToken.bin is missing: the build compiles it with solcjs");
        using var r = new StreamReader(s);
        var receipt = await deployer.SendAndWaitAsync(new TransactionRequest(null, Hex.Decode((await r.ReadToEndAsync(ct)).Trim())) { Action = "deploy the demo token" }, ct);
        return receipt.ContractAddress ?? throw new CliException("the demo token was not deployed");
    }

    public static Task MintAsync(TransactionSender sender, EthereumAddress token, EthereumAddress to, BigInteger amount, CancellationToken ct) =>
        sender.SendAndWaitAsync(new TransactionRequest(token, new MintFunction { To = to.ToLowerHex(), Amount = amount }.GetCallData()) { Action = "mint demo tokens" }, ct);

    public static async Task<BigInteger> BalanceOfAsync(EthRpcClient rpc, EthereumAddress token, EthereumAddress owner, CancellationToken ct)
    {
        var output = await rpc.CallAsync(new CallRequest(null, token, new BalanceOfFunction { Owner = owner.ToLowerHex() }.GetCallData()), ct: ct);
        return new BigInteger(output.AsSpan(0, 32), isUnsigned: true, isBigEndian: true);
    }

    /// <summary>An amount of 18-decimal token units, as the demo prints ETH.</summary>
    public static string Format(BigInteger units) => DemoRun.Eth(units).Replace(" ETH", " " + Symbol, StringComparison.Ordinal);

    [Function("mint")]
    private sealed class MintFunction : FunctionMessage
    {
        [Parameter("address", "to", 1)] public string To { get; set; } = "";
        [Parameter("uint256", "amount", 2)] public BigInteger Amount { get; set; }
    }
}
