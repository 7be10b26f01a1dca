using System.Globalization;
using System.Numerics;
using FairDelegation.Chain.Crypto;

namespace FairDelegation.Protocol.Market;

/// <summary>What a customer asks the market for: a service, in a currency, of a size, for at most a wage.</summary>
public sealed record MarketRequest(string Service, EthereumAddress Currency, ulong Units, BigInteger MaxWage)
{
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Service)) throw new ArgumentException("the service is empty", nameof(Service));
        if (Units == 0) throw new ArgumentException("units must be at least 1", nameof(Units));
        if (MaxWage <= 0) throw new ArgumentException("the maximum wage must be positive", nameof(MaxWage));
    }
}

/// <summary>The three parts of a score, each in [0, 1] (docs/market.md, "Matching").</summary>
public sealed record ScoreParts(double Price, double Reliability, double Stake);

/// <summary>A provider that can serve the request, its wage for it and its score.</summary>
public sealed record MarketCandidate(DirectoryEntry Provider, MarketOffer Offer, BigInteger Wage, ProviderReputation Reputation,
    ScoreParts Parts, double Score)
{
    /// <summary>One line for the CLI, the demo and the delegation's status: why this provider ranks where it does.</summary>
    public string Explain() => string.Create(CultureInfo.InvariantCulture,
        $"{Provider.Provider} wage {Wage} ({Offer.CurrencyName}) score {Score:0.000} = " +
        $"{Matching.PriceWeight:0.00}*price {Parts.Price:0.000} + {Matching.ReliabilityWeight:0.00}*reliability {Parts.Reliability:0.000} " +
        $"({Reputation.Claimed} claimed, {Reputation.Refunded + Reputation.Expired} refunded or expired, {Reputation.DistinctCustomers} customers) + " +
        $"{Matching.StakeWeight:0.00}*stake {Parts.Stake:0.000}");
}

/// <summary>A provider left out, and why (shown next to the ranking so a customer sees the whole market).</summary>
public sealed record MarketExclusion(EthereumAddress Provider, string Reason);

/// <summary>
/// The matching score (docs/market.md, "Matching"):
/// score = 0.50 * price + 0.35 * reliability + 0.15 * stake, where
/// price = (maxWage - wage) / maxWage (cheaper is better; 0 at the customer's maximum),
/// reliability = <see cref="ProviderReputation.Reliability"/> (0.5 for a newcomer),
/// stake = the provider's stake / the largest stake among the candidates.
/// Only serving providers with an offer for the service in the currency, whose limits admit the units and whose wage is
/// at most the maximum, are candidates. Ties go to the lower wage, then to the lower address (deterministic).
/// </summary>
public static class Matching
{
    public const double PriceWeight = 0.50;
    public const double ReliabilityWeight = 0.35;
    public const double StakeWeight = 0.15;

    public static (IReadOnlyList<MarketCandidate> Ranked, IReadOnlyList<MarketExclusion> Excluded) Rank(
        IEnumerable<DirectoryEntry> directory, IReadOnlyDictionary<EthereumAddress, ProviderReputation> reputations, MarketRequest request)
    {
        request.Validate();
        var eligible = new List<(DirectoryEntry Entry, MarketOffer Offer, BigInteger Wage)>();
        var excluded = new List<MarketExclusion>();
        foreach (var entry in directory)
        {
            if (!entry.Serving) { excluded.Add(new(entry.Provider, "left the market")); continue; }
            if (entry.OfferFor(request.Service, request.Currency) is not { } offer)
            {
                excluded.Add(new(entry.Provider, $"no offer for '{request.Service}' in {CurrencyName(request.Currency)}"));
                continue;
            }
            if (!offer.Accepts(request.Units)) { excluded.Add(new(entry.Provider, $"takes at most {offer.MaxUnits} units")); continue; }
            var wage = offer.WageFor(request.Units);
            if (wage > request.MaxWage) { excluded.Add(new(entry.Provider, $"wage {wage} is above the maximum {request.MaxWage}")); continue; }
            eligible.Add((entry, offer, wage));
        }

        var maxStake = eligible.Count == 0 ? BigInteger.Zero : eligible.Max(c => c.Entry.Stake);
        var ranked = eligible.Select(c =>
            {
                var reputation = reputations.GetValueOrDefault(c.Entry.Payee) ?? ProviderReputation.Empty(c.Entry.Payee);
                var parts = new ScoreParts(
                    Price: PricePart(c.Wage, request.MaxWage),
                    Reliability: reputation.Reliability,
                    Stake: maxStake.IsZero ? 0 : Ratio(c.Entry.Stake, maxStake));
                return new MarketCandidate(c.Entry, c.Offer, c.Wage, reputation, parts, ScoreOf(parts));
            })
            .OrderByDescending(c => c.Score)
            .ThenBy(c => c.Wage)
            .ThenBy(c => c.Provider.Provider.ToLowerHex(), StringComparer.Ordinal)
            .ToList();
        return (ranked, excluded);
    }

    /// <summary>(maxWage - wage) / maxWage: 0 at the customer's maximum, towards 1 for a nearly free offer.</summary>
    public static double PricePart(BigInteger wage, BigInteger maxWage) => Ratio(maxWage - wage, maxWage);

    public static double ScoreOf(ScoreParts parts) =>
        PriceWeight * parts.Price + ReliabilityWeight * parts.Reliability + StakeWeight * parts.Stake;

    /// <summary>a / b as a double for BigIntegers of any size (a, b ≥ 0, b &gt; 0).</summary>
    private static double Ratio(BigInteger a, BigInteger b)
    {
        // Scale both down to 53 bits of precision so the division works beyond double's integer range.
        var shift = Math.Max(0, (int)b.GetBitLength() - 53);
        return (double)(a >> shift) / (double)(b >> shift);
    }

    private static string CurrencyName(EthereumAddress currency) => currency == EthereumAddress.Zero ? "ETH" : currency.ToString();
}
