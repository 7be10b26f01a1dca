using System.Globalization;
using FairDelegation.Chain.Accounts;
using FairDelegation.Chain.Escrow;
using FairDelegation.Chain.Rpc;
using FairDelegation.Chain.Transactions;
using FairDelegation.Testing;
using System.Numerics;
using FairDelegation.Chain.Crypto;
using FairDelegation.Chain.Registry;
using FairDelegation.Node.Dashboard;
using FairDelegation.Protocol.Market;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Nethereum.Hex.HexTypes;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Web3;
using Nethereum.Web3.Accounts;

namespace FairDelegation.Dashboard.Tests;

/// <summary>
/// One anvil with the escrow; a customer node (the dashboard under test); a provider whose "gated-echo" service copies
/// its input once the test opens a gate file (so a test sees a delegation in flight for as long as it needs); and a
/// provider that never claims (it wants 59 s left of a 60 s escrow window), so the customer refunds after the deadline.
/// The market's registry holds the gated-echo provider (registered by dev account 4 as its identity, paid to the
/// provider's wallet); the customer node is configured with the registry (Market:RegistryAddress, as MarketTests
/// configure it), so its own market watcher feeds the dashboard's directory: no test-only wiring.
/// One headless chromium (Debian's, by its executable path) for every test.
/// </summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    public const string ApiKey = "dashboard-test-key-0123456789";

    private readonly List<string> _directories = [];
    public AnvilProcess Anvil { get; } = new();
    public EthRpcClient Rpc { get; private set; } = null!;
    public DashboardNode Customer { get; private set; } = null!;
    public DashboardNode Provider { get; private set; } = null!;
    public DashboardNode NeverClaims { get; private set; } = null!;
    public string Gates { get; private set; } = "";
    public string Registry { get; private set; } = "";
    public long RegistryBlock { get; private set; }
    public string EscrowAddress { get; private set; } = "";
    public static readonly BigInteger Stake = BigInteger.Pow(10, 17);
    public static string ProviderIdentity => AnvilProcess.DevAddresses[4].ToLowerInvariant();
    public IPlaywright Playwright { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where screenshots go: $FAIRDELEGATION_ARTIFACTS/dashboard (infra/test.sh sets it), else next to the tests.</summary>
    public static string Screenshots { get; } = Path.Combine(
        Environment.GetEnvironmentVariable("FAIRDELEGATION_ARTIFACTS") is { Length: > 0 } a ? a : Path.Combine(AppContext.BaseDirectory, "artifacts"), "dashboard");

    public async Task InitializeAsync()
    {
        System.IO.Directory.CreateDirectory(Screenshots);
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ChromiumPath(), Headless = true });

        await Anvil.InitializeAsync();
        Rpc = new EthRpcClient(Anvil.RpcUrl);
        var deployer = new TransactionSender(Rpc, EthAccount.FromPrivateKey(AnvilProcess.DevPrivateKeys[0]));
        var (contract, deployment) = await EscrowContract.DeployAsync(deployer);
        var escrow = contract.Address.ToLowerHex();
        Gates = Temp("gates");
        var market = new Web3(new Account(AnvilProcess.DevPrivateKeys[4], Anvil.ChainId), Anvil.RpcUrl);
        var registry = await market.Eth.GetContractDeploymentHandler<RegistryDeployment>()
            .SendRequestAndWaitForReceiptAsync(RegistryContract.Deployment(Stake, 3600));
        Registry = registry.ContractAddress;
        RegistryBlock = (long)registry.BlockNumber.Value;
        EscrowAddress = escrow;

        var provider = Settings("provider", AnvilProcess.DevPrivateKeys[1], escrow, deployment.BlockNumber);
        provider["FairDelegation:Provider:Services:gated-echo:Kind"] = "external-command";
        provider["FairDelegation:Provider:Services:gated-echo:WageWei"] = "1000";
        provider["FairDelegation:Provider:Services:gated-echo:Command"] = "sh";
        provider["FairDelegation:Provider:Services:gated-echo:Arguments:0"] = "-c";
        // The input's first line names the gate file; the work waits for it (at most 5 minutes), then copies the input.
        provider["FairDelegation:Provider:Services:gated-echo:Arguments:1"] =
            $"g=\"{Gates}/$(head -n1 \"$0\")\"; i=0; while [ ! -e \"$g\" ] && [ $i -lt 3000 ]; do sleep 0.1; i=$((i+1)); done; cp \"$0\" \"$1\"";
        provider["FairDelegation:Provider:Services:gated-echo:Arguments:2"] = "{input}";
        provider["FairDelegation:Provider:Services:gated-echo:Arguments:3"] = "{output}";
        Provider = await DashboardNode.StartAsync(provider);
        await market.Eth.GetContractTransactionHandler<RegisterFunction>().SendRequestAndWaitForReceiptAsync(Registry, new RegisterFunction
        {
            Endpoint = Provider.Url, Payee = AnvilProcess.DevAddresses[1], AmountToSend = Stake,
            Offers = RegistryLogs.ToStructs([new MarketOffer("gated-echo", EthereumAddress.Zero, 1000, PriceBasis.PerTask, 0, 4)]),
        });

        var never = Settings("provider", AnvilProcess.DevPrivateKeys[2], escrow, deployment.BlockNumber);
        never["FairDelegation:Timeouts:Deadline"] = "00:01:00";
        never["FairDelegation:Timeouts:WorkDelivery"] = "00:00:30";
        never["FairDelegation:Timeouts:DeadlineMargin"] = "00:00:59";
        never["FairDelegation:Provider:Services:slow-echo:Kind"] = "external-command";
        never["FairDelegation:Provider:Services:slow-echo:WageWei"] = "1000";
        never["FairDelegation:Provider:Services:slow-echo:Command"] = "sh";
        never["FairDelegation:Provider:Services:slow-echo:Arguments:0"] = "-c";
        never["FairDelegation:Provider:Services:slow-echo:Arguments:1"] = "sleep 2 && cp \"$0\" \"$1\"";
        never["FairDelegation:Provider:Services:slow-echo:Arguments:2"] = "{input}";
        never["FairDelegation:Provider:Services:slow-echo:Arguments:3"] = "{output}";
        NeverClaims = await DashboardNode.StartAsync(never);

        var customer = Settings("customer", AnvilProcess.DevPrivateKeys[3], escrow, deployment.BlockNumber);
        customer["FairDelegation:Timeouts:DeadlineMargin"] = "00:00:05";
        // The customer follows the registry as `fairdelegation node` does when configured with one.
        customer["FairDelegation:Market:RegistryAddress"] = Registry;
        customer["FairDelegation:Market:WatchFromBlock"] = ((long)registry.BlockNumber.Value).ToString(CultureInfo.InvariantCulture);
        Customer = await DashboardNode.StartAsync(customer);
    }

    /// <summary>Debian's chromium: /usr/lib/chromium/chromium (or /usr/bin/chromium); infra/ensure-chromium.sh installs it.</summary>
    public static string ChromiumPath() =>
        new[] { Environment.GetEnvironmentVariable("FAIRDELEGATION_CHROMIUM"), "/usr/lib/chromium/chromium", "/usr/bin/chromium" }
            .FirstOrDefault(p => !string.IsNullOrEmpty(p) && File.Exists(p))
        ?? throw new InvalidOperationException("chromium is not installed: run infra/ensure-chromium.sh (infra/test.sh does)");

    public string Temp(string what)
    {
        var dir = System.IO.Directory.CreateTempSubdirectory($"fd-dash-{what}-").FullName;
        _directories.Add(dir);
        return dir;
    }

    private Dictionary<string, string?> Settings(string role, string walletKey, string escrow, long deployBlock) => new()
    {
        ["FairDelegation:Role"] = role,
        ["FairDelegation:Name"] = role,
        ["FairDelegation:DataDirectory"] = Temp(role),
        ["FairDelegation:Chain:RpcUrl"] = Anvil.RpcUrl,
        ["FairDelegation:Chain:ChainId"] = "31337",
        ["FairDelegation:Chain:EscrowAddress"] = escrow,
        ["FairDelegation:Chain:Confirmations"] = "1",
        ["FairDelegation:Chain:PollInterval"] = "00:00:00.200",
        ["FairDelegation:Chain:WatchFromBlock"] = deployBlock.ToString(CultureInfo.InvariantCulture),
        ["FairDelegation:Wallet:PrivateKey"] = walletKey,
        ["FairDelegation:Timeouts:WorkDelivery"] = "00:05:00",
        ["FairDelegation:Timeouts:Request"] = "00:00:30",
        ["FairDelegation:Timeouts:EscrowOpen"] = "00:00:30",
        ["FairDelegation:Timeouts:Deadline"] = "00:10:00",
        ["FairDelegation:Timeouts:DeadlineMargin"] = "00:01:00",
        ["FairDelegation:Timeouts:DeadlineCheck"] = "00:00:01",
        ["FairDelegation:Api:ApiKey"] = ApiKey,
    };

    public async Task DisposeAsync()
    {
        // Pages are closed by each test before this: a server holding an open event stream would wait for it.
        if (Browser is not null) await Browser.CloseAsync();
        Playwright?.Dispose();
        foreach (var node in new[] { Customer, NeverClaims, Provider })
            if (node is not null) await node.DisposeAsync();
        Rpc?.Dispose();
        await Anvil.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var d in _directories)
        {
            try { System.IO.Directory.Delete(d, recursive: true); } catch (IOException) { }
        }
    }
}

[CollectionDefinition(Name)]
public sealed class DashboardCollection : ICollectionFixture<DashboardFixture>
{
    public const string Name = "dashboard";
}
