using System.Numerics;
using FairDelegation.Chain.Accounts;
using FairDelegation.Chain.Escrow;
using FairDelegation.Chain.Rpc;
using FairDelegation.Chain.Transactions;
using FairDelegation.Testing;

namespace FairDelegation.Node.Tests.EndToEnd;

/// <summary>One anvil (automine) and one Azurite for the whole end-to-end collection, and the escrow deployed once.</summary>
public class ChainAndBlobsFixture : IAsyncLifetime
{
    public ChainAndBlobsFixture() : this(new AnvilProcess()) { }

    /// <summary>With a particular anvil (e.g. one that keeps its state across a restart).</summary>
    protected ChainAndBlobsFixture(AnvilProcess anvil) => Anvil = anvil;

    public AnvilProcess Anvil { get; }
    public AzuriteProcess Azurite { get; private set; } = null!;
    public EthRpcClient Rpc { get; private set; } = null!;
    public string EscrowAddress { get; private set; } = "";
    public long DeployBlock { get; private set; }

    public async Task InitializeAsync()
    {
        var anvil = Anvil.InitializeAsync();
        Azurite = await AzuriteProcess.StartAsync(queuesAndTables: true);
        await anvil;
        Rpc = new EthRpcClient(Anvil.RpcUrl);
        var deployer = new TransactionSender(Rpc, EthAccount.FromPrivateKey(AnvilProcess.DevPrivateKeys[0]));
        var (contract, deployment) = await EscrowContract.DeployAsync(deployer);
        EscrowAddress = contract.Address.ToLowerHex();
        DeployBlock = deployment.BlockNumber;
    }

    /// <summary>A fresh account holding <paramref name="ether"/> ETH (anvil_setBalance), so balance checks see only one test.</summary>
    public async Task<EthAccount> FundedAccountAsync(int ether = 10)
    {
        var account = EthAccount.Generate();
        await Rpc.SetBalanceAsync(account.Address, new BigInteger(ether) * BigInteger.Pow(10, 18));
        return account;
    }

    public virtual async Task DisposeAsync()
    {
        Rpc?.Dispose();
        if (Azurite is not null) await Azurite.DisposeAsync();
        await Anvil.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class EndToEndCollection : ICollectionFixture<ChainAndBlobsFixture>
{
    public const string Name = "end-to-end";
}
