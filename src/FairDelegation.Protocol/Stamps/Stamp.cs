using System.Numerics;
using FairDelegation.Chain.Crypto;
using FairDelegation.Protocol.Agreements;
using FairDelegation.Protocol.Encryption;
using FairDelegation.Protocol.Keys;
using FairDelegation.Protocol.Serialization;

namespace FairDelegation.Protocol.Stamps;

/// <summary>
/// S(sk_c, H(w') ‖ terms): an EIP-712 signature by the verifier key over
/// Stamp(bytes32 agreementId, bytes32 workHash, address workKey, uint256 wage) in the domain
/// {name "FairDelegation", version "1", chainId, verifyingContract = escrow} (docs/formats/stamp.md).
/// </summary>
public sealed record Stamp(Bytes32 AgreementId, WorkHash WorkHash, EthereumAddress WorkKey, BigInteger Wage, EcdsaSignature Signature)
{
    public const string DomainName = "FairDelegation";
    public const string DomainVersion = "1";
    public const string PrimaryType = "Stamp";

    private static readonly IReadOnlyDictionary<string, IReadOnlyList<TypedDataField>> Types =
        new Dictionary<string, IReadOnlyList<TypedDataField>>
        {
            [PrimaryType] =
            [
                new("agreementId", "bytes32"),
                new("workHash", "bytes32"),
                new("workKey", "address"),
                new("wage", "uint256"),
            ],
        };

    /// <summary>The typed-data document a stamp signs (also the JSON `cast wallet sign --data` reads).</summary>
    public static TypedData TypedData(BigInteger chainId, EthereumAddress escrow, Bytes32 agreementId, WorkHash workHash,
        EthereumAddress workKey, BigInteger wage) =>
        Chain.Crypto.TypedData.Create(new Eip712Domain(DomainName, DomainVersion, chainId, escrow), PrimaryType, Types,
            new Dictionary<string, object?>
            {
                ["agreementId"] = agreementId.ToArray(),
                ["workHash"] = workHash.ToArray(),
                ["workKey"] = workKey,
                ["wage"] = wage,
            });

    /// <summary>Signs H(w') for the agreement with sk_c; the key must be the terms' verifier key.</summary>
    public static Stamp Sign(AgreementTerms terms, WorkHash workHash, DisposableKeyPair verifierKey)
    {
        if (verifierKey.Address != terms.VerifierKey)
            throw new InvalidOperationException($"the verifier key {verifierKey.Address} is not the one the terms name ({terms.VerifierKey})");
        var td = TypedData(terms.ChainId, terms.Escrow, terms.AgreementId, workHash, terms.WorkKey, terms.Wage);
        var signature = verifierKey.UsePrivateKey(sk => td.Sign(sk));
        return new Stamp(terms.AgreementId, workHash, terms.WorkKey, terms.Wage, signature);
    }

    /// <summary>The address that signed this stamp in the given domain (chain id, escrow).</summary>
    public EthereumAddress RecoverSigner(BigInteger chainId, EthereumAddress escrow) =>
        TypedData(chainId, escrow, AgreementId, WorkHash, WorkKey, Wage).RecoverSigner(Signature);

    public string ToJson(bool indented = false) => ProtocolJson.Serialize(this, indented);

    public static Stamp FromJson(string json) => ProtocolJson.Deserialize<Stamp>(json, "stamp");
}
