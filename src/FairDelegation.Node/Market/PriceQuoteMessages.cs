using System.Globalization;
using System.Numerics;
using FairDelegation.Chain.Crypto;
using FairDelegation.Protocol.Market;
using FairDelegation.Protocol.Serialization;

namespace FairDelegation.Node.Market;

/// <summary>
/// POST /api/market/quote: a customer asks a registered provider for a signed price quote (docs/market.md, "Quotes").
/// Amounts are decimal strings; <c>Currency</c> is "ETH" (or absent) or an ERC-20 token address.
/// </summary>
public sealed record PriceQuoteRequest
{
    /// <summary>The customer's wallet address (who will open the escrow).</summary>
    public string? Customer { get; init; }

    public string? Service { get; init; }

    public string? Currency { get; init; }

    /// <summary>Units of work (default 1).</summary>
    public ulong? Units { get; init; }

    /// <summary>The most the customer pays, in wei or token base units.</summary>
    public string? MaxWage { get; init; }

    /// <summary>The customer's fresh random 32 bytes (0x + 64 hex): a quote answers exactly one request.</summary>
    public string? RequestId { get; init; }
}

/// <summary>A signed quote on the wire (and in a delegation's status): <see cref="MarketQuote"/>'s fields as strings.</summary>
public sealed record PriceQuoteView(string Provider, string Customer, string Service, string Token, ulong Units, string Wage, long ExpiresAt,
    string RequestId, string Signature)
{
    public static PriceQuoteView Of(MarketQuote q) => new(q.Provider.ToLowerHex(), q.Customer.ToLowerHex(), q.Service, q.Token.ToLowerHex(), q.Units,
        q.Wage.ToString(CultureInfo.InvariantCulture), q.ExpiresAt, q.RequestId.ToHex(), q.Signature.ToHex());

    /// <summary>The quote back (throws FormatException on a malformed field).</summary>
    public MarketQuote ToQuote() => new(EthereumAddress.Parse(Provider), EthereumAddress.Parse(Customer), Service, EthereumAddress.Parse(Token), Units,
        BigInteger.TryParse(Wage, NumberStyles.None, CultureInfo.InvariantCulture, out var w) ? w : throw new FormatException($"wage '{Wage}' is not a decimal number"),
        ExpiresAt, Bytes32.Parse(RequestId), EcdsaSignature.FromHex(Signature));
}
