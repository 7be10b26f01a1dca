using System.CommandLine;
using System.Globalization;
using FairDelegation.Chain.Crypto;
using FairDelegation.Node.Market;
using FairDelegation.Protocol.Market;

namespace FairDelegation.Cli.Commands;

/// <summary>
/// `fairdelegation providers`: the market's directory from the chain alone (registry events) with each provider's
/// price, stake and reputation (escrow events); with --max-wage also the ranking by the matching score and why
/// (docs/market.md).
/// </summary>
public static class ProvidersCommand
{
    public static Command Create()
    {
        var rpcUrl = new Option<string>("--rpc-url") { Description = "JSON-RPC endpoint of the chain", DefaultValueFactory = _ => "http://127.0.0.1:8545" };
        var registry = new Option<string>("--registry") { Description = "The registry's address", Required = true };
        var escrow = new Option<string?>("--escrow") { Description = "The escrow's address: reputations are computed from its events" };
        var service = new Option<string?>("--service") { Description = "Only providers offering this service" };
        var currency = new Option<string>("--currency") { Description = "ETH or a token address (for --max-wage)", DefaultValueFactory = _ => "ETH" };
        var units = new Option<ulong>("--units") { Description = "Size of the work in the service's units (for --max-wage)", DefaultValueFactory = _ => 1 };
        var maxWage = new Option<string?>("--max-wage") { Description = "Rank the providers of --service for this most a customer pays (wei or token units)" };
        var fromBlock = new Option<long>("--from-block") { Description = "First block to read events from", DefaultValueFactory = _ => 0 };
        var command = new Command("providers", "List the registered providers with price, stake and reputation")
        {
            rpcUrl, registry, escrow, service, currency, units, maxWage, fromBlock,
        };
        command.SetAction(async (parse, ct) =>
        {
            var registryAddress = RegistryCommand.Address(parse.GetValue(registry)!, "--registry");
            var escrowAddress = parse.GetValue(escrow) is { } e ? RegistryCommand.Address(e, "--escrow") : null;
            var wanted = parse.GetValue(service);
            using var rpc = RegistryCommand.Rpc(parse.GetValue(rpcUrl)!);
            var snapshot = await new MarketReader(rpc, registryAddress, escrowAddress).ReadAsync(parse.GetValue(fromBlock), ct);
            var serving = snapshot.Entries.Where(x => x.Serving && (wanted is null || x.Offers.Any(o => o.Service == wanted))).ToList();
            Console.WriteLine($"registry {registryAddress} at block {snapshot.Block}: {serving.Count} provider(s) serving" +
                              (wanted is null ? "" : $" '{wanted}'") + (escrowAddress is null ? " (no --escrow: no reputations)" : ""));
            foreach (var x in serving)
            {
                var r = snapshot.ReputationOf(x);
                Console.WriteLine($"{x.Provider}  {x.Endpoint}  stake {x.Stake} wei  payee {x.Payee}");
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  record: {r.Opened} opened, {r.Claimed} claimed, {r.Refunded} refunded, {r.Expired} expired, {r.DistinctCustomers} customers, " +
                    $"median open-to-claim {(r.MedianSecondsToClaim is { } m ? $"{m:0} s" : "-")}, reliability {r.Reliability:0.000}"));
                foreach (var o in x.Offers.Where(o => wanted is null || o.Service == wanted))
                    Console.WriteLine($"  offer: {o.Service} {o.Price} {(o.IsEth ? "wei" : "units of " + o.Token)} per {(o.Basis == PriceBasis.PerTask ? "task" : "unit")}" +
                                      (o.MaxUnits > 0 ? $", at most {o.MaxUnits} units" : "") + (o.MaxConcurrent > 0 ? $", {o.MaxConcurrent} at once" : ""));
            }

            if (parse.GetValue(maxWage) is { } max)
            {
                if (wanted is null) throw new CliException("--max-wage needs --service");
                var cur = parse.GetValue(currency)!;
                var request = new MarketRequest(wanted, cur.Equals("ETH", StringComparison.OrdinalIgnoreCase) ? EthereumAddress.Zero : RegistryCommand.Address(cur, "--currency"),
                    parse.GetValue(units), RegistryCommand.Wei(max, "--max-wage", allowZero: false));
                if (request.Units == 0) throw new CliException("--units must be at least 1");
                var (ranked, excluded) = Matching.Rank(snapshot.Entries, snapshot.Reputations, request);
                Console.WriteLine($"ranking for '{wanted}', {request.Units} unit(s), at most {request.MaxWage}:");
                for (var i = 0; i < ranked.Count; i++) Console.WriteLine($"  {i + 1}. {ranked[i].Explain()}");
                foreach (var x in excluded) Console.WriteLine($"  left out: {x.Provider}: {x.Reason}");
            }
            return 0;
        });
        return command;
    }
}
