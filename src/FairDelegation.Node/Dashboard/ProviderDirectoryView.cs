using FairDelegation.Node.Configuration;
using FairDelegation.Node.Market;
using Microsoft.Extensions.Options;

namespace FairDelegation.Node.Dashboard;

/// <summary>
/// What the dashboard's provider page reads: the market as of the chain's head (the registry's directory and each
/// payee's record from the escrow's events). <see cref="Source"/> is null on a node that follows no registry: the page
/// then says so instead of showing an empty list.
/// </summary>
public interface IProviderDirectoryView
{
    /// <summary>Where the directory comes from (the registry contract's address), shown above the list; null: no registry.</summary>
    string? Source { get; }

    /// <summary>The directory (every provider not withdrawn, serving or not) and the records, as of the chain's head.</summary>
    Task<MarketSnapshot> ReadAsync(CancellationToken ct);
}

/// <summary>
/// The node's own market: the <see cref="MarketWatcher"/> that follows the registry and the escrow continuously when
/// <c>Market:RegistryAddress</c> is set (the same one the customer's choice of provider reads), so the page shows
/// exactly the directory delegations choose from.
/// </summary>
public sealed class MarketDirectoryView(MarketWatcher watcher, IOptions<NodeOptions> options) : IProviderDirectoryView
{
    /// <summary>How long a page waits for the watcher to reach the chain's head (usually it is there already).</summary>
    public static readonly TimeSpan CatchUp = TimeSpan.FromSeconds(10);

    public string? Source => options.Value.Market is { Enabled: true, RegistryAddress: { } registry } ? $"the registry {registry}" : null;

    public Task<MarketSnapshot> ReadAsync(CancellationToken ct) => watcher.SnapshotAsync(CatchUp, ct);
}
