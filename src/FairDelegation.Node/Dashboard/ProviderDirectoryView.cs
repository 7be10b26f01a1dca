using System.Numerics;

namespace FairDelegation.Node.Dashboard;

/// <summary>
/// What the dashboard's provider page reads: the market's directory of registered providers with their reputation.
/// The node registers an implementation only when it is configured with a provider registry; without one, the page
/// says so instead of showing an empty list.
/// </summary>
public interface IProviderDirectoryView
{
    /// <summary>Where the directory comes from (e.g. the registry contract's address), shown above the list.</summary>
    string Source { get; }

    /// <summary>Registered providers, optionally only those offering <paramref name="service"/>.</summary>
    Task<IReadOnlyList<ProviderListing>> ListAsync(string? service, CancellationToken ct);
}

/// <summary>A registered provider: who it is, where it answers, what it offers, its stake and its record.</summary>
public sealed record ProviderListing(string Identity, string Url, string Payee, BigInteger StakeWei, IReadOnlyList<ProviderOfferListing> Offers,
    ProviderReputationListing? Reputation);

/// <summary>One offer: a service at a price (in wei of <see cref="Currency"/>, per <see cref="Unit"/>).</summary>
public sealed record ProviderOfferListing(string Service, BigInteger Price, string Unit, string Currency);

/// <summary>A provider's record computed from escrow events alone.</summary>
public sealed record ProviderReputationListing(int Opened, int Claimed, int Refunded, BigInteger WagesEarnedWei, int DistinctCustomers,
    TimeSpan? MedianOpenToClaim);
