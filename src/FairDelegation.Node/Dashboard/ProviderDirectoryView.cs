using FairDelegation.Chain.Crypto;
using FairDelegation.Protocol.Market;

namespace FairDelegation.Node.Dashboard;

/// <summary>
/// What the dashboard's provider page reads: the market's directory (<see cref="ProviderDirectory"/>, a fold over the
/// registry's events) and each payee's record (<see cref="ReputationBook"/>, from the escrow's events). A node has one
/// only when it follows a provider registry; without it the page says no registry is configured instead of showing an
/// empty list.
/// </summary>
public interface IProviderDirectoryView
{
    /// <summary>Where the directory comes from (e.g. the registry contract's address), shown above the list.</summary>
    string Source { get; }

    /// <summary>Providers serving now, optionally only those offering <paramref name="service"/>.</summary>
    IReadOnlyList<DirectoryEntry> Serving(string? service);

    /// <summary>Every payee's record as of now.</summary>
    Task<IReadOnlyDictionary<EthereumAddress, ProviderReputation>> ReputationsAsync(CancellationToken ct);
}

/// <summary>
/// The view over the market's own pieces: a <see cref="ProviderDirectory"/> kept up to date by whoever follows the
/// registry's logs, and a source of escrow facts folded by <see cref="ReputationBook.Compute"/>.
/// </summary>
public sealed class MarketDirectoryView(string source, ProviderDirectory directory, Func<CancellationToken, Task<IEnumerable<EscrowFact>>> escrowFacts,
    TimeProvider time) : IProviderDirectoryView
{
    public string Source => source;

    public IReadOnlyList<DirectoryEntry> Serving(string? service) => directory.Serving(service);

    public async Task<IReadOnlyDictionary<EthereumAddress, ProviderReputation>> ReputationsAsync(CancellationToken ct) =>
        ReputationBook.Compute(await escrowFacts(ct), time.GetUtcNow().ToUnixTimeSeconds());
}
