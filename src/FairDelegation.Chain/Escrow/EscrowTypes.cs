using System.Numerics;
using FairDelegation.Chain.Crypto;
using FairDelegation.Chain.Escrow.Messages;
using Nethereum.ABI;
using FairDelegation.Chain.Rpc;

namespace FairDelegation.Chain.Escrow;

/// <summary>
/// The terms of one escrow as the contract hashes them (step 8). The work key (the address of the provider's
/// disposable public key pk_sp) identifies the escrow on chain.
/// </summary>
/// <param name="Customer">who deposited and gets a refund</param>
/// <param name="Payee">who is paid on claim, whoever submits it</param>
/// <param name="WorkKey">address(pk_sp)</param>
/// <param name="WorkHash">H(w'), 32 bytes</param>
/// <param name="Amount">the wage in wei (or the token's base units)</param>
/// <param name="Deadline">unix seconds: claim strictly before, refund from then on</param>
/// <param name="Token">null for an ETH escrow; else the ERC-20 token the wage is in (the contract's TokenTerms)</param>
public sealed record EscrowTerms(
    EthereumAddress Customer,
    EthereumAddress Payee,
    EthereumAddress WorkKey,
    byte[] WorkHash,
    BigInteger Amount,
    long Deadline,
    EthereumAddress? Token = null)
{
    /// <summary>An ERC-20 escrow (openToken/claimToken/refundToken), not an ETH one.</summary>
    public bool IsToken => Token is not null && Token != EthereumAddress.Zero;

    /// <summary>The contract's TokenTerms struct (a token escrow only).</summary>
    public TokenTermsStruct ToTokenStruct()
    {
        if (!IsToken) throw new InvalidOperationException("an ETH escrow has no TokenTerms");
        var t = ToStruct();
        return new TokenTermsStruct
        {
            Customer = t.Customer, Payee = t.Payee, WorkKey = t.WorkKey, WorkHash = t.WorkHash, Amount = t.Amount, Deadline = t.Deadline,
            Token = Token!.ToLowerHex(),
        };
    }

    /// <summary>The contract's Terms struct as Nethereum encodes it.</summary>
    public TermsStruct ToStruct()
    {
        if (WorkHash.Length != 32) throw new ArgumentException($"the work hash is 32 bytes, got {WorkHash.Length}");
        return new TermsStruct
        {
            Customer = Customer.ToLowerHex(), Payee = Payee.ToLowerHex(), WorkKey = WorkKey.ToLowerHex(),
            WorkHash = WorkHash, Amount = Amount, Deadline = Deadline,
        };
    }

    /// <summary>keccak256(abi.encode(terms)): the value the contract stores while the escrow is open (a static struct
    /// encodes as its fields in order).</summary>
    public byte[] Hash() => IsToken ? new ABIEncode().GetSha3ABIParamsEncoded(ToTokenStruct()) : new ABIEncode().GetSha3ABIParamsEncoded(ToStruct());

    /// <summary>Value equality including the work hash's bytes.</summary>
    public bool Matches(EscrowTerms other) =>
        Customer == other.Customer && Payee == other.Payee && WorkKey == other.WorkKey
        && WorkHash.AsSpan().SequenceEqual(other.WorkHash) && Amount == other.Amount && Deadline == other.Deadline
        && (IsToken ? other.IsToken && Token == other.Token : !other.IsToken);

    public override string ToString() =>
        $"escrow(customer {Customer}, payee {Payee}, work key {WorkKey}, work hash {Hex.Encode(WorkHash)}, amount {Amount} {(IsToken ? $"of token {Token}" : "wei")}, deadline {Deadline})";
}

