using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using FairDelegation.Chain.Accounts;
using FairDelegation.Chain.Crypto;
using FairDelegation.Chain.Dev;
using FairDelegation.Chain.Escrow;
using FairDelegation.Chain.Registry;
using FairDelegation.Chain.Rpc;
using FairDelegation.Chain.Transactions;
using FairDelegation.Cli.Api;
using FairDelegation.Node.Market;
using FairDelegation.Node.Model;
using FairDelegation.Node.Peers;
using FairDelegation.Node.Provider;
using FairDelegation.Protocol.Market;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Nethereum.Contracts;

namespace FairDelegation.Cli.Demo;

/// <summary>
/// `fairdelegation demo market`: the market around the exchange with real nodes (docs/market.md). Three provider nodes
/// with different prices run in this process and register themselves in the registry (each from its node identity, with
/// a stake); earlier escrows give two of them a record (one claimed its escrows, one let them be refunded); a customer
/// node lists the market from the chain alone (directory and reputation), its delegation asks the providers' nodes for
/// signed quotes and picks one by the score, printing why; the delegation then runs to its end with the chosen provider
/// and the wage is checked on both balances.
/// </summary>
public static class MarketDemo
{
    private const string Service = "train-classifier";
    private const double MinAccuracy = 0.9;
    private static readonly BigInteger Milli = BigInteger.Pow(10, 15);
    private static readonly BigInteger MaxWage = 4 * Milli;
    private static readonly BigInteger Stake = 100 * Milli;

    public static Command CreateCommand()
    {
        var rpc = new Option<string?>("--rpc-url") { Description = "Use this anvil (JSON-RPC URL) instead of starting one; its dev accounts pay" };
        var azurite = new Option<string?>("--azurite") { Description = "Use this Azurite: its blob endpoint (http://127.0.0.1:10000/devstoreaccount1) or a connection string" };
        var verbose = new Option<bool>("--verbose") { Description = "Show the nodes' logs" };
        var delegations = new Option<int>("--delegations")
        {
            Description = "Delegations the customer starts at once (2-10: their escrows are opened in one openBatch transaction)", DefaultValueFactory = _ => 1,
        };
        var token = new Option<bool>("--token")
        {
            Description = $"Wages in an ERC-20 token: deploys a demo token (OpenZeppelin's ERC20, {DemoToken.Symbol}), mints to the customer, the providers price the service in it",
        };
        var command = new Command("market", "Show the market with real nodes: three providers register, the customer lists them, asks quotes, picks one (why is printed) and delegates to it")
            { rpc, azurite, verbose, delegations, token };
        command.SetAction(async (parse, ct) =>
        {
            var url = parse.GetValue(rpc);
            if (url is not null && !Uri.TryCreate(url, UriKind.Absolute, out _)) throw new CliException($"--rpc-url '{url}' is not an absolute URL");
            var count = parse.GetValue(delegations);
            if (count is < 1 or > 10) throw new CliException("--delegations must be between 1 and 10");
            return await RunAsync(url, parse.GetValue(azurite), parse.GetValue(verbose), ct, count, parse.GetValue(token));
        });
        return command;
    }

    private sealed record ProviderNode(string Name, int Dev, BigInteger Price, string Note, InProcessNode Node, EthereumAddress Identity, EthereumAddress Payee);

