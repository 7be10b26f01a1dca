using System.Numerics;
using System.Security.Cryptography;
using FairDelegation.Chain.Accounts;
using FairDelegation.Chain.Escrow;
using FairDelegation.Chain.Rpc;
using FairDelegation.Chain.Transactions;
using FairDelegation.Testing;

namespace FairDelegation.Chain.Tests.Support;

/// <summary>What the anvil-backed tests share: a client of the fixture's anvil and funded fresh accounts.</summary>
public sealed class ChainTestContext : IDisposable
{
    public ChainTestContext(AnvilProcess anvil)
    {
        Anvil = anvil;
        Rpc = new EthRpcClient(anvil.RpcUrl);
        Nonces = new NonceManager(Rpc);
    }

    public AnvilProcess Anvil { get; }
    public EthRpcClient Rpc { get; }

    /// <summary>One nonce manager per process and account: shared by every sender of these tests.</summary>
    public NonceManager Nonces { get; }

    public static readonly BigInteger Ether = BigInteger.Pow(10, 18);

    /// <summary>A fresh account funded by anvil_setBalance (tests never share a sender, so they can run in any order).</summary>
    public async Task<TransactionSender> FundedSenderAsync(BigInteger? balance = null)
    {
        var account = EthAccount.Generate();
        await Rpc.SetBalanceAsync(account.Address, balance ?? 100 * Ether);
        return Sender(account);
    }

    public TransactionSender Sender(EthAccount account) =>
        new(Rpc, account, Nonces, new TransactionSenderOptions { PollInterval = TimeSpan.FromMilliseconds(20) });

    public async Task<EscrowContract> DeployEscrowAsync()
    {
        var (contract, _) = await EscrowContract.DeployAsync(await FundedSenderAsync());
        return contract;
    }

    public async Task<long> LatestTimestampAsync() => (await Rpc.GetBlockAsync("latest"))!.Timestamp;

    public static byte[] RandomBytes32() => RandomNumberGenerator.GetBytes(32);

    public void Dispose() => Rpc.Dispose();
}