/// <summary>
/// One escrow to open (the customer is the sender; the amount is its deposit). The contract derives the escrow's
/// agreement id from <paramref name="DetailsHash"/> and the work key (<see cref="AgreementId"/>).
/// </summary>
/// <param name="DetailsHash">keccak256 of the agreement's terms other than the work key (32 bytes).</param>
/// <param name="Payee">who is paid on claim</param>
/// <param name="WorkKey">address(pk_sp): the escrow's slot, bound into its agreement id</param>
/// <param name="WorkHash">H(w'), 32 bytes</param>
/// <param name="Amount">the deposit in wei (or the token's base units)</param>
/// <param name="Deadline">unix seconds: claim strictly before, refund from then on</param>
/// <param name="Token">null for ETH; else the ERC-20 token pulled by openToken (approve the escrow first)</param>
public sealed record EscrowOpening(
    byte[] DetailsHash,
    EthereumAddress Payee,
    EthereumAddress WorkKey,
    byte[] WorkHash,
    BigInteger Amount,
    long Deadline,
    EthereumAddress? Token = null)
{
    /// <summary>An ERC-20 opening.</summary>
    public bool IsToken => Token is not null && Token != EthereumAddress.Zero;

    /// <summary>The openToken call for this opening (no value: the escrow pulls the amount).</summary>
    public OpenTokenFunction ToTokenFunction() => new()
    {
        DetailsHash = DetailsHash, Payee = Payee.ToLowerHex(), WorkKey = WorkKey.ToLowerHex(), WorkHash = WorkHash, Amount = Amount,
        Deadline = Deadline, Token = (Token ?? throw new InvalidOperationException("an ETH opening has no token")).ToLowerHex(),
    };

    /// <summary>The agreement id the contract will emit in EscrowOpened for this opening.</summary>
    public byte[] AgreementId => EscrowContract.AgreementIdOf(DetailsHash, WorkKey);

    /// <summary>The open call for this opening (value = <see cref="Amount"/>).</summary>
    public OpenFunction ToFunction() => new()
    {
        DetailsHash = DetailsHash, Payee = Payee.ToLowerHex(), WorkKey = WorkKey.ToLowerHex(), WorkHash = WorkHash, Deadline = Deadline,
    };

    /// <summary>This opening as one element of openBatch's array.</summary>
    public OpeningStruct ToStruct() => new()
    {
        DetailsHash = DetailsHash, Payee = Payee.ToLowerHex(), WorkKey = WorkKey.ToLowerHex(), WorkHash = WorkHash, Amount = Amount,
        Deadline = Deadline,
    };

    /// <summary>The terms the contract will store when <paramref name="customer"/> opens this.</summary>
    public EscrowTerms TermsFor(EthereumAddress customer) => new(customer, Payee, WorkKey, WorkHash, Amount, Deadline, IsToken ? Token : null);
}

/// <summary>Where an escrow stands on chain.</summary>
public enum EscrowState
{
    /// <summary>No escrow for this work key (never opened, or refunded).</summary>
    None,

    /// <summary>Deposit waiting for a claim or, after the deadline, a refund.</summary>
    Open,

    /// <summary>Claimed: the key is public and can never be used again.</summary>
    Claimed,
}

/// <summary>A mined escrow transaction: its hash, the gas it used, and the block it is in.</summary>
public sealed record EscrowTransaction(string TransactionHash, BigInteger GasUsed, long BlockNumber, string BlockHash, TransactionReceipt Receipt);

/// <summary>A decoded event of the escrow contract.</summary>
public abstract record EscrowEvent(LogEntry Log)
{
    public EthereumAddress WorkKey => this switch
    {
        EscrowOpened o => o.Terms.WorkKey,
        KeyRevealed k => k.RevealedWorkKey,
        Refunded r => r.RefundedWorkKey,
        _ => throw new InvalidOperationException(),
    };
}

/// <summary>Step (8) on chain: the full terms and the agreement id the contract derived (keccak256(abi.encode(detailsHash, workKey))).</summary>
public sealed record EscrowOpened(byte[] AgreementId, EscrowTerms Terms, LogEntry Log) : EscrowEvent(Log);

/// <summary>Steps (10)-(11) on chain: the work key's private key, now public (32 bytes). The customer decrypts with it.</summary>
public sealed record KeyRevealed(EthereumAddress RevealedWorkKey, byte[] PrivateKey, LogEntry Log) : EscrowEvent(Log)
{
    // Deliberately not printing the key: it is public on chain, but logs of ours should not carry keys.
    public override string ToString() => $"KeyRevealed(work key {RevealedWorkKey}, block {Log.BlockNumber})";
}

/// <summary>A refund after the deadline.</summary>
public sealed record Refunded(EthereumAddress RefundedWorkKey, LogEntry Log) : EscrowEvent(Log);
