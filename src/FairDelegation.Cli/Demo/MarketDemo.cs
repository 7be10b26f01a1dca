using System.CommandLine;
using System.Numerics;
using System.Security.Cryptography;
using FairDelegation.Chain.Accounts;
using FairDelegation.Chain.Crypto;
using FairDelegation.Chain.Dev;
using FairDelegation.Chain.Escrow;
using FairDelegation.Chain.Registry;
using FairDelegation.Chain.Rpc;
using FairDelegation.Chain.Transactions;
using FairDelegation.Cli.Commands;
using FairDelegation.Node.Market;
using FairDelegation.Protocol.Market;
using FairDelegation.Protocol.Serialization;
using Nethereum.Contracts;

namespace FairDelegation.Cli.Demo;

/// <summary>
/// `fairdelegation demo market`: the market around the exchange on a local anvil (docs/market.md). Three providers with
/// different prices register with a stake; earlier escrows give two of them a record (one claims, one lets its escrows
/// be refunded); the customer lists them from the chain alone, ranks them, asks the best for signed quotes and picks
/// one, printing why. The providers' quote answers are signed here with their identity keys: the quote endpoint of the
/// provider's node is not built yet, so this demo stops at the pick (the exchange itself is `fairdelegation demo`).
/// </summary>
public static class MarketDemo
{
    private const string Service = "train-classifier";
    private static readonly BigInteger Milli = BigInteger.Pow(10, 15);

    public static Command CreateCommand()
    {
        var rpc = new Option<string?>("--rpc-url") { Description = "Use this anvil (JSON-RPC URL) instead of starting one; its dev accounts pay" };
        var command = new Command("market", "Show the market: three providers register, the customer lists them, asks quotes and picks one (why is printed)") { rpc };
        command.SetAction(async (parse, ct) =>
        {
            var url = parse.GetValue(rpc);
            if (url is not null && !Uri.TryCreate(url, UriKind.Absolute, out _)) throw new CliException($"--rpc-url '{url}' is not an absolute URL");
            await using var anvil = url is null ? await LocalAnvil.StartAsync(ct: ct) : null;
            using var client = new EthRpcClient(anvil?.RpcUrl ?? new Uri(url!));
            await RunAsync(client, ct);
            return 0;
        });
        return command;
    }

