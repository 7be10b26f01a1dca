using System.Numerics;
using System.Text;
using System.Text.Json.Serialization;
using FairDelegation.Chain.Crypto;
using FairDelegation.Chain.Escrow;
using FairDelegation.Protocol.Keys;
using FairDelegation.Protocol.Serialization;
using FairDelegation.Protocol.Sla;

namespace FairDelegation.Protocol.Agreements;

/// <summary>
/// Everything customer and provider fix at step (0). The agreement id is keccak256(abi.encode(detailsHash, workKey)),
/// where detailsHash is keccak256 of the ABI encoding of every other term (<see cref="DetailsEncoding"/>,
/// docs/formats/agreement-terms.md). The escrow contract derives the id the same way from the details hash the customer
/// passes to open, so one id binds one work key on chain; any Ethereum tool can recompute both hashes.
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
/// <param name="Token">The wage's currency: null (absent from the JSON) for ETH, else the ERC-20 token whose base units
/// <paramref name="Wage"/> counts; the escrow is then opened with openToken.</param>
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
    Bytes32 Nonce,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] EthereumAddress? Token = null)
{
    /// <summary>keccak256("FairDelegation.AgreementTerms.v2"): the first word of the details encoding, a domain tag.</summary>
    public static readonly byte[] TypeTag = Keccak256.HashUtf8("FairDelegation.AgreementTerms.v2");

    /// <summary>keccak256("FairDelegation.AgreementTerms.v3"): the tag of token-wage terms, whose encoding adds the token.</summary>
    public static readonly byte[] TokenTypeTag = Keccak256.HashUtf8("FairDelegation.AgreementTerms.v3");

    /// <summary>The wage is in an ERC-20 token, not ETH.</summary>
    [JsonIgnore]
    public bool IsToken => Token is not null && Token != EthereumAddress.Zero;

    /// <summary>"ETH" or the token's address.</summary>
    [JsonIgnore]
    public string CurrencyName => IsToken ? Token!.ToLowerHex() : "ETH";

    /// <summary>address(pk_sp), what the escrow stores and the claim proves.</summary>
    [JsonIgnore]
    public EthereumAddress WorkKey => WorkPublicKey.Address;

    /// <summary>keccak256 of <see cref="DetailsEncoding"/>: what the customer passes to the escrow's open.</summary>
    [JsonIgnore]
    public Bytes32 DetailsHash => Bytes32.FromBytes(Keccak256.Hash(DetailsEncoding()));

    /// <summary>
    /// keccak256(abi.encode(bytes32 detailsHash, address workKey)): the contract's own derivation
    /// (<see cref="EscrowContract.AgreementIdOf"/>), so the id the escrow emits is this id only for this work key.
    /// </summary>
    [JsonIgnore]
    public Bytes32 AgreementId => Bytes32.FromBytes(EscrowContract.AgreementIdOf(DetailsHash.Bytes, WorkKey));

    /// <summary>
    /// abi.encode(bytes32 typeTag, uint256 chainId, address escrow, address customer, address payee,
    /// address verifierKey, uint256 wage, uint64 deliveryDeadline, uint64 escrowDeadline, bytes32 keccak256(service),
    /// bytes32 slaHash, bytes32 inputHash, bytes32 nonce): every term but the work key, 13 words, 416 bytes. Token wages
    /// use the v3 tag and append address token (14 words), so ETH terms keep their encoding and no token terms can be
    /// read as ETH terms.
    /// </summary>
    public byte[] DetailsEncoding()
    {
        Validate();
        var words = new byte[(IsToken ? 14 : 13) * 32];
        var w = 0;
        Span<byte> Next() => words.AsSpan(32 * w++, 32);
        (IsToken ? TokenTypeTag : TypeTag).CopyTo(Next());
        Secp256k1.WriteUInt256(ChainId, Next());
        Escrow.Bytes.CopyTo(Next()[12..]);
        Customer.Bytes.CopyTo(Next()[12..]);
        Payee.Bytes.CopyTo(Next()[12..]);
        VerifierKey.Bytes.CopyTo(Next()[12..]);
        Secp256k1.WriteUInt256(Wage, Next());
        Secp256k1.WriteUInt256(DeliveryDeadline, Next());
        Secp256k1.WriteUInt256(EscrowDeadline, Next());
        Keccak256.Hash(Encoding.UTF8.GetBytes(Service)).CopyTo(Next());
        Sla.Hash().Bytes.CopyTo(Next());
        InputHash.Bytes.CopyTo(Next());
        Nonce.Bytes.CopyTo(Next());
        if (IsToken) Token!.Bytes.CopyTo(Next()[12..]);
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
