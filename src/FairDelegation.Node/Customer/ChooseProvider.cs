using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using FairDelegation.Chain.Crypto;
using FairDelegation.Node.Chain;
using FairDelegation.Node.Configuration;
using FairDelegation.Node.Market;
using FairDelegation.Node.Model;
using FairDelegation.Protocol.Market;
using FairDelegation.Protocol.Serialization;
using Microsoft.Extensions.Options;

namespace FairDelegation.Node.Customer;

/// <summary>
/// Before (0), for a delegation started by service and maximum wage: the market step (docs/market.md). Ranks the
/// serving providers of the directory the <see cref="MarketWatcher"/> follows by the documented score, asks the best
/// <c>Market:QuoteBatchSize</c> at once for signed quotes, passes over a refusal, an invalid quote or silence
/// (<c>Market:QuoteSilence</c>) and asks the next ones if nobody in a batch quoted. Reads and asks only (no side
/// effect): a re-run asks again with a fresh request id.
/// </summary>
public sealed class ChooseProvider(MarketWatcher market, IOptions<NodeOptions> options, Wallet wallet, EscrowGateway escrow,
    IHttpClientFactory http) : TaskActivity<DelegationRequest, MarketChoice>
{
    /// <summary>The HttpClient quote requests go through (no retry: a provider that does not answer in time is passed over).</summary>
    public const string HttpClientName = "market-quotes";

    public override async Task<MarketChoice> RunAsync(TaskActivityContext context, DelegationRequest request)
    {
        var o = options.Value;
        var ct = CancellationToken.None;
        if (!o.Market.Enabled) return new MarketChoice { Why = "this node has no market registry configured (Market:RegistryAddress): name the provider's URL" };
        var currency = request.Currency is { Length: > 0 } c && !c.Equals("ETH", StringComparison.OrdinalIgnoreCase) ? EthereumAddress.Parse(c) : EthereumAddress.Zero;
        var wanted = new MarketRequest(request.Service, currency, 1, request.MaxWage);
        var snapshot = await market.SnapshotAsync(o.Market.DirectoryCatchUp, ct);
        var (ranked, excluded) = Matching.Rank(snapshot.Entries, snapshot.Reputations, wanted);
        var registry = EthereumAddress.Parse(o.Market.RegistryAddress!);
        var requestId = Bytes32.Random();
        var client = http.CreateClient(HttpClientName);
        var now = await escrow.ChainTimeAsync(ct);
        var pick = await QuoteRound.RunAsync(wanted, ranked, excluded,
            (candidate, token) => AskAsync(client, candidate, wanted, requestId, token),
            (candidate, quote) => quote.Rejection(o.Chain.ChainId, registry, candidate.Provider.Provider, wallet.Address, wanted, requestId, now),
            o.Market.QuoteBatchSize, o.Market.QuoteSilence, ct);
        return new MarketChoice
        {
            ProviderUrl = pick.Chosen?.Provider.Endpoint,
            Provider = pick.Chosen?.Provider.Provider.ToLowerHex(),
            Wage = pick.Quote?.Wage ?? 0,
            Currency = currency == EthereumAddress.Zero ? "ETH" : currency.ToLowerHex(),
            Why = ranked.Count == 0 ? "no provider in the market can serve this request: " + string.Join("; ", excluded.Select(x => $"{x.Provider}: {x.Reason}")) : pick.Why(),
            Block = snapshot.Block,
            Quotes = [.. pick.Attempts.Select(a => new QuoteConsidered
            {
                Provider = a.Provider.ToLowerHex(), Endpoint = a.Endpoint, Score = Math.Round(a.Score, 4),
                Chosen = pick.Quote is not null && a.Quote == pick.Quote,
                Wage = a.Quote?.Wage.ToString(CultureInfo.InvariantCulture), ExpiresAt = a.Quote?.ExpiresAt, Signature = a.Quote?.Signature.ToHex(),
                RequestId = a.Quote?.RequestId.ToHex(), Failure = a.Failure,
            })],
            LeftOut = [.. excluded.Select(x => $"{x.Provider.ToLowerHex()}: {x.Reason}")],
        };
    }

    private async Task<MarketQuote> AskAsync(HttpClient client, MarketCandidate candidate, MarketRequest wanted, Bytes32 requestId, CancellationToken ct)
    {
        var body = new PriceQuoteRequest
        {
            Customer = wallet.Address.ToLowerHex(), Service = wanted.Service,
            Currency = wanted.Currency == EthereumAddress.Zero ? "ETH" : wanted.Currency.ToLowerHex(), Units = wanted.Units,
            MaxWage = wanted.MaxWage.ToString(CultureInfo.InvariantCulture), RequestId = requestId.ToHex(),
        };
        using var response = await client.PostAsJsonAsync(candidate.Provider.Endpoint.TrimEnd('/') + "/api/market/quote", body, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if ((int)response.StatusCode is >= 400 and < 500)
            throw new QuoteRefusedException(Detail(text) ?? $"HTTP {(int)response.StatusCode}");
        if (!response.IsSuccessStatusCode) throw new HttpRequestException($"HTTP {(int)response.StatusCode}: {Detail(text)}");
        var view = JsonSerializer.Deserialize<PriceQuoteView>(text, JsonSerializerOptions.Web) ?? throw new FormatException("an empty quote");
        try { return view.ToQuote(); }
        catch (ArgumentException e) { throw new FormatException(e.Message); }
    }

    private static string? Detail(string problemJson)
    {
        try
        {
            using var doc = JsonDocument.Parse(problemJson);
            return doc.RootElement.TryGetProperty("detail", out var d) ? d.GetString() : null;
        }
        catch (JsonException) { return problemJson.Length > 200 ? problemJson[..200] : problemJson; }
    }
}