    public static async Task RunAsync(EthRpcClient rpc, CancellationToken ct)
    {
        var deployer = new TransactionSender(rpc, LocalAnvil.DevAccount(0));
        var (escrow, _) = await EscrowContract.DeployAsync(deployer, ct);
        object encoded = RegistryContract.Deployment(Milli * 100, 3600).GetDeploymentData();
        var registry = (await deployer.SendAndWaitAsync(new TransactionRequest(null, encoded is string hex ? Hex.Decode(hex) : (byte[])encoded)
            { Abi = RegistryContract.Errors, Action = "deploy registry" }, ct)).ContractAddress!;
        Console.WriteLine($"escrow {escrow.Address}, registry {registry} (min stake 0.1 ETH, unbonding delay 1 h)");

        // Three providers (anvil dev accounts 1-3), each its own payee, with different prices for the same service.
        (int Dev, BigInteger Price, string Note)[] providers =
        [
            (1, 3 * Milli, "dearest, no record"),
            (2, 3 * Milli / 2, "cheapest, but let three customers' escrows be refunded"),
            (3, 2 * Milli, "mid price, claimed every escrow in time"),
        ];
        foreach (var (dev, price, note) in providers)
        {
            var sender = new TransactionSender(rpc, LocalAnvil.DevAccount(dev));
            var register = new RegisterFunction
            {
                Endpoint = $"http://provider-{dev}.demo:5080", Payee = LocalAnvil.DevAccount(dev).Address.ToString(),
                Offers = RegistryLogs.ToStructs([new MarketOffer(Service, EthereumAddress.Zero, price, PriceBasis.PerTask, 0, 4)]),
            };
            await sender.SendAndWaitAsync(new TransactionRequest(registry, register.GetCallData(), Milli * 100) { Abi = RegistryContract.Errors, Action = "register" }, ct);
            Console.WriteLine($"provider {LocalAnvil.DevAccount(dev).Address} registered: {Service} at {Eth(price)} ETH per task, stake 0.1 ETH ({note})");
        }

        // Records: customers (dev 4-6) opened escrows earlier; provider 2 never claimed (refunded after the deadline),
        // provider 3 claimed (it knows its work keys).
        var now = (await rpc.GetLatestBlockAsync(ct)).Timestamp;
        var refunds = new List<(TransactionSender Customer, EscrowTerms Terms)>();
        for (var c = 4; c <= 6; c++)
        {
            var customer = new TransactionSender(rpc, LocalAnvil.DevAccount(c));
            var (refund, _) = await escrow.OpenAsync(customer, Opening(LocalAnvil.DevAccount(2).Address, EthAccount.Generate().Address, now + 600), ct);
            refunds.Add((customer, refund));
            var key = EthAccount.Generate();
            var (claim, _) = await escrow.OpenAsync(customer, Opening(LocalAnvil.DevAccount(3).Address, key.Address, now + 600), ct);
            await escrow.ClaimAsync(new TransactionSender(rpc, LocalAnvil.DevAccount(3)), claim, key.ExportPrivateKey(), ct);
        }
        await rpc.IncreaseTimeAsync(601, ct);
        foreach (var (customer, terms) in refunds) await escrow.RefundAsync(customer, terms, ct);
        Console.WriteLine("history: 3 customers' escrows to provider 2 refunded (never claimed); 3 customers' escrows to provider 3 claimed");

        // The customer's view: the chain alone.
        var snapshot = await new MarketReader(rpc, registry, escrow.Address).ReadAsync(0, ct);
        Console.WriteLine();
        Console.WriteLine($"the customer lists the market at block {snapshot.Block}:");
        foreach (var e in snapshot.Entries)
        {
            var r = snapshot.ReputationOf(e);
            Console.WriteLine($"  {e.Provider} {e.Endpoint}: {Eth(e.Offers[0].Price)} ETH, stake {Eth(e.Stake)} ETH, " +
                              $"{r.Claimed} claimed / {r.Refunded} refunded from {r.DistinctCustomers} customers");
        }
        var request = new MarketRequest(Service, EthereumAddress.Zero, 1, 4 * Milli);
        var (ranked, excluded) = Matching.Rank(snapshot.Entries, snapshot.Reputations, request);
        Console.WriteLine($"ranking for '{Service}', at most {Eth(request.MaxWage)} ETH (score = 0.50 price + 0.35 reliability + 0.15 stake):");
        for (var i = 0; i < ranked.Count; i++) Console.WriteLine($"  {i + 1}. {ranked[i].Explain()}");
        foreach (var x in excluded) Console.WriteLine($"  left out: {x.Provider}: {x.Reason}");

        // Quotes: the best two are asked at once; the answers are EIP-712 quotes signed by each provider's identity.
        var chainId = await rpc.ChainIdAsync(ct);
        var identities = providers.ToDictionary(p => LocalAnvil.DevAccount(p.Dev).Address, p => LocalAnvil.DevAccount(p.Dev));
        var customerIdentity = LocalAnvil.DevAccount(4);
        var requestId = Bytes32.Random();
        var expiresAt = snapshot.ChainTime + 300;
        var pick = await QuoteRound.RunAsync(request, ranked, excluded,
            (c, _) =>
            {
                var identity = identities[c.Provider.Provider];
                return Task.FromResult(MarketQuote.Sign(chainId, registry, identity.Address, customerIdentity.Address, Service, EthereumAddress.Zero, 1,
                    c.Wage, expiresAt, requestId, digest => identity.Sign(digest)));
            },
            (c, q) => q.Rejection(chainId, registry, c.Provider.Provider, customerIdentity.Address, request, requestId, snapshot.ChainTime),
            batchSize: 2, TimeSpan.FromSeconds(10), ct);
        Console.WriteLine("quotes:");
        foreach (var a in pick.Attempts)
            Console.WriteLine(a.Quote is { } q
                ? $"  {a.Provider}: {Eth(q.Wage)} ETH, expires at {q.ExpiresAt}, signature {q.Signature.ToHex()[..18]}… (verified)"
                : $"  {a.Provider}: {a.Failure}");
        Console.WriteLine();
        Console.WriteLine(pick.Why());
    }

    private static EscrowOpening Opening(EthereumAddress payee, EthereumAddress workKey, long deadline) =>
        new(SHA256.HashData(workKey.Bytes), payee, workKey, SHA256.HashData(payee.Bytes), Milli, deadline);

    private static string Eth(BigInteger wei) => ((decimal)wei / 1_000_000_000_000_000_000m).ToString("0.####", System.Globalization.CultureInfo.InvariantCulture);
}
