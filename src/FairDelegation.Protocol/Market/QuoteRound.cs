using System.Numerics;
using FairDelegation.Chain.Crypto;

namespace FairDelegation.Protocol.Market;

/// <summary>One provider asked for a quote: the quote it signed, or why it was passed over.</summary>
public sealed record QuoteAttempt(EthereumAddress Provider, string Endpoint, double Score, MarketQuote? Quote, string? Failure);

/// <summary>The outcome of the market step: the chosen provider and its quote (null when nobody quoted), every quote asked for, and who was left out.</summary>
public sealed record MarketPick(MarketCandidate? Chosen, MarketQuote? Quote, IReadOnlyList<QuoteAttempt> Attempts, IReadOnlyList<MarketExclusion> Excluded)
{
    /// <summary>Why the choice fell where it did, for the CLI, the demo and the delegation's status.</summary>
    public string Why() => Chosen is null
        ? "no provider quoted: " + string.Join("; ", Attempts.Select(a => $"{a.Provider}: {a.Failure}"))
        : $"chose {Chosen.Provider.Provider} at {Quote!.Wage} ({Chosen.Offer.CurrencyName}): the best score among valid quotes; {Chosen.Explain()}";
}

/// <summary>
/// Asks ranked candidates for signed quotes and picks one (docs/market.md, "Quotes"): the best
/// <c>batchSize</c> are asked at once, each given <c>silence</c> to answer; a refusal, an
/// invalid quote or silence passes that provider over; among valid quotes the candidate ranking decides (the quoted
/// wage replaces the offer's if lower, which can only raise a score). Nobody valid in a batch: the next batch is asked.
/// </summary>
public static class QuoteRound
{
    /// <param name="request">what the customer asked for (its maximum wage rescores a lower quote)</param>
    /// <param name="ranked">the candidates, best first (<see cref="Matching.Rank"/>)</param>
    /// <param name="excluded">who was left out and why, passed through to the result</param>
    /// <param name="ask">asks one candidate; returns its quote, or throws <see cref="QuoteRefusedException"/> with its reason</param>
    /// <param name="check">why a quote must not be acted on (see <see cref="MarketQuote.Rejection"/>), or null</param>
    /// <param name="batchSize">how many candidates are asked at once</param>
    /// <param name="silence">how long each is given to answer</param>
    /// <param name="ct">cancels the whole round</param>
    public static async Task<MarketPick> RunAsync(MarketRequest request, IReadOnlyList<MarketCandidate> ranked, IReadOnlyList<MarketExclusion> excluded,
        Func<MarketCandidate, CancellationToken, Task<MarketQuote>> ask, Func<MarketCandidate, MarketQuote, string?> check,
        int batchSize, TimeSpan silence, CancellationToken ct)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), "ask at least one provider at a time");
        var attempts = new List<QuoteAttempt>();
        for (var start = 0; start < ranked.Count; start += batchSize)
        {
            var batch = ranked.Skip(start).Take(batchSize).ToList();
            var answers = await Task.WhenAll(batch.Select(c => AskOneAsync(c, ask, check, silence, ct)));
            attempts.AddRange(answers);
            var valid = batch.Zip(answers).Where(p => p.Second.Quote is not null).ToList();
            if (valid.Count == 0) continue;
            // Re-score with the quoted wage (never above the offer's: a quote above it was already refused by check).
            var best = valid
                .Select(p => (Candidate: Rescore(p.First, p.Second.Quote!.Wage, request.MaxWage), p.Second.Quote))
                .OrderByDescending(p => p.Candidate.Score)
                .ThenBy(p => p.Candidate.Wage)
                .ThenBy(p => p.Candidate.Provider.Provider.ToLowerHex(), StringComparer.Ordinal)
                .First();
            return new MarketPick(best.Candidate, best.Quote, attempts, excluded);
        }
        return new MarketPick(null, null, attempts, excluded);
    }

    private static async Task<QuoteAttempt> AskOneAsync(MarketCandidate c, Func<MarketCandidate, CancellationToken, Task<MarketQuote>> ask,
        Func<MarketCandidate, MarketQuote, string?> check, TimeSpan silence, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(silence);
        try
        {
            var quote = await ask(c, timeout.Token).WaitAsync(timeout.Token);
            if (check(c, quote) is { } why) return new QuoteAttempt(c.Provider.Provider, c.Provider.Endpoint, c.Score, null, "invalid quote: " + why);
            if (quote.Wage > c.Wage) return new QuoteAttempt(c.Provider.Provider, c.Provider.Endpoint, c.Score, null,
                $"quoted {quote.Wage}, above its registered price {c.Wage}");
            return new QuoteAttempt(c.Provider.Provider, c.Provider.Endpoint, c.Score, quote, null);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new QuoteAttempt(c.Provider.Provider, c.Provider.Endpoint, c.Score, null, $"silent for {silence.TotalSeconds:0.#} s");
        }
        catch (QuoteRefusedException e)
        {
            return new QuoteAttempt(c.Provider.Provider, c.Provider.Endpoint, c.Score, null, "refused: " + e.Message);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or FormatException or System.Text.Json.JsonException)
        {
            return new QuoteAttempt(c.Provider.Provider, c.Provider.Endpoint, c.Score, null, "unreachable: " + e.Message);
        }
    }

    private static MarketCandidate Rescore(MarketCandidate c, BigInteger quotedWage, BigInteger maxWage)
    {
        if (quotedWage >= c.Wage) return c;
        var parts = c.Parts with { Price = Matching.PricePart(quotedWage, maxWage) };
        return c with { Wage = quotedWage, Parts = parts, Score = Matching.ScoreOf(parts) };
    }
}

/// <summary>A provider declined to quote (its reason travels into the delegation's status).</summary>
public sealed class QuoteRefusedException(string reason) : Exception(reason);