    public static async Task<int> RunAsync(string? rpcUrl, string? azuriteEndpoint, bool verbose, CancellationToken ct, int delegations = 1, bool useToken = false)
    {
        var total = Stopwatch.StartNew();
        Console.WriteLine("FairDelegation market demo: three provider nodes register, a customer node lists them, asks for quotes, picks one and delegates");
        var dataDirectory = Directory.CreateTempSubdirectory("fd-market-demo-").FullName;
        LocalAnvil? anvil = null;
        LocalAzurite? azurite = null;
        var nodes = new List<InProcessNode>();
        try
        {
            if (rpcUrl is null)
            {
                anvil = await LocalAnvil.StartAsync(ct: ct);
                rpcUrl = anvil.RpcUrl.ToString().TrimEnd('/');
            }
            string blobConnection;
            if (azuriteEndpoint is null)
            {
                azurite = await LocalAzurite.StartAsync(ct);
                blobConnection = azurite.ConnectionString;
            }
            else blobConnection = azuriteEndpoint.Contains('=') ? azuriteEndpoint : LocalAzurite.ConnectionStringFor(azuriteEndpoint);
            using var rpc = new EthRpcClient(rpcUrl);
            BigInteger chainId;
            try { chainId = await rpc.ChainIdAsync(ct); }
            catch (NodeUnreachableException e) { throw new CliException($"the chain at {rpcUrl} does not answer: {e.Message}"); }

            // The two singletons: the escrow and the registry (no owner; min stake 0.1 ETH, unbonding delay 1 h).
            var deployer = new TransactionSender(rpc, LocalAnvil.DevAccount(0));
            var (escrow, deployment) = await EscrowContract.DeployAsync(deployer, ct);
            var registry = (await RegistryContract.DeployAsync(deployer, Stake, 3600, ct)).ContractAddress!;
            Console.WriteLine($"  chain     {rpcUrl}; escrow {escrow.Address.ToLowerHex()}, registry {registry.ToLowerHex()} (min stake {DemoRun.Eth(Stake)}, unbonding delay 1 h)");

            // With --token: the wages are in a demo ERC-20 (18 decimals, prices as in ETH); the customer's wallet gets 1 token.
            var customerWallet = LocalAnvil.DevAccount(1);
            EthereumAddress? token = null;
            if (useToken)
            {
                token = await DevToken.DeployAsync(deployer, ct);
                await DevToken.MintAsync(deployer, token, customerWallet.Address, BigInteger.Pow(10, 18), ct);
                Console.WriteLine($"  token     {token.ToLowerHex()} ({DemoToken.Symbol}: OpenZeppelin's ERC20, 18 decimals); minted {DemoToken.Format(BigInteger.Pow(10, 18))} to the customer wallet {customerWallet.Address.ToLowerHex()}");
            }
            string Amount(BigInteger v) => token is null ? DemoRun.Eth(v) : DemoToken.Format(v);
            Task<BigInteger> WageBalanceAsync(EthereumAddress owner) =>
                token is null ? rpc.GetBalanceAsync(owner, ct: ct) : DevToken.BalanceOfAsync(rpc, token, owner, ct);

            var demo = new DemoChain(rpcUrl, chainId, escrow.Address, deployment.BlockNumber, blobConnection, blobConnection, FairDelegation.Workflows.DurableBackend.Default);
            var apiKey = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            var logLevel = verbose ? LogLevel.Information : LogLevel.None;
            Dictionary<string, string?> Settings(string role, string name, EthAccount wallet, BigInteger price)
            {
                var s = demo.NodeSettings(role, name, Path.Combine(dataDirectory, name), wallet, price, apiKey);
                s["FairDelegation:Market:RegistryAddress"] = registry.ToLowerHex();
                s["FairDelegation:Market:WatchFromBlock"] = deployment.BlockNumber.ToString(CultureInfo.InvariantCulture);
                return s;
            }

            // Three provider nodes (wallets: anvil dev accounts 2-4), each with its own payee and price. Each registers
            // itself from its node identity, which pays the stake and the gas: the demo funds the identities.
            (string Name, int Dev, BigInteger Price, string Note)[] offers =
            [
                ("dear", 2, 3 * Milli, "dearest, no record"),
                ("cheap", 3, 3 * Milli / 2, "cheapest, but let three customers' escrows be refunded"),
                ("mid", 4, 2 * Milli, "mid price, claimed every escrow in time"),
            ];
            var providers = new List<ProviderNode>();
            foreach (var (name, dev, price, note) in offers)
            {
                var payee = EthAccount.Generate().Address; // a fresh address: its balance moves by wages only
                var settings = Settings("provider", "provider-" + name, LocalAnvil.DevAccount(dev), price);
                settings["FairDelegation:Wallet:PayeeAddress"] = payee.ToLowerHex();
                settings["FairDelegation:Market:Register"] = "true";
                settings["FairDelegation:Market:StakeWei"] = Stake.ToString(CultureInfo.InvariantCulture);
                if (token is not null) settings[$"FairDelegation:Provider:Services:{Service}:Currency"] = token.ToLowerHex();
                var node = await InProcessNode.StartAsync(settings, logLevel, ct: ct);
                nodes.Add(node);
                var identity = node.Get<NodeIdentity>().Address;
                await deployer.SendAndWaitAsync(new TransactionRequest(identity, [], BigInteger.Pow(10, 18)) { Action = "fund the provider's identity" }, ct);
                providers.Add(new ProviderNode(name, dev, price, note, node, identity, payee));
                Console.WriteLine($"  provider {name,-5} {node.Url}  identity {identity.ToLowerHex()}  payee {payee.ToLowerHex()}  {Service} at {Amount(price)} ({note})");
            }
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(120);
            while (!providers.All(p => p.Node.Get<MarketRegistration>().Registered))
            {
                if (DateTime.UtcNow > until) throw new CliException("the provider nodes did not register within 120 s (run with --verbose to see why)");
                await Task.Delay(100, ct);
            }
            Console.WriteLine($"  the three provider nodes registered themselves (stake {DemoRun.Eth(Stake)} each)");

            // Records: customers (dev accounts 5-7) opened escrows earlier; "cheap" never claimed them (refunded after the
            // deadline), "mid" claimed them (whoever sends a claim, the escrow pays the payee).
            var cheap = providers.Single(p => p.Name == "cheap");
            var mid = providers.Single(p => p.Name == "mid");
            var now = (await rpc.GetLatestBlockAsync(ct)).Timestamp;
            var refunds = new List<(TransactionSender Customer, EscrowTerms Terms)>();
            for (var c = 5; c <= 7; c++)
            {
                var customer = new TransactionSender(rpc, LocalAnvil.DevAccount(c));
                var (refund, _) = await escrow.OpenAsync(customer, Opening(cheap.Payee, EthAccount.Generate().Address, now + 600), ct);
                refunds.Add((customer, refund));
                var key = EthAccount.Generate();
                var (claim, _) = await escrow.OpenAsync(customer, Opening(mid.Payee, key.Address, now + 600), ct);
                await escrow.ClaimAsync(customer, claim, key.ExportPrivateKey(), ct);
            }
            await rpc.IncreaseTimeAsync(601, ct);
            foreach (var (customer, terms) in refunds) await escrow.RefundAsync(customer, terms, ct);
            Console.WriteLine("  history   3 customers' escrows to 'cheap' refunded (never claimed); 3 customers' escrows to 'mid' claimed");

            // The customer's view of the market: the chain alone (registry events: the directory; escrow events: records).
            var snapshot = await new MarketReader(rpc, registry, escrow.Address).ReadAsync(deployment.BlockNumber, ct);
            Console.WriteLine();
            Console.WriteLine($"the customer lists the market at block {snapshot.Block}:");
            foreach (var e in snapshot.Entries)
            {
                var r = snapshot.ReputationOf(e);
                Console.WriteLine($"  {e.Provider.ToLowerHex()} {e.Endpoint}: {Amount(e.Offers.First(o => o.Service == Service).Price)}, stake {DemoRun.Eth(e.Stake)}, " +
                                  $"{r.Claimed} claimed / {r.Refunded} refunded from {r.DistinctCustomers} customers");
            }
            var wanted = new MarketRequest(Service, token ?? EthereumAddress.Zero, 1, MaxWage);
            var (ranked, excluded) = Matching.Rank(snapshot.Entries, snapshot.Reputations, wanted);
            Console.WriteLine($"ranking for '{Service}', at most {Amount(MaxWage)} (score = 0.50 price + 0.35 reliability + 0.15 stake):");
            for (var i = 0; i < ranked.Count; i++) Console.WriteLine($"  {i + 1}. {ranked[i].Explain()}");
            foreach (var x in excluded) Console.WriteLine($"  left out: {x.Provider}: {x.Reason}");

            // The customer node (wallet: dev account 1) delegates by service and maximum wage, naming no provider: its
            // ChooseProvider step asks the providers' nodes for signed quotes and picks by the same score.
            var customerSettings = Settings("customer", "customer", customerWallet, 0);
            if (delegations > 1)
            {
                // Batched openings: the escrows of the delegations that reach step (8) together go out in one openBatch
                // (sent as soon as all are in; the window only bounds the wait).
                customerSettings["FairDelegation:Customer:OpenBatchWindow"] = "00:00:30";
                customerSettings["FairDelegation:Customer:OpenBatchMaxSize"] = delegations.ToString(CultureInfo.InvariantCulture);
            }
            var customerNode = await InProcessNode.StartAsync(customerSettings, logLevel, ct: ct);
            nodes.Add(customerNode);
            Console.WriteLine();
            Console.WriteLine($"customer node {customerNode.Url}  wallet {customerWallet.Address.ToLowerHex()}: {Service} at most {Amount(MaxWage)}, accuracy >= {MinAccuracy:0.##}" +
                              (delegations > 1 ? $", {delegations} delegations at once (Customer:OpenBatchWindow 00:00:30)" : ""));
            Console.WriteLine($"  dashboard {customerNode.Url}/dashboard  (this run's API key {apiKey}; the market's providers at /dashboard/providers)");
            var customerBefore = await rpc.GetBalanceAsync(customerWallet.Address, ct: ct);
            var customerTokensBefore = token is null ? BigInteger.Zero : await WageBalanceAsync(customerWallet.Address);
            var payeesBefore = new Dictionary<EthereumAddress, BigInteger>();
            foreach (var p in providers) payeesBefore[p.Payee] = await WageBalanceAsync(p.Payee);
            var payeesEthBefore = new Dictionary<EthereumAddress, BigInteger>();
            foreach (var p in providers) payeesEthBefore[p.Payee] = await rpc.GetBalanceAsync(p.Payee, ct: ct);

            using var api = new NodeApiClient(customerNode.Url, apiKey);
            var ids = await Task.WhenAll(Enumerable.Range(0, delegations).Select(async _ => (await api.StartAsync(new JsonObject
            {
                ["service"] = Service,
                ["input"] = new JsonObject { ["text"] = DemoDataset.Training },
                ["sla"] = new JsonObject { ["kind"] = "classifier-accuracy", ["minAccuracy"] = MinAccuracy },
                ["assets"] = new JsonObject { ["test-set"] = new JsonObject { ["text"] = DemoDataset.HiddenTestSet } },
                ["wageWei"] = MaxWage.ToString(CultureInfo.InvariantCulture),
                ["currency"] = token?.ToLowerHex() ?? "ETH",
            }, ct)).GetProperty("id").GetString()!));
            var id = ids[0];
            Console.WriteLine(delegations == 1 ? $"delegation {id}: steps as they happen:" : $"delegations {string.Join(", ", ids)}; the first one's steps as they happen:");
            ProviderNode? Chosen(JsonElement v) =>
                v.TryGetProperty("market", out var m) && m.ValueKind == JsonValueKind.Object && m.TryGetProperty("provider", out var pr) && pr.GetString() is { } addr
                    ? providers.FirstOrDefault(p => p.Identity == EthereumAddress.Parse(addr))
                    : null;
            var view = await DelegationFollower.FollowAsync(api, id, TimeSpan.FromSeconds(180), ct, async (v, c) =>
            {
                if (Chosen(v) is { } p && v.TryGetProperty("agreementId", out var a) && a.GetString() is { } agreementId
                    && await p.Node.Get<DurableTaskClient>().GetInstanceAsync(Quote.InstanceId(agreementId), true, c) is { } meta
                    && meta.ReadCustomStatusAs<StepStatus>() is { } step)
                    return $"'{p.Name}' " + (step.Step == "end" ? $"ended {step.Name}" : step.ToString());
                return null;
            }, pollInterval: TimeSpan.FromMilliseconds(50));

            var views = new List<JsonElement> { view };
            foreach (var other in ids.Skip(1))
                views.Add(await DelegationFollower.FollowAsync(api, other, TimeSpan.FromSeconds(180), ct, output: TextWriter.Null, pollInterval: TimeSpan.FromMilliseconds(100)));

            // The choice, as the customer node recorded it in the delegation's status.
            Console.WriteLine();
            if (!view.TryGetProperty("market", out var market) || market.ValueKind != JsonValueKind.Object)
                throw new CliException("the delegation's status has no market choice");
            Console.WriteLine($"quotes the customer node asked for (at block {market.GetProperty("block").GetInt64()}), signed by each provider's node identity:");
            foreach (var q in market.GetProperty("quotes").EnumerateArray())
            {
                var who = providers.FirstOrDefault(p => p.Identity == EthereumAddress.Parse(q.GetProperty("provider").GetString()!));
                var label = $"  {who?.Name ?? "?",-5} {q.GetProperty("provider").GetString()}  score {q.GetProperty("score").GetDouble().ToString("0.000", CultureInfo.InvariantCulture)}";
                Console.WriteLine(q.TryGetProperty("wage", out var w) && w.GetString() is { } wage
                    ? $"{label}  {Amount(BigInteger.Parse(wage, CultureInfo.InvariantCulture))}, signature {q.GetProperty("signature").GetString()![..18]}…{(q.GetProperty("chosen").GetBoolean() ? "  CHOSEN" : "")}"
                    : $"{label}  {q.GetProperty("failure").GetString()}");
            }
            var chosen = Chosen(view) ?? throw new CliException($"no provider was chosen: {market.GetProperty("why").GetString()}");
            Console.WriteLine($"why: {market.GetProperty("why").GetString()}");
            Console.WriteLine($"the pick: '{chosen.Name}' {chosen.Identity.ToLowerHex()} ({chosen.Note})");

            // The outcome on both sides, for every delegation.
            Console.WriteLine();
            Console.WriteLine("outcome");
            var wagePaid = BigInteger.Zero;
            foreach (var v in views)
            {
                var vid = v.GetProperty("id").GetString();
                var outcome = v.TryGetProperty("outcome", out var o) ? o.GetString() : null;
                var picked = Chosen(v);
                if (picked != chosen) throw new CliException($"delegation {vid} chose '{picked?.Name}', not '{chosen.Name}'");
                DelegationOutcome? providerOutcome = null;
                if (v.TryGetProperty("agreementId", out var ag) && ag.GetString() is { } agreement)
                {
                    using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    wait.CancelAfter(TimeSpan.FromSeconds(60));
                    providerOutcome = (await chosen.Node.Get<DurableTaskClient>().WaitForInstanceCompletionAsync(Quote.InstanceId(agreement), true, wait.Token))
                        .ReadOutputAs<DelegationOutcome>();
                }
                Console.WriteLine($"  {(delegations == 1 ? "" : vid + ": ")}customer: {outcome ?? v.GetProperty("runtimeStatus").GetString()}   provider '{chosen.Name}': {providerOutcome?.Status.ToString() ?? "-"}");
                if (outcome != "Completed" || providerOutcome?.Status != DelegationStatus.Completed)
                {
                    var reason = v.TryGetProperty("reason", out var r) && r.GetString() is { } why ? why : providerOutcome?.Reason ?? "unknown";
                    throw new CliException($"delegation {vid} did not complete: {reason}");
                }
                var agreed = BigInteger.Parse(v.GetProperty("wageWei").GetString()!, CultureInfo.InvariantCulture);
                var quotedWage = BigInteger.Parse(v.GetProperty("market").GetProperty("wage").GetString()!, CultureInfo.InvariantCulture);
                if (agreed > quotedWage) throw new CliException($"delegation {vid}: the agreed wage {agreed} is above the quote {quotedWage}");
                wagePaid += agreed;
            }

            // The customer's transactions: a batched opening is one transaction that every delegation of the batch lists.
            var sent = views.SelectMany(v => v.GetProperty("transactions").EnumerateArray())
                .GroupBy(t => t.GetProperty("hash").GetString()).Select(g => g.First()).ToList();
            var fees = sent.Aggregate(BigInteger.Zero, (sum, t) => sum + BigInteger.Parse(t.GetProperty("feeWei").GetString()!, CultureInfo.InvariantCulture));
            if (delegations > 1)
            {
                var opens = sent.Where(t => t.GetProperty("step").GetString() == "OpenEscrow").ToList();
                foreach (var t in opens)
                {
                    var gas = BigInteger.Parse(t.GetProperty("gasUsed").GetString()!, CultureInfo.InvariantCulture);
                    var size = t.GetProperty("batchSize").GetInt32();
                    Console.WriteLine(size > 1
                        ? $"  {size} escrows opened in one {(token is null ? "openBatch" : "openTokenBatch")} transaction {t.GetProperty("hash").GetString()}: {Gas(gas)} gas, {Gas(gas / size)} per escrow"
                        : $"  1 escrow opened alone: {t.GetProperty("hash").GetString()}: {Gas(gas)} gas");
                }
            }

            // Money: the chosen payee got the quoted wages; the others nothing; the customer paid the wages (in ETH: and its
            // gas; with a token: the wages in tokens, its gas in ETH, and the escrow keeps no tokens).
            var customerAfter = await rpc.GetBalanceAsync(customerWallet.Address, ct: ct);
            var payeeAfter = await WageBalanceAsync(chosen.Payee);
            if (payeeAfter - payeesBefore[chosen.Payee] != wagePaid) throw new CliException($"the chosen payee received {payeeAfter - payeesBefore[chosen.Payee]}, not the wages {wagePaid}");
            foreach (var p in providers.Where(p => p != chosen))
                if (await WageBalanceAsync(p.Payee) != payeesBefore[p.Payee]) throw new CliException($"'{p.Name}''s payee was paid although not chosen");
            var customerTokensAfter = BigInteger.Zero;
            if (token is null)
            {
                if (customerBefore - customerAfter != wagePaid + fees) throw new CliException("the customer's balance did not fall by exactly the wages plus its gas");
            }
            else
            {
                customerTokensAfter = await WageBalanceAsync(customerWallet.Address);
                if (customerTokensBefore - customerTokensAfter != wagePaid) throw new CliException($"the customer's tokens fell by {customerTokensBefore - customerTokensAfter}, not the wages {wagePaid}");
                if (await WageBalanceAsync(escrow.Address) != 0) throw new CliException("the escrow still holds tokens");
                if (await rpc.GetBalanceAsync(chosen.Payee, ct: ct) != payeesEthBefore[chosen.Payee]) throw new CliException("the chosen payee got ETH for a token wage");
            }
            var unit = token is null ? "wei" : $"{DemoToken.Symbol} units";
            Console.WriteLine($"  wage moved: {Amount(wagePaid)} from the customer to '{chosen.Name}''s payee ({wagePaid} {unit}, " +
                              (delegations == 1 ? "the quoted wage)" : $"{delegations} quoted wages)"));
            if (token is null)
                Console.WriteLine($"    customer wallet {customerWallet.Address.ToLowerHex()}  {DemoRun.Eth(customerBefore)} -> {DemoRun.Eth(customerAfter)}  (the wage{(delegations == 1 ? "" : "s")} + {fees} wei of gas)");
            else
            {
                Console.WriteLine($"    customer wallet {customerWallet.Address.ToLowerHex()}  {DemoToken.Format(customerTokensBefore)} -> {DemoToken.Format(customerTokensAfter)}  (the wage{(delegations == 1 ? "" : "s")})");
                Console.WriteLine($"                    gas in ETH: {DemoRun.Eth(customerBefore)} -> {DemoRun.Eth(customerAfter)}  (the approve of the escrow, the opening{(delegations == 1 ? "" : "s")}; no ETH wage)");
            }
            Console.WriteLine($"    '{chosen.Name}' payee    {chosen.Payee.ToLowerHex()}  {Amount(payeesBefore[chosen.Payee])} -> {Amount(payeeAfter)}");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"market demo succeeded in {total.Elapsed.TotalSeconds:0.0} s: {(delegations == 1 ? "delegation" : $"{delegations} delegations")} Completed"));
            return 0;
        }
        finally
        {
            foreach (var n in Enumerable.Reverse(nodes)) await n.DisposeAsync();
            if (azurite is not null) await azurite.DisposeAsync();
            if (anvil is not null) await anvil.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(dataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static string Gas(BigInteger gas) => gas.ToString("N0", CultureInfo.InvariantCulture);

    private static EscrowOpening Opening(EthereumAddress payee, EthereumAddress workKey, long deadline) =>
        new(SHA256.HashData(workKey.Bytes), payee, workKey, SHA256.HashData(payee.Bytes), Milli, deadline);
}
