using System.Numerics;
using FairDelegation.Chain.Crypto;
using FairDelegation.Chain.Rpc;
using FairDelegation.Chain.Transactions;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;
using Nethereum.Contracts.Standards.ERC20.ContractDefinition;

namespace FairDelegation.Chain.Dev;

/// <summary>
/// An ERC-20 for local chains: TestToken of contracts/test/TestTokens.sol (OpenZeppelin's ERC20 from npm, 18 decimals,
/// a mint open to anyone), compiled by the build and embedded (FairDelegation.Chain.csproj). `demo market --token` and
/// the tests deploy it on anvil; never meant for a real chain.
/// </summary>
public static class DevToken
{
    /// <summary>The creation code.</summary>
    public static byte[] CreationCode { get; } = Hex.Decode(ReadResource("TestToken.bin").Trim());

    /// <summary>Deploys a fresh token from <paramref name="deployer"/>; returns its address.</summary>
    public static async Task<EthereumAddress> DeployAsync(TransactionSender deployer, CancellationToken ct = default)
    {
        var receipt = await deployer.SendAndWaitAsync(new TransactionRequest(null, CreationCode) { Action = "deploy the dev token" }, ct);
        return receipt.ContractAddress ?? throw new InvalidOperationException("the dev token was not deployed");
    }

    /// <summary>mint(to, amount): open to anyone on this token.</summary>
    public static Task MintAsync(TransactionSender sender, EthereumAddress token, EthereumAddress to, BigInteger amount, CancellationToken ct = default) =>
        sender.SendAndWaitAsync(new TransactionRequest(token, new MintFunction { To = to.ToLowerHex(), Amount = amount }.GetCallData()) { Action = "mint" }, ct);

    /// <summary>balanceOf(owner) of any ERC-20.</summary>
    public static async Task<BigInteger> BalanceOfAsync(EthRpcClient rpc, EthereumAddress token, EthereumAddress owner, CancellationToken ct = default)
    {
        var output = await rpc.CallAsync(new CallRequest(null, token, new BalanceOfFunction { Owner = owner.ToLowerHex() }.GetCallData()), ct: ct);
        return new BigInteger(output.AsSpan(0, 32), isUnsigned: true, isBigEndian: true);
    }

    private static string ReadResource(string name)
    {
        using var s = typeof(DevToken).Assembly.GetManifestResourceStream(name)
                      ?? throw new InvalidOperationException($"embedded resource {name} is missing: the build compiles contracts/ with solcjs");
        using var r = new StreamReader(s);
        return r.ReadToEnd();
    }

    [Function("mint")]
    private sealed class MintFunction : FunctionMessage
    {
        [Parameter("address", "to", 1)] public string To { get; set; } = "";
        [Parameter("uint256", "amount", 2)] public BigInteger Amount { get; set; }
    }
}
