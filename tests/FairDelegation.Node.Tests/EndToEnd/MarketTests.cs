using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text.Json;
using FairDelegation.Chain.Accounts;
using FairDelegation.Chain.Crypto;
using FairDelegation.Chain.Escrow;
using FairDelegation.Chain.Registry;
using FairDelegation.Chain.Rpc;
using FairDelegation.Chain.Transactions;
using FairDelegation.Node.Market;
using FairDelegation.Protocol.Sla;
using FairDelegation.Testing;
using Nethereum.Contracts;

namespace FairDelegation.Node.Tests.EndToEnd;

/// <summary>
/// The market with real nodes (docs/market.md): three provider processes register themselves with different prices, a
/// customer process delegates by service and maximum wage through POST /api/delegations, and its directory watcher,
/// quote round and choice decide who does the work. Each delegation's status shows the chosen provider and the quotes.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class MarketTests(ChainAndBlobsFixture chain) : IAsyncLifetime
{
    private const string Service = "copy";
    private const string ApiKey = "market-test-api-key-0123456789";
    private static readonly BigInteger Milli = BigInteger.Pow(10, 15);
    private static readonly BigInteger MaxWage = 4 * Milli;

    private readonly Delegations _d = new(chain);
    private readonly List<NodeProcess> _processes = [];
    private EthereumAddress _registry = null!;
    private long _registryBlock;

    public async Task InitializeAsync()
    {
        var deployer = new TransactionSender(chain.Rpc, EthAccount.FromPrivateKey(AnvilProcess.DevPrivateKeys[0]));
        var receipt = await RegistryContract.DeployAsync(deployer, Milli, 3600);
        _registry = receipt.ContractAddress!;
        _registryBlock = receipt.BlockNumber;
    }

    public async Task DisposeAsync()
    {
        foreach (var p in _processes)
        {
            try { await p.ResumeAsync(); } catch (InvalidOperationException) { }
            await p.DisposeAsync();
        }
        await _d.DisposeAsync();
    }

    private async Task WaitForServingAsync(int count)
    {
        var reader = new MarketReader(chain.Rpc, _registry, EthereumAddress.Parse(chain.EscrowAddress));
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while ((await reader.ReadAsync(_registryBlock)).Entries.Count(e => e.Serving) < count)
        {
            if (DateTime.UtcNow > until) throw new TimeoutException("the providers did not register: " + string.Join("\n", _processes.Select(p => p.Output)));
            await Task.Delay(200);
        }
    }

    private async Task<NodeProcess> StartCustomerAsync()
    {
        var customer = await NodeProcess.StartAsync(Market(_d.Settings("customer", await chain.FundedAccountAsync(), new Dictionary<string, string?>
        {
            ["FairDelegation:Api:ApiKey"] = ApiKey,
            ["FairDelegation:Market:QuoteSilence"] = "00:00:03",
        })), FreePort.Next(), ApiKey);
        _processes.Add(customer);
        return customer;
    }

    private Dictionary<string, string?> Market(Dictionary<string, string?> s)
    {
        s["FairDelegation:Market:RegistryAddress"] = _registry.ToLowerHex();
        s["FairDelegation:Market:WatchFromBlock"] = _registryBlock.ToString(CultureInfo.InvariantCulture);
        return s;
    }

    /// <summary>A provider process offering "copy" at <paramref name="price"/>, registering itself; its identity is funded for the stake and gas.</summary>
    private async Task<(NodeProcess Node, EthereumAddress Identity, EthereumAddress Payee)> StartProviderAsync(BigInteger price, bool commandSlas = false)
    {
        var payee = EthAccount.Generate().Address;
        var s = Market(_d.Settings("provider", await chain.FundedAccountAsync(), new Dictionary<string, string?>
        {
            ["FairDelegation:Wallet:PayeeAddress"] = payee.ToLowerHex(),
            ["FairDelegation:Provider:Services:copy:Kind"] = "external-command",
            ["FairDelegation:Provider:Services:copy:Command"] = "/bin/cp",
            ["FairDelegation:Provider:Services:copy:Arguments:0"] = "{input}",
            ["FairDelegation:Provider:Services:copy:Arguments:1"] = "{output}",
            ["FairDelegation:Provider:Services:copy:WageWei"] = price.ToString(CultureInfo.InvariantCulture),
            ["FairDelegation:Market:Register"] = "true",
            ["FairDelegation:Market:StakeWei"] = Milli.ToString(CultureInfo.InvariantCulture),
            ["FairDelegation:Provider:CommandSlas:Enabled"] = commandSlas ? "true" : "false",
        }));
        var node = await NodeProcess.StartAsync(s, FreePort.Next());
        _processes.Add(node);
        var identity = EthereumAddress.Parse((await node.GetAsync("/api/peer/identity")).GetProperty("address").GetString()!);
        // The identity registers (it signs the quotes): it pays the stake and the gas.
        await chain.Rpc.SetBalanceAsync(identity, BigInteger.Pow(10, 18));
        return (node, identity, payee);
    }

    private async Task<JsonElement> DelegateAsync(NodeProcess customer, ServiceLevelAgreement? sla = null)
    {
        var started = await customer.PostAsync("/api/delegations", new
        {
            service = Service,
            input = new { base64 = Convert.ToBase64String(Datasets.Training) },
            sla = JsonDocument.Parse((sla ?? new MinBytesSla(1)).ToJson()).RootElement,
            wageWei = MaxWage.ToString(CultureInfo.InvariantCulture),
        });
        var id = started.GetProperty("id").GetString()!;
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (DateTime.UtcNow < until)
        {
            var view = await customer.GetAsync($"/api/delegations/{id}");
            if (view.TryGetProperty("outcome", out var o) && o.ValueKind == JsonValueKind.String) return view;
            await Task.Delay(200);
        }
        throw new TimeoutException($"delegation {id} did not end: {await customer.GetAsync($"/api/delegations/{id}")}");
    }

    private static JsonElement Quote(JsonElement view, EthereumAddress provider) =>
        view.GetProperty("market").GetProperty("quotes").EnumerateArray().Single(q => q.GetProperty("provider").GetString() == provider.ToLowerHex());

    /// <summary>
    /// The market quote carries no SLA, so a provider may quote and then refuse the terms at (0): here the cheapest runs
    /// no command SLAs. The customer passes it over for the next valid quote (no new quote round) and completes there.
    /// </summary>
    [Fact]
    public async Task A_provider_that_quotes_then_refuses_the_terms_is_passed_over_for_the_next_valid_quote()
    {
        var cheap = await StartProviderAsync(Milli);
        var mid = await StartProviderAsync(3 * Milli / 2, commandSlas: true);
        await WaitForServingAsync(2);
        var customer = await StartCustomerAsync();

        var view = await DelegateAsync(customer, new CommandSla(["/bin/sh", "-c", "test -s \"$1\"", "checker", "{work}"]));

        view.GetProperty("outcome").GetString().Should().Be("Completed", view.ToString());
        var market = view.GetProperty("market");
        market.GetProperty("provider").GetString().Should().Be(mid.Identity.ToLowerHex());
        view.GetProperty("providerUrl").GetString().Should().Be(mid.Node.Url);
        Quote(view, cheap.Identity).GetProperty("chosen").GetBoolean().Should().BeFalse();
        Quote(view, cheap.Identity).GetProperty("failure").GetString().Should().StartWith("refused the terms at (0)").And.Contain("command SLAs are off");
        Quote(view, mid.Identity).GetProperty("chosen").GetBoolean().Should().BeTrue();
        market.GetProperty("why").GetString().Should().Contain("passed over for the next valid quote");
        (await chain.Rpc.GetBalanceAsync(mid.Payee)).Should().Be(3 * Milli / 2);
        (await chain.Rpc.GetBalanceAsync(cheap.Payee)).Should().Be(BigInteger.Zero);
    }

    [Fact]
    public async Task The_cheapest_acceptable_provider_is_chosen_a_silent_one_is_skipped_and_a_record_of_refunds_ranks_below()
    {
        var cheap = await StartProviderAsync(Milli);
        var mid = await StartProviderAsync(3 * Milli / 2);
        var dear = await StartProviderAsync(2 * Milli);
        var tooDear = await StartProviderAsync(5 * Milli); // above the customer's maximum: left out before asking
        var reader = new MarketReader(chain.Rpc, _registry, EthereumAddress.Parse(chain.EscrowAddress));
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while ((await reader.ReadAsync(_registryBlock)).Entries.Count(e => e.Serving) < 4)
        {
            if (DateTime.UtcNow > until) throw new TimeoutException("the providers did not register: " + string.Join("\n", _processes.Select(p => p.Output)));
            await Task.Delay(200);
        }

        var customerSettings = Market(_d.Settings("customer", await chain.FundedAccountAsync(), new Dictionary<string, string?>
        {
            ["FairDelegation:Api:ApiKey"] = ApiKey,
            ["FairDelegation:Market:QuoteSilence"] = "00:00:03",
        }));
        var customer = await NodeProcess.StartAsync(customerSettings, FreePort.Next(), ApiKey);
        _processes.Add(customer);

        // 1. Nobody has a record: price decides; every acceptable provider was asked, the one above the maximum left out.
        var first = await DelegateAsync(customer);
        first.GetProperty("outcome").GetString().Should().Be("Completed", first.ToString());
        first.GetProperty("market").GetProperty("provider").GetString().Should().Be(cheap.Identity.ToLowerHex());
        first.GetProperty("providerUrl").GetString().Should().Be(cheap.Node.Url);
        first.GetProperty("market").GetProperty("quotes").GetArrayLength().Should().Be(3);
        Quote(first, cheap.Identity).GetProperty("chosen").GetBoolean().Should().BeTrue();
        Quote(first, cheap.Identity).GetProperty("signature").GetString().Should().StartWith("0x");
        Quote(first, dear.Identity).GetProperty("wage").GetString().Should().Be((2 * Milli).ToString(CultureInfo.InvariantCulture));
        first.GetProperty("market").GetProperty("leftOut").EnumerateArray().Should().ContainSingle(x => x.GetString()!.StartsWith(tooDear.Identity.ToLowerHex()));
        (await chain.Rpc.GetBalanceAsync(cheap.Payee)).Should().Be(Milli);

        // 2. The cheapest stops answering (SIGSTOP: connections accepted, nothing said): passed over as silent.
        await cheap.Node.PauseAsync();
        JsonElement second;
        try
        {
            second = await DelegateAsync(customer);
        }
        finally
        {
            await cheap.Node.ResumeAsync();
        }
        second.GetProperty("outcome").GetString().Should().Be("Completed", second.ToString());
        second.GetProperty("market").GetProperty("provider").GetString().Should().Be(mid.Identity.ToLowerHex());
        Quote(second, cheap.Identity).GetProperty("failure").GetString().Should().StartWith("silent");
        (await chain.Rpc.GetBalanceAsync(mid.Payee)).Should().Be(3 * Milli / 2);

        // 3. Five customers' escrows to the cheapest's payee were never claimed (refunded after their deadline): its
        // reliability falls, and the mid-priced provider now scores above it although it quotes more.
        var escrow = new EscrowContract(chain.Rpc, EthereumAddress.Parse(chain.EscrowAddress));
        var now = (await chain.Rpc.GetLatestBlockAsync()).Timestamp;
        var opened = new List<(TransactionSender Customer, EscrowTerms Terms)>();
        for (var i = 0; i < 5; i++)
        {
            var sender = new TransactionSender(chain.Rpc, await chain.FundedAccountAsync(1));
            var workKey = EthAccount.Generate().Address;
            var (terms, _) = await escrow.OpenAsync(sender, new EscrowOpening(SHA256.HashData(workKey.Bytes), cheap.Payee, workKey,
                SHA256.HashData(cheap.Payee.Bytes), Milli / 10, now + 30));
            opened.Add((sender, terms));
        }
        await chain.Rpc.IncreaseTimeAsync(31);
        foreach (var (sender, terms) in opened) await escrow.RefundAsync(sender, terms);

        var third = await DelegateAsync(customer);
        third.GetProperty("outcome").GetString().Should().Be("Completed", third.ToString());
        third.GetProperty("market").GetProperty("provider").GetString().Should().Be(mid.Identity.ToLowerHex(), third.GetProperty("market").ToString());
        Quote(third, cheap.Identity).GetProperty("score").GetDouble().Should().BeLessThan(Quote(third, mid.Identity).GetProperty("score").GetDouble());
        third.GetProperty("market").GetProperty("why").GetString().Should().Contain("reliability");
    }
}
