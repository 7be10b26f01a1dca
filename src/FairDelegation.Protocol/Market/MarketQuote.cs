using System.Numerics;
using FairDelegation.Chain.Crypto;
using FairDelegation.Protocol.Serialization;

namespace FairDelegation.Protocol.Market;

/// <summary>
/// A provider's signed, expiring price quote for one request (docs/market.md, "Quotes"): an EIP-712 signature by the
/// provider's node identity (the address it registered) over
/// Quote(address provider, address customer, string service, address token, uint64 units, uint256 wage, uint64 expiresAt, bytes32 requestId)
/// in the domain {name "FairDelegation Market", version "1", chainId, verifyingContract = the registry}. The customer
/// keeps the quotes it considered in the delegation's status: a provider cannot later deny its price.
/// </summary>
public sealed record MarketQuote(
    EthereumAddress Provider,
    EthereumAddress Customer,
    string Service,
    EthereumAddress Token,
    ulong Units,
    BigInteger Wage,
    long ExpiresAt,
    Bytes32 RequestId,
    EcdsaSignature Signature)
{
    public const string DomainName = "FairDelegation Market";
    public const string DomainVersion = "1";
    public const string PrimaryType = "Quote";

    private static readonly IReadOnlyDictionary<string, IReadOnlyList<TypedDataField>> Types =
        new Dictionary<string, IReadOnlyList<TypedDataField>>
        {
            [PrimaryType] =
            [
                new("provider", "address"),
                new("customer", "address"),
                new("service", "string"),
                new("token", "address"),
                new("units", "uint64"),
                new("wage", "uint256"),
                new("expiresAt", "uint64"),
                new("requestId", "bytes32"),
            ],
        };

    /// <summary>The typed-data document a quote signs (also what `cast wallet sign --data` reads).</summary>
    public static TypedData TypedData(BigInteger chainId, EthereumAddress registry, EthereumAddress provider, EthereumAddress customer,
        string service, EthereumAddress token, ulong units, BigInteger wage, long expiresAt, Bytes32 requestId) =>
        Chain.Crypto.TypedData.Create(new Eip712Domain(DomainName, DomainVersion, chainId, registry), PrimaryType, Types,
            new Dictionary<string, object?>
            {
                ["provider"] = provider,
                ["customer"] = customer,
                ["service"] = service,
                ["token"] = token,
                ["units"] = new BigInteger(units),
                ["wage"] = wage,
                ["expiresAt"] = new BigInteger(expiresAt),
                ["requestId"] = requestId.ToArray(),
            });

    /// <summary>Signs a quote with the provider's identity (<paramref name="signDigest"/> signs a 32-byte digest with its key).</summary>
    public static MarketQuote Sign(BigInteger chainId, EthereumAddress registry, EthereumAddress provider, EthereumAddress customer,
        string service, EthereumAddress token, ulong units, BigInteger wage, long expiresAt, Bytes32 requestId,
        Func<byte[], EcdsaSignature> signDigest)
    {
        var td = TypedData(chainId, registry, provider, customer, service, token, units, wage, expiresAt, requestId);
        return new MarketQuote(provider, customer, service, token, units, wage, expiresAt, requestId, signDigest(td.Digest()));
    }

    /// <summary>The address that signed this quote in the given domain.</summary>
    public EthereumAddress RecoverSigner(BigInteger chainId, EthereumAddress registry) =>
        TypedData(chainId, registry, Provider, Customer, Service, Token, Units, Wage, ExpiresAt, RequestId).RecoverSigner(Signature);

    /// <summary>
    /// Why the customer must not act on this quote for <paramref name="request"/> from <paramref name="expected"/>, or null
    /// when it may: signed by the provider it asked, for this customer, service, currency, size and request, unexpired,
    /// and within the maximum wage.
    /// </summary>
    public string? Rejection(BigInteger chainId, EthereumAddress registry, EthereumAddress expected, EthereumAddress customer,
        MarketRequest request, Bytes32 requestId, long now)
    {
        if (Provider != expected) return $"quote names provider {Provider}, not {expected}";
        EthereumAddress signer;
        try
        {
            signer = RecoverSigner(chainId, registry);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
        {
            return $"quote signature does not recover: {e.Message}";
        }
        if (signer != expected) return $"quote signed by {signer}, not by the provider {expected}";
        if (Customer != customer) return $"quote is for customer {Customer}, not {customer}";
        if (Service != request.Service) return $"quote is for service '{Service}', not '{request.Service}'";
        if (Token != request.Currency) return $"quote is in {Token}, not {request.Currency}";
        if (Units != request.Units) return $"quote is for {Units} units, not {request.Units}";
        if (RequestId != requestId) return "quote answers another request";
        if (now >= ExpiresAt) return $"quote expired at {ExpiresAt} (now {now})";
        if (Wage <= 0) return "quote wage is not positive";
        if (Wage > request.MaxWage) return $"quote wage {Wage} is above the maximum {request.MaxWage}";
        return null;
    }
}
