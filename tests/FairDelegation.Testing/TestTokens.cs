using System.Numerics;
using FairDelegation.Chain.Crypto;
using FairDelegation.Chain.Dev;
using FairDelegation.Chain.Rpc;
using FairDelegation.Chain.Transactions;

namespace FairDelegation.Testing;

/// <summary>
/// The tests' ERC-20: <see cref="DevToken"/> (TestToken of contracts/test/TestTokens.sol, OpenZeppelin's ERC20 from
/// npm with an open mint), compiled by FairDelegation.Chain's build, as the demo deploys it. The other tokens of
/// TestTokens.sol (no bool, false-returning, fee-on-transfer) are exercised by the forge tests.
/// </summary>
public static class TestTokens
{
    /// <summary>The token's creation code (0x-hex).</summary>
    public static Task<string> CreationCodeAsync() => Task.FromResult("0x" + Convert.ToHexStringLower(DevToken.CreationCode));

    /// <summary>Deploys a test token from <paramref name="deployer"/>; returns its address.</summary>
    public static Task<EthereumAddress> DeployAsync(TransactionSender deployer) => DevToken.DeployAsync(deployer);

    /// <summary>mint(to, amount) on a test token (open to anyone).</summary>
    public static Task MintAsync(TransactionSender sender, EthereumAddress token, EthereumAddress to, BigInteger amount) =>
        DevToken.MintAsync(sender, token, to, amount);

    /// <summary>balanceOf(owner).</summary>
    public static Task<BigInteger> BalanceOfAsync(EthRpcClient rpc, EthereumAddress token, EthereumAddress owner) =>
        DevToken.BalanceOfAsync(rpc, token, owner);
}
