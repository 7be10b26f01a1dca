using System.Globalization;
using System.Numerics;
using FairDelegation.Chain.Accounts;
using FairDelegation.Chain.Crypto;
using FairDelegation.Workflows;
using Microsoft.DurableTask.Client;
using FairDelegation.Node.Customer;
using FairDelegation.Node.Model;
using FairDelegation.Protocol.Sla;
using FairDelegation.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace FairDelegation.Node.Tests.EndToEnd;

/// <summary>Builds node settings for the tests and runs delegations between a customer and a provider node.</summary>
public sealed class Delegations(ChainAndBlobsFixture chain) : IAsyncDisposable
{
    public static readonly BigInteger Wage = BigInteger.Parse("250000000000000000", CultureInfo.InvariantCulture); // 0.25 ETH

    private readonly List<string> _directories = [];

    /// <summary>
    /// The workflows' backend of the nodes this helper starts: sqlite (the default, a file in the node's data directory),
    /// or azure-storage on the fixture's Azurite, one task hub per node (kept across a restart).
    /// </summary>
    public string Backend { get; init; } = DurableBackend.Sqlite;
    private readonly List<TestNode> _nodes = [];

    public EthAccount CustomerWallet { get; private set; } = null!;
    public EthAccount ProviderWallet { get; private set; } = null!;

    /// <summary>The payee: a fresh address, so its balance moves only by the wage.</summary>
    public EthereumAddress Payee { get; } = EthAccount.Generate().Address;

    /// <summary>Settings of one node; <paramref name="overrides"/> win.</summary>
    public Dictionary<string, string?> Settings(string role, EthAccount wallet, IDictionary<string, string?>? overrides = null)
    {
        var dir = Directory.CreateTempSubdirectory($"fd-{role}-").FullName;
        _directories.Add(dir);
        var s = new Dictionary<string, string?>
        {
            ["FairDelegation:Role"] = role,
            ["FairDelegation:Name"] = role,
            ["FairDelegation:DataDirectory"] = dir,
            ["FairDelegation:Chain:RpcUrl"] = chain.Anvil.RpcUrl,
            ["FairDelegation:Chain:ChainId"] = "31337",
            ["FairDelegation:Chain:EscrowAddress"] = chain.EscrowAddress,
            ["FairDelegation:Chain:Confirmations"] = "1",
            ["FairDelegation:Chain:PollInterval"] = "00:00:00.200",
            ["FairDelegation:Chain:WatchFromBlock"] = chain.DeployBlock.ToString(CultureInfo.InvariantCulture),
            ["FairDelegation:Wallet:PrivateKey"] = Hex.Encode(wallet.ExportPrivateKey()),
            ["FairDelegation:Blobs:Kind"] = "AzureBlob",
            ["FairDelegation:Blobs:ConnectionString"] = chain.Azurite.ConnectionString,
            ["FairDelegation:Blobs:Container"] = $"{role}-{Guid.NewGuid():N}"[..30],
            ["FairDelegation:Timeouts:WorkDelivery"] = "00:00:30",
            ["FairDelegation:Timeouts:Request"] = "00:00:30",
            ["FairDelegation:Timeouts:EscrowOpen"] = "00:00:30",
            ["FairDelegation:Timeouts:Deadline"] = "00:10:00",
            ["FairDelegation:Timeouts:DeadlineMargin"] = "00:01:00",
            ["FairDelegation:Timeouts:DeadlineCheck"] = "00:00:01",
            ["FairDelegation:Timeouts:Confirmation"] = "00:00:30",
            ["FairDelegation:Provider:VerifierRetryBudget"] = "1",
            ["FairDelegation:Provider:Services:train-classifier:Kind"] = "train-classifier",
            ["FairDelegation:Provider:Services:train-classifier:WageWei"] = Wage.ToString(CultureInfo.InvariantCulture),
        };
        if (role == "provider") s["FairDelegation:Wallet:PayeeAddress"] = Payee.ToLowerHex();
        s["FairDelegation:Durable:Backend"] = Backend;
        // A killed node's locked work returns to its restarted self soon; but the framework renews a running activity's
        // lock only every 5 s, so a lock much shorter than ~10 s lets a long activity (a slow download, a step retrying
        // through an outage) be handed out a second time while it still runs (the "CheckStamp failed: Connection refused"
        // flake: a second CheckStamp fetched from a provider the test had stopped).
        s["FairDelegation:Durable:Sqlite:LockTimeout"] = "00:00:12";
        if (Backend == DurableBackend.AzureStorage)
        {
            s["FairDelegation:Durable:AzureStorage:ConnectionString"] = chain.Azurite.StorageConnectionString;
            s["FairDelegation:Durable:AzureStorage:TaskHubName"] = role + Guid.NewGuid().ToString("N")[..12];
            s["FairDelegation:Durable:AzureStorage:PartitionCount"] = "1";
            s["FairDelegation:Durable:AzureStorage:MaxQueuePollingInterval"] = "00:00:00.200";
            // A killed node's work comes back to its restarted self within seconds.
            s["FairDelegation:Durable:AzureStorage:VisibilityTimeout"] = "00:00:10";
            s["FairDelegation:Durable:AzureStorage:LeaseInterval"] = "00:00:06";
        }
        if (overrides is not null) foreach (var (k, v) in overrides) s[k] = v;
        return s;
    }

