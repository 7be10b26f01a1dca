using System.Globalization;
using System.Numerics;
using FairDelegation.Chain.Crypto;
using FairDelegation.Node.Chain;
using FairDelegation.Node.Configuration;
using FairDelegation.Node.Peers;
using FairDelegation.Node.Services;
using FairDelegation.Protocol.Market;
using FairDelegation.Protocol.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FairDelegation.Node.Market;

/// <summary>A provider declines to quote: the reason goes back to the customer (409), a malformed field is a 400.</summary>
public sealed record PriceQuoteAnswer(PriceQuoteView? Quote, string? Refusal, Dictionary<string, string[]>? Errors);

/// <summary>
/// The provider's side of the market's quote round (docs/market.md, "Quotes"): a price for one request, signed with the
/// node identity the provider registered (EIP-712, expiring after <c>Market:QuoteLifetime</c> of chain time). It quotes
/// the price of its offer for the service, the one it registers, and refuses when it does not offer the service in the
/// currency, when the customer's maximum is below its price, or when its wallet cannot pay for the claim (it would
/// work for nothing). A quote promises nothing on chain: the terms of step (0) still fix the agreement.
/// </summary>
public sealed class PriceQuotes(IOptions<NodeOptions> options, ServiceCatalog catalog, NodeIdentity identity, EscrowGateway escrow,
    WalletFunding funding, ILogger<PriceQuotes> log)
{
    public async Task<PriceQuoteAnswer> AnswerAsync(PriceQuoteRequest request, CancellationToken ct)
    {
        var o = options.Value;
        var errors = new Dictionary<string, string[]>();
        EthereumAddress.TryParse(request.Customer, out var customer);
        if (customer is null) errors["customer"] = ["must be an address (0x + 40 hex digits)"];
        if (string.IsNullOrWhiteSpace(request.Service)) errors["service"] = ["is required"];
        var currency = EthereumAddress.Zero;
        if (request.Currency is { Length: > 0 } c && !c.Equals("ETH", StringComparison.OrdinalIgnoreCase))
        {
            if (EthereumAddress.TryParse(c, out var token)) currency = token!;
            else errors["currency"] = ["must be \"ETH\" or a token address"];
        }
        if (request.Units is 0) errors["units"] = ["must be at least 1"];
        if (!BigInteger.TryParse(request.MaxWage, NumberStyles.None, CultureInfo.InvariantCulture, out var maxWage) || maxWage.Sign <= 0)
            errors["maxWage"] = ["must be a positive decimal number, as a string"];
        Bytes32? requestId = null;
        try { requestId = Bytes32.Parse(request.RequestId ?? ""); }
        catch (FormatException) { errors["requestId"] = ["must be 0x + 64 hex digits"]; }
        if (errors.Count > 0) return new PriceQuoteAnswer(null, null, errors);
        if (!o.Market.Enabled) return Refuse("this provider is not in a market (no Market:RegistryAddress)");

        var units = request.Units ?? 1;
        if (catalog.Find(request.Service!) is null)
            return Refuse($"service '{request.Service}' is not offered here (offered: {string.Join(", ", catalog.Names)})");
        var offer = MarketOffers.Of(o, request.Service!);
        if (offer.Token != currency) return Refuse($"service '{request.Service}' is priced in {offer.CurrencyName}, not {(currency == EthereumAddress.Zero ? "ETH" : currency)}");
        var wage = offer.WageFor(units);
        if (wage > maxWage) return Refuse($"the price {wage} is above the customer's maximum {maxWage}");
        // A provider that cannot pay for its claim would work for nothing: it says so before anybody waits on it.
        if (await funding.ProblemAsync(0, ct) is { } poor)
        {
            log.LogWarning("Refusing a price quote for {Service}: {Problem}", request.Service, poor);
            return Refuse($"the provider cannot pay for its claim transaction: {poor}");
        }
        var expiresAt = await escrow.ChainTimeAsync(ct) + (long)o.Market.QuoteLifetime.TotalSeconds;
        var quote = MarketQuote.Sign(o.Chain.ChainId, EthereumAddress.Parse(o.Market.RegistryAddress!), identity.Address, customer!, request.Service!,
            currency, units, wage, expiresAt, requestId!, digest => identity.Sign(digest));
        return new PriceQuoteAnswer(PriceQuoteView.Of(quote), null, null);

        static PriceQuoteAnswer Refuse(string why) => new(null, why, null);
    }
}

/// <summary>The offers a provider node registers: one per configured service, at its configured price, per task.</summary>
public static class MarketOffers
{
    public static MarketOffer Of(NodeOptions o, string service)
    {
        var cfg = o.Provider.Services[service];
        return new MarketOffer(service, cfg.Token, cfg.Wage, PriceBasis.PerTask, 0, 0);
    }

    public static IReadOnlyList<MarketOffer> All(NodeOptions o) =>
        [.. o.Provider.Services.Keys.OrderBy(k => k, StringComparer.Ordinal).Select(k => Of(o, k))];
}
