using System.Numerics;
using System.Text;
using System.Text.Json.Serialization;
using FairDelegation.Chain.Crypto;
using FairDelegation.Protocol.Keys;
using FairDelegation.Protocol.Serialization;
using FairDelegation.Protocol.Sla;

namespace FairDelegation.Protocol.Agreements;

/// <summary>
/// Everything customer and provider fix at step (0). The agreement id is keccak256 of the ABI encoding of the terms
/// (<see cref="CanonicalEncoding"/>, docs/formats/stamp.md), so the contract and any Ethereum tool can recompute it.
/// </summary>
/// <param name="ChainId">The chain the escrow lives on.</param>
/// <param name="Escrow">The escrow contract (also the stamp's EIP-712 verifyingContract).</param>
/// <param name="Customer">c's wallet: pays the wage, gets the refund.</param>
/// <param name="Payee">Where the wage goes on claim (fixed here, never msg.sender).</param>
/// <param name="WorkPublicKey">pk_sp, the disposable work key the verifier encrypts to.</param>
/// <param name="VerifierKey">address(pk_c): the only key whose stamps count.</param>
/// <param name="Wage">The wage in wei.</param>
/// <param name="DeliveryDeadline">Unix seconds by which sp delivers w' and the stamp.</param>
/// <param name="EscrowDeadline">Unix seconds: the escrow's claim deadline (refund after it).</param>
/// <param name="Service">The service's name (e.g. "train-classifier").</param>
/// <param name="Sla">The SLA the verifier enforces.</param>
/// <param name="InputHash">SHA-256 of the input c hands over at step (2) (zero when the service takes none).</param>
/// <param name="Nonce">32 random bytes: two otherwise equal agreements still get distinct ids.</param>
public sealed record AgreementTerms(
    BigInteger ChainId,
    EthereumAddress Escrow,
    EthereumAddress Customer,
    EthereumAddress Payee,
    PublicKey WorkPublicKey,
    EthereumAddress VerifierKey,
    BigInteger Wage,
    long DeliveryDeadline,
    long EscrowDeadline,
    string Service,
    ServiceLevelAgreement Sla,
    Bytes32 InputHash,
    Bytes32 Nonce)
{
    /// <summary>keccak256("FairDelegation.AgreementTerms.v1"): the first word of the encoding, a domain tag.</summary>
    public static readonly byte[] TypeTag = Keccak256.HashUtf8("FairDelegation.AgreementTerms.v1");

    /// <summary>address(pk_sp), what the escrow stores and the claim proves.</summary>
    [JsonIgnore]
    public EthereumAddress WorkKey => WorkPublicKey.Address;

    /// <summary>keccak256 of <see cref="CanonicalEncoding"/>.</summary>
    [JsonIgnore]
    public Bytes32 AgreementId => Bytes32.FromBytes(Keccak256.Hash(CanonicalEncoding()));

    /// <summary>
    /// abi.encode(bytes32 typeTag, uint256 chainId, address escrow, address customer, address payee, address workKey,
    /// address verifierKey, uint256 wage, uint64 deliveryDeadline, uint64 escrowDeadline, bytes32 keccak256(service),
    /// bytes32 slaHash, bytes32 inputHash, bytes32 nonce): 14 words, 448 bytes.
    /// </summary>
    public byte[] CanonicalEncoding()
    {
        Validate();
        var words = new byte[14 * 32];
        var w = 0;
        Span<byte> Next() => words.AsSpan(32 * w++, 32);
        TypeTag.CopyTo(Next());
        Secp256k1.WriteUInt256(ChainId, Next());
        Escrow.Bytes.CopyTo(Next()[12..]);
        Customer.Bytes.CopyTo(Next()[12..]);
        Payee.Bytes.CopyTo(Next()[12..]);
        WorkKey.Bytes.CopyTo(Next()[12..]);
        VerifierKey.Bytes.CopyTo(Next()[12..]);
        Secp256k1.WriteUInt256(Wage, Next());
        Secp256k1.WriteUInt256(DeliveryDeadline, Next());
        Secp256k1.WriteUInt256(EscrowDeadline, Next());
        Keccak256.Hash(Encoding.UTF8.GetBytes(Service)).CopyTo(Next());
        Sla.Hash().Bytes.CopyTo(Next());
        InputHash.Bytes.CopyTo(Next());
        Nonce.Bytes.CopyTo(Next());
        return words;
    }

    /// <summary>Throws a FormatException naming the first term that cannot be right.</summary>
    public void Validate()
    {
        if (ChainId.Sign <= 0) throw new FormatException("terms: chain id must be positive");
        if (Wage.Sign <= 0) throw new FormatException("terms: wage must be positive");
        if (Wage >= BigInteger.One << 256) throw new FormatException("terms: wage does not fit in uint256");
        if (Escrow == EthereumAddress.Zero) throw new FormatException("terms: escrow address is zero");
        if (Payee == EthereumAddress.Zero) throw new FormatException("terms: payee address is zero");
        if (Customer == EthereumAddress.Zero) throw new FormatException("terms: customer address is zero");
        if (VerifierKey == EthereumAddress.Zero) throw new FormatException("terms: verifier key address is zero");
        if (DeliveryDeadline <= 0 || EscrowDeadline <= 0) throw new FormatException("terms: deadlines must be positive unix times");
        if (EscrowDeadline <= DeliveryDeadline) throw new FormatException("terms: the escrow deadline must come after the delivery deadline");
        if (string.IsNullOrWhiteSpace(Service)) throw new FormatException("terms: service is empty");
        ArgumentNullException.ThrowIfNull(Sla);
        ArgumentNullException.ThrowIfNull(InputHash);
        ArgumentNullException.ThrowIfNull(Nonce);
    }

    public string ToJson(bool indented = false) => ProtocolJson.Serialize(this, indented);

    public static AgreementTerms FromJson(string json)
    {
        var terms = ProtocolJson.Deserialize<AgreementTerms>(json, "agreement terms");
        terms.Validate();
        return terms;
    }
}