    public async Task<TestNode> StartProviderAsync(IDictionary<string, string?>? overrides = null, Action<IServiceCollection>? services = null)
    {
        ProviderWallet ??= await chain.FundedAccountAsync();
        var node = await TestNode.StartAsync(Settings("provider", ProviderWallet, overrides), services);
        _nodes.Add(node);
        return node;
    }

    /// <summary>A funded provider wallet (made on first use).</summary>
    public async Task<EthAccount> ProviderWalletAsync() => ProviderWallet ??= await chain.FundedAccountAsync();

    /// <summary>A funded customer wallet (made on first use).</summary>
    public async Task<EthAccount> CustomerWalletAsync() => CustomerWallet ??= await chain.FundedAccountAsync();

    public async Task<TestNode> StartCustomerAsync(IDictionary<string, string?>? overrides = null, Action<IServiceCollection>? services = null)
    {
        CustomerWallet ??= await chain.FundedAccountAsync();
        var node = await TestNode.StartAsync(Settings("customer", CustomerWallet, overrides), services);
        _nodes.Add(node);
        return node;
    }

    /// <summary>Starts a train-classifier delegation on the small dataset with an accuracy SLA; returns the customer instance id.</summary>
    public static async Task<string> StartTrainingAsync(TestNode customer, string providerUrl, double minAccuracy = 0.8, string service = "train-classifier",
        byte[]? input = null, string? sla = null)
    {
        var node = customer.Get<CustomerNode>();
        var stored = await node.StoreAsync(new MemoryStream(input ?? Datasets.Training), "input");
        var testSet = await node.StoreAsync(new MemoryStream(Datasets.TestSet), "test-set");
        return await node.StartAsync(new DelegationRequest
        {
            ProviderUrl = providerUrl,
            Service = service,
            InputBlob = stored.Name,
            Sla = sla ?? ClassifierAccuracySla.For(Datasets.TestSet, minAccuracy).ToJson(),
            Assets = sla is null ? new Dictionary<string, string> { ["test-set"] = testSet.Name } : new Dictionary<string, string>(),
            MaxWage = Wage,
        });
    }

    /// <summary>Waits for an orchestration to end and returns its outcome.</summary>
    public static async Task<DelegationOutcome> OutcomeAsync(TestNode node, string instanceId, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(90));
        var meta = await node.Get<DurableTaskClient>().WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, cts.Token);
        meta.RuntimeStatus.Should().Be(OrchestrationRuntimeStatus.Completed, $"the orchestration should end normally (failure: {meta.FailureDetails})");
        return meta.ReadOutputAs<DelegationOutcome>()!;
    }

    /// <summary>Waits until an orchestration shows a step whose name is <paramref name="stepName"/>.</summary>
    public static async Task WaitForStepAsync(TestNode node, string instanceId, string stepName, TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        OrchestrationMetadata? meta = null;
        while (DateTime.UtcNow < until)
        {
            meta = await node.Get<DurableTaskClient>().GetInstanceAsync(instanceId, getInputsAndOutputs: true);
            if (meta?.ReadCustomStatusAs<StepStatus>() is { } s && s.Name == stepName) return;
            if (meta is { IsCompleted: true }) throw new InvalidOperationException($"{instanceId} ended before reaching {stepName}: {meta.SerializedOutput} {meta.FailureDetails}");
            await Task.Delay(50);
        }
        throw new TimeoutException($"{instanceId} did not reach {stepName}; last status {meta?.SerializedCustomStatus}");
    }

    /// <summary>The provider's instance id for the customer's delegation, once the terms are fixed.</summary>
    public static async Task<string> ProviderInstanceAsync(TestNode customer, string customerInstance)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < until)
        {
            var meta = await customer.Get<DurableTaskClient>().GetInstanceAsync(customerInstance);
            if (meta?.ReadCustomStatusAs<StepStatus>() is { AgreementId: { } id }) return Provider.Quote.InstanceId(id);
            if (meta is { IsCompleted: true })
                throw new InvalidOperationException($"the customer ended without an agreement: {meta.SerializedOutput} {meta.FailureDetails}");
            await Task.Delay(50);
        }
        throw new TimeoutException("no agreement was fixed");
    }

    public static async Task<byte[]> ReadBlobAsync(TestNode node, string name)
    {
        await using var s = await node.Get<IBlobStore>().OpenReadAsync(name);
        using var ms = new MemoryStream();
        await s.CopyToAsync(ms);
        return ms.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var n in _nodes) await n.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var d in _directories)
        {
            try { Directory.Delete(d, recursive: true); } catch (IOException) { }
        }
    }
}
