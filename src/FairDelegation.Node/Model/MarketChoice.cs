using System.Numerics;

namespace FairDelegation.Node.Model;

/// <summary>
/// The market step of a delegation started by service and maximum wage (docs/market.md): the provider chosen (null URL
/// when nobody quoted), its quoted wage, why, every provider asked and who was left out. Kept in the delegation's
/// status: the quotes are the providers' signed word on their price.
/// </summary>
public sealed record MarketChoice
{
    /// <summary>The chosen provider's endpoint, or null when nobody quoted.</summary>
    public string? ProviderUrl { get; init; }

    /// <summary>The chosen provider's registered identity (pinned for the agreement).</summary>
    public string? Provider { get; init; }

    /// <summary>Its quoted wage (wei or token base units).</summary>
    public BigInteger Wage { get; init; }

    /// <summary>"ETH" or the token's address.</summary>
    public string Currency { get; init; } = "ETH";

    /// <summary>Why the choice fell where it did (the score's parts), or why nobody was chosen.</summary>
    public required string Why { get; init; }

    /// <summary>The chain's block the directory and the records were read at.</summary>
    public long Block { get; init; }

    /// <summary>Every provider asked, best-ranked first: its quote or why it was passed over.</summary>
    public IReadOnlyList<QuoteConsidered> Quotes { get; init; } = [];

    /// <summary>Providers left out before asking, each with the reason ("wage ... is above the maximum ...").</summary>
    public IReadOnlyList<string> LeftOut { get; init; } = [];

    /// <summary>
    /// The choice once the chosen provider refused the terms at (0) or did not answer them (the market quote carries no
    /// SLA, so a provider may quote and then refuse, e.g. a command SLA it does not run): its quote is marked with
    /// <paramref name="reason"/> and the best-scored remaining valid quote is chosen (ties: lower wage, then lower
    /// address). Null when no valid quote remains. Pure, so an orchestration may call it (replay gives the same choice).
    /// </summary>
    public MarketChoice? PassOver(string? reason)
    {
        var passed = Provider;
        var quotes = Quotes.Select(q => q.Chosen ? q with { Chosen = false, Failure = $"refused the terms at (0): {reason}" } : q).ToList();
        var next = quotes.Where(q => q.Failure is null && q.Wage is not null && q.Signature is not null)
            .OrderByDescending(q => q.Score).ThenBy(q => BigInteger.Parse(q.Wage!, System.Globalization.CultureInfo.InvariantCulture))
            .ThenBy(q => q.Provider, StringComparer.Ordinal).FirstOrDefault();
        if (next is null) return null;
        quotes[quotes.IndexOf(next)] = next with { Chosen = true };
        return this with
        {
            ProviderUrl = next.Endpoint, Provider = next.Provider, Wage = BigInteger.Parse(next.Wage!, System.Globalization.CultureInfo.InvariantCulture),
            Why = $"{passed} refused the terms at (0) ({reason}); passed over for the next valid quote: chose {next.Provider} at {next.Wage} ({Currency}), score {next.Score}",
            Quotes = quotes,
        };
    }
}

/// <summary>One provider asked for a quote: its score before asking, the signed quote (as sent), or why it was passed over.</summary>
public sealed record QuoteConsidered
{
    public required string Provider { get; init; }
    public required string Endpoint { get; init; }
    public double Score { get; init; }
    public bool Chosen { get; init; }

    /// <summary>The quoted wage (decimal), when it quoted.</summary>
    public string? Wage { get; init; }

    public long? ExpiresAt { get; init; }

    /// <summary>The provider's EIP-712 signature over the quote (0x + 130 hex), when it quoted.</summary>
    public string? Signature { get; init; }

    public string? RequestId { get; init; }

    /// <summary>Why it was passed over (refused, silent, unreachable, invalid quote).</summary>
    public string? Failure { get; init; }
}
