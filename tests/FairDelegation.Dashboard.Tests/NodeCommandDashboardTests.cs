using System.Globalization;
using System.Net.Http.Json;
using System.Numerics;
using FairDelegation.Chain.Crypto;
using FairDelegation.Chain.Rpc;
using FairDelegation.Node.Market;
using FairDelegation.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace FairDelegation.Dashboard.Tests;

/// <summary>
/// The dashboard of nodes started by `fairdelegation node` (the CLI, as processes) in the market: a provider node that
/// registers itself in the registry, and a customer node configured with the registry and nothing else, whose
/// provider page lists it from its own market watcher.
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class NodeCommandDashboardTests(DashboardFixture fixture) : IAsyncLifetime
{
    private readonly List<ExternalProcess> _processes = [];

    private static string CliDll
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
            var dll = Path.Combine(RepoPaths.Root, "src", "FairDelegation.Cli", "bin", configuration, "net10.0", "fairdelegation.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException("build src/FairDelegation.Cli first", dll);
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var p in _processes) await p.DisposeAsync();
    }

    /// <summary>`fairdelegation node --role … --urls … --data-dir …` with --set overrides; the wallet's key by environment.</summary>
    private async Task<(ExternalProcess Process, string Url)> StartNodeAsync(string role, string walletKey, params string[] sets)
    {
        var port = FreePort.Next();
        var url = $"http://127.0.0.1:{port}";
        string[] common =
        [
            $"FairDelegation:Chain:RpcUrl={fixture.Anvil.RpcUrl}",
            "FairDelegation:Chain:ChainId=31337",
            $"FairDelegation:Chain:EscrowAddress={fixture.EscrowAddress}",
            "FairDelegation:Chain:Confirmations=1",
            "FairDelegation:Chain:PollInterval=00:00:00.200",
            $"FairDelegation:Chain:WatchFromBlock={fixture.RegistryBlock.ToString(CultureInfo.InvariantCulture)}",
            "FairDelegation:Wallet:PrivateKeyEnvironmentVariable=FD_TEST_WALLET",
            $"FairDelegation:Api:ApiKey={DashboardFixture.ApiKey}",
            $"FairDelegation:Market:RegistryAddress={fixture.Registry}",
            $"FairDelegation:Market:WatchFromBlock={fixture.RegistryBlock.ToString(CultureInfo.InvariantCulture)}",
        ];
        var args = new List<string> { CliDll, "node", "--role", role, "--urls", url, "--data-dir", fixture.Temp("cli-" + role) };
        foreach (var s in common.Concat(sets)) args.AddRange(["--set", s]);
        var process = ExternalProcess.Start("dotnet", args, environment: new Dictionary<string, string>
        {
            ["FD_TEST_WALLET"] = walletKey, ["Logging__LogLevel__Default"] = "Warning",
        });
        _processes.Add(process);
        await FreePort.WaitUntilListeningAsync(port, TimeSpan.FromSeconds(90), () => process.Output);
        return (process, url);
    }

    [Fact]
    public async Task A_customer_node_configured_with_a_registry_lists_a_provider_that_registered_itself()
    {
        // The provider registers itself (Market:Register) from its identity, which pays the stake and the gas.
        var provider = await StartNodeAsync("provider", AnvilProcess.DevPrivateKeys[5],
            "FairDelegation:Market:Register=true",
            $"FairDelegation:Market:StakeWei={DashboardFixture.Stake.ToString(CultureInfo.InvariantCulture)}",
            "FairDelegation:Provider:Services:copy:Kind=external-command",
            "FairDelegation:Provider:Services:copy:Command=/bin/cp",
            "FairDelegation:Provider:Services:copy:Arguments:0={input}",
            "FairDelegation:Provider:Services:copy:Arguments:1={output}",
            "FairDelegation:Provider:Services:copy:WageWei=2500");
        using var http = new HttpClient();
        var identityDoc = await http.GetFromJsonAsync<System.Text.Json.JsonElement>(provider.Url + "/api/peer/identity");
        var identity = EthereumAddress.Parse(identityDoc.GetProperty("address").GetString()!);
        await fixture.Rpc.SetBalanceAsync(identity, BigInteger.Pow(10, 18));
        var reader = new MarketReader(fixture.Rpc, EthereumAddress.Parse(fixture.Registry), EthereumAddress.Parse(fixture.EscrowAddress));
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (!(await reader.ReadAsync(fixture.RegistryBlock)).Entries.Any(e => e.Provider == identity && e.Serving))
        {
            if (DateTime.UtcNow > until) throw new TimeoutException("the provider did not register itself: " + provider.Process.Output);
            await Task.Delay(200);
        }

        // The customer: the CLI prints the dashboard's URL; the page lists the provider from the node's own watcher.
        var customer = await StartNodeAsync("customer", AnvilProcess.DevPrivateKeys[6]);
        var printed = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!customer.Process.Output.Contains($"dashboard: {customer.Url}/dashboard", StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > printed) throw new TimeoutException("`fairdelegation node` did not print its dashboard URL: " + customer.Process.Output);
            await Task.Delay(100);
        }
        await using var browser = await BrowserSession.OpenAsync(fixture, url: customer.Url);
        var page = browser.Page;
        await browser.SignInAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Providers" }).ClickAsync();
        var row = page.Locator($"#providers tr[data-provider='{identity.ToLowerHex()}']");
        await Expect(row).ToContainTextAsync(provider.Url);
        await Expect(row).ToContainTextAsync("copy: 2500 wei per task");
        await Expect(row).ToContainTextAsync("0.1 ETH");
        await Expect(row).ToContainTextAsync("0 claimed of 0 opened");
        await Expect(page.Locator("main, body").First).ToContainTextAsync(fixture.Registry, new() { IgnoreCase = true });
        await browser.ScreenshotAsync("providers-node-command");
    }
}
