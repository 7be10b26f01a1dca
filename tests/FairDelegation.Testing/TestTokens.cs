using FairDelegation.Chain.Crypto;
using FairDelegation.Chain.Transactions;

namespace FairDelegation.Testing;

/// <summary>
/// The test tokens of contracts/test/TestTokens.sol (OpenZeppelin's ERC20 from npm, with an open mint), compiled with
/// the build's compile.js on first use and deployed by a test.
/// </summary>
public static class TestTokens
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly Dictionary<string, string> Compiled = [];

    /// <summary>The creation code (0x-hex) of a contract in TestTokens.sol ("TestToken", "NoBoolToken", ...).</summary>
    public static async Task<string> CreationCodeAsync(string contract = "TestToken")
    {
        await Gate.WaitAsync();
        try
        {
            if (Compiled.TryGetValue(contract, out var code)) return code;
            var dir = Directory.CreateTempSubdirectory("fd-token-");
            try
            {
                (await ProcessRunner.RunAsync("node", [Path.Combine(RepoPaths.Root, "contracts", "tools", "compile.js"),
                    Path.Combine(RepoPaths.Root, "contracts", "test", "TestTokens.sol"), dir.FullName, contract], timeout: TimeSpan.FromMinutes(3)))
                    .EnsureSuccess();
                return Compiled[contract] = "0x" + (await File.ReadAllTextAsync(Path.Combine(dir.FullName, contract + ".bin"))).Trim();
            }
            finally
            {
                dir.Delete(recursive: true);
            }
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Deploys a test token from <paramref name="deployer"/>; returns its address.</summary>
    public static async Task<EthereumAddress> DeployAsync(TransactionSender deployer, string contract = "TestToken")
    {
        var receipt = await deployer.SendAndWaitAsync(new TransactionRequest(null, Hex.Decode(await CreationCodeAsync(contract))) { Action = "deploy " + contract });
        return receipt.ContractAddress ?? throw new InvalidOperationException($"{contract} was not deployed");
    }

    /// <summary>mint(to, amount) on a test token (open to anyone).</summary>
    public static Task MintAsync(TransactionSender sender, EthereumAddress token, EthereumAddress to, System.Numerics.BigInteger amount) =>
        sender.SendAndWaitAsync(new TransactionRequest(token, MintCallData(to, amount)) { Action = "mint" });

    /// <summary>balanceOf(owner).</summary>
    public static async Task<System.Numerics.BigInteger> BalanceOfAsync(Chain.Rpc.EthRpcClient rpc, EthereumAddress token, EthereumAddress owner)
    {
        var data = new byte[4 + 32];
        Chain.Crypto.Keccak256.HashUtf8("balanceOf(address)").AsSpan(0, 4).CopyTo(data);
        owner.Bytes.CopyTo(data.AsSpan(4 + 12));
        var output = await rpc.CallAsync(new Chain.Rpc.CallRequest(null, token, data));
        return new System.Numerics.BigInteger(output.AsSpan(0, 32), isUnsigned: true, isBigEndian: true);
    }

    private static byte[] MintCallData(EthereumAddress to, System.Numerics.BigInteger amount)
    {
        var data = new byte[4 + 64];
        Chain.Crypto.Keccak256.HashUtf8("mint(address,uint256)").AsSpan(0, 4).CopyTo(data);
        to.Bytes.CopyTo(data.AsSpan(4 + 12));
        Chain.Crypto.Secp256k1.WriteUInt256(amount, data.AsSpan(4 + 32, 32));
        return data;
    }
}
