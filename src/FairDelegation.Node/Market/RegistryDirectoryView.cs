using FairDelegation.Chain.Crypto;
using FairDelegation.Node.Dashboard;

namespace FairDelegation.Node.Market;

/// <summary>The dashboard's provider page over the registry and the escrow (registered when the node names a registry).</summary>
public sealed class RegistryDirectoryView(MarketReader reader) : IProviderDirectoryView
{
    public string Source => $"registry {reader.Registry}";

    /// <summary>The view of the node's configured registry and escrow (their addresses are checked here, naming the setting).</summary>
    public static RegistryDirectoryView Create(FairDelegation.Chain.Rpc.EthRpcClient rpc, Configuration.ChainOptions chain)
    {
        if (!EthereumAddress.TryParse(chain.RegistryAddress, out var registry))
            throw new InvalidOperationException($"FairDelegation:Chain:RegistryAddress '{chain.RegistryAddress}' is not an address (0x + 40 hex digits)");
        EthereumAddress.TryParse(chain.EscrowAddress, out var escrow);
        return new RegistryDirectoryView(new MarketReader(rpc, registry!, escrow));
    }

    public async Task<IReadOnlyList<ProviderListing>> ListAsync(string? service, CancellationToken ct)
    {
        var snapshot = await reader.ReadAsync(0, ct);
        return [.. snapshot.Entries
            .Where(e => e.Serving && (service is null || e.Offers.Any(o => o.Service == service)))
            .Select(e =>
            {
                var r = snapshot.ReputationOf(e);
                return new ProviderListing(e.Provider.ToString(), e.Endpoint, e.Payee.ToString(), e.Stake,
                    [.. e.Offers.Select(o => new ProviderOfferListing(o.Service, o.Price, o.Basis == Protocol.Market.PriceBasis.PerTask ? "task" : "unit", o.CurrencyName))],
                    new ProviderReputationListing(r.Opened, r.Claimed, r.Refunded + r.Expired,
                        r.WagesEarned.GetValueOrDefault(EthereumAddress.Zero), r.DistinctCustomers,
                        r.MedianSecondsToClaim is { } s ? TimeSpan.FromSeconds(s) : null));
            })];
    }
}
