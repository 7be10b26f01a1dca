using System.Globalization;
using FairDelegation.Chain.Accounts;
using FairDelegation.Chain.Escrow;
using FairDelegation.Chain.Rpc;
using FairDelegation.Chain.Transactions;
using FairDelegation.Testing;

namespace FairDelegation.Api.Tests;

/// <summary>
/// One anvil (automine) with the escrow deployed; a provider node and a customer node on Kestrel (real HTTP); and a
/// second customer node on ASP.NET Core's test server. Shared by every API test.
/// </summary>
public sealed class ApiFixture : IAsyncLifetime
{
    public const string ApiKey = "test-api-key-0123456789";
    public const string Wage = "250000000000000000";
    public const long MaxRequestBytes = 256 * 1024;

    private readonly List<string> _directories = [];
    public AnvilProcess Anvil { get; } = new();
    public string EscrowAddress { get; private set; } = "";
    public long DeployBlock { get; private set; }
    public ApiNode Provider { get; private set; } = null!;
    public ApiNode Customer { get; private set; } = null!;
    public ApiNode TestHostCustomer { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Anvil.InitializeAsync();
        using var rpc = new EthRpcClient(Anvil.RpcUrl);
        var deployer = new TransactionSender(rpc, EthAccount.FromPrivateKey(AnvilProcess.DevPrivateKeys[0]));
        var (contract, deployment) = await EscrowContract.DeployAsync(deployer);
        EscrowAddress = contract.Address.ToLowerHex();
        DeployBlock = deployment.BlockNumber;
        Provider = await ApiNode.StartAsync(Settings("provider", AnvilProcess.DevPrivateKeys[1]), testServer: false);
        Customer = await ApiNode.StartAsync(Settings("customer", AnvilProcess.DevPrivateKeys[2]), testServer: false);
        TestHostCustomer = await ApiNode.StartAsync(Settings("customer", AnvilProcess.DevPrivateKeys[3]), testServer: true);
    }

    /// <summary>A customer on the test server whose chain RPC does not answer (readiness must say so).</summary>
    public async Task<ApiNode> StartNodeWithoutChainAsync()
    {
        var settings = Settings("customer", AnvilProcess.DevPrivateKeys[5]);
        settings["FairDelegation:Chain:RpcUrl"] = "http://127.0.0.1:9";
        return await ApiNode.StartAsync(settings, testServer: true);
    }

    /// <summary>A node of <paramref name="role"/> with its own wallet key and the given overrides (keys without "FairDelegation:").</summary>
    public async Task<ApiNode> StartNodeAsync(string role, string walletKey, bool testServer, params (string Key, string Value)[] settings)
    {
        var all = Settings(role, walletKey);
        foreach (var (key, value) in settings) all["FairDelegation:" + key] = value;
        return await ApiNode.StartAsync(all, testServer);
    }

    /// <summary>
    /// A second provider on Kestrel (its own wallet) offering "slow-echo": the input copied after 3 s, for any wage.
    /// <paramref name="settings"/> override the defaults.
    /// </summary>
    public async Task<ApiNode> StartSlowEchoProviderAsync(params (string Key, string Value)[] settings)
    {
        var all = Settings("provider", AnvilProcess.DevPrivateKeys[6]);
        all["FairDelegation:Provider:Services:slow-echo:Kind"] = "external-command";
        all["FairDelegation:Provider:Services:slow-echo:WageWei"] = "1000";
        all["FairDelegation:Provider:Services:slow-echo:Command"] = "sh";
        all["FairDelegation:Provider:Services:slow-echo:Arguments:0"] = "-c";
        all["FairDelegation:Provider:Services:slow-echo:Arguments:1"] = "sleep 3 && cp \"$0\" \"$1\"";
        all["FairDelegation:Provider:Services:slow-echo:Arguments:2"] = "{input}";
        all["FairDelegation:Provider:Services:slow-echo:Arguments:3"] = "{output}";
        foreach (var (key, value) in settings) all["FairDelegation:" + key] = value;
        return await ApiNode.StartAsync(all, testServer: false);
    }

    private Dictionary<string, string?> Settings(string role, string walletKey)
    {
        var dir = Directory.CreateTempSubdirectory($"fd-api-{role}-").FullName;
        _directories.Add(dir);
        return new Dictionary<string, string?>
        {
            ["FairDelegation:Role"] = role,
            ["FairDelegation:Name"] = role,
            ["FairDelegation:DataDirectory"] = dir,
            ["FairDelegation:Chain:RpcUrl"] = Anvil.RpcUrl,
            ["FairDelegation:Chain:ChainId"] = "31337",
            ["FairDelegation:Chain:EscrowAddress"] = EscrowAddress,
            ["FairDelegation:Chain:Confirmations"] = "1",
            ["FairDelegation:Chain:PollInterval"] = "00:00:00.200",
            ["FairDelegation:Chain:WatchFromBlock"] = DeployBlock.ToString(CultureInfo.InvariantCulture),
            ["FairDelegation:Wallet:PrivateKey"] = walletKey,
            ["FairDelegation:Timeouts:WorkDelivery"] = "00:00:30",
            ["FairDelegation:Timeouts:Request"] = "00:00:30",
            ["FairDelegation:Timeouts:EscrowOpen"] = "00:00:30",
            ["FairDelegation:Timeouts:Deadline"] = "00:10:00",
            ["FairDelegation:Timeouts:DeadlineMargin"] = "00:01:00",
            ["FairDelegation:Timeouts:DeadlineCheck"] = "00:00:01",
            ["FairDelegation:Provider:Services:train-classifier:Kind"] = "train-classifier",
            ["FairDelegation:Provider:Services:train-classifier:WageWei"] = Wage,
            ["FairDelegation:Api:ApiKey"] = ApiKey,
            ["FairDelegation:Api:MaxRequestBytes"] = MaxRequestBytes.ToString(CultureInfo.InvariantCulture),
        };
    }

    public async Task DisposeAsync()
    {
        foreach (var node in new[] { TestHostCustomer, Customer, Provider })
            if (node is not null) await node.DisposeAsync();
        await Anvil.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var d in _directories)
        {
            try { Directory.Delete(d, recursive: true); } catch (IOException) { }
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<ApiFixture>
{
    public const string Name = "api";
}
