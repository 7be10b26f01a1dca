using System.Numerics;
using FairDelegation.Chain.Abi;
using FairDelegation.Chain.Crypto;
using FairDelegation.Chain.Escrow.Messages;
using FairDelegation.Chain.Rpc;
using FairDelegation.Chain.Transactions;
using FairDelegation.Chain.Watching;
using Nethereum.ABI;
using Nethereum.Contracts;
using Nethereum.Hex.HexTypes;
using FilterLog = Nethereum.RPC.Eth.DTOs.FilterLog;

namespace FairDelegation.Chain.Escrow;

/// <summary>
/// The typed binding of FairDelegationEscrow (contracts/FairDelegationEscrow.sol, compiled at build time and
/// embedded): deploy, open, openBatch, claim, refund, state and events. Call data and event decoding are Nethereum's
/// typed messages (Escrow/Messages: FunctionMessage, IEventDTO); sending goes through our
/// <see cref="TransactionSender"/> (nonces, fees, replacement, confirmations). Every transaction method estimates gas
/// first, so a call that would revert fails with <see cref="ContractRevertedException"/> carrying the contract's
/// error decoded (e.g. "WrongPrivateKey(workKey=0x…, derived=0x…)") and nothing is sent; it returns once mined.
/// </summary>
public sealed class EscrowContract
{
    /// <summary>The contract's solc JSON ABI.</summary>
    public static string AbiJson { get; } = ReadResource("FairDelegationEscrow.abi.json");

    /// <summary>The contract's custom errors, to decode reverts.</summary>
    public static ContractErrors Abi { get; } = ContractErrors.FromAbiJson(AbiJson);

    /// <summary>The creation bytecode (init code) solc produced at build time.</summary>
    public static byte[] CreationBytecode { get; } = Hex.Decode(ReadResource("FairDelegationEscrow.bin").Trim());

    private static readonly string OpenedTopic = Topic0<EscrowOpenedEventDto>();
    private static readonly string RevealedTopic = Topic0<KeyRevealedEventDto>();
    private static readonly string RefundedTopic = Topic0<RefundedEventDto>();
    private static readonly string TokenOpenedTopic = Topic0<TokenEscrowOpenedEventDto>();

    private static readonly int HeldMessageTypes = TypedMessageReflection.Count;

    private readonly EthRpcClient _rpc;

    public EscrowContract(EthRpcClient rpc, EthereumAddress address)
    {
        _rpc = rpc;
        Address = address;
    }

    public EthereumAddress Address { get; }

    /// <summary>topic0 of the events, for log filters: EscrowOpened, KeyRevealed, Refunded, TokenEscrowOpened (in this order).</summary>
    public static IReadOnlyList<string> EventTopics { get; } = [OpenedTopic, RevealedTopic, RefundedTopic, TokenOpenedTopic];

    /// <summary>
    /// The agreement id as the contract derives it: keccak256(abi.encode(bytes32 detailsHash, address workKey)). Binding
    /// the work key into the id means an id can only be opened with its own work key, whose slot is single-use.
    /// </summary>
    public static byte[] AgreementIdOf(ReadOnlySpan<byte> detailsHash, EthereumAddress workKey)
    {
        if (detailsHash.Length != 32) throw new ArgumentException($"the details hash is 32 bytes, got {detailsHash.Length}");
        ArgumentNullException.ThrowIfNull(workKey);
        return new ABIEncode().GetSha3ABIEncoded(new ABIValue("bytes32", detailsHash.ToArray()), new ABIValue("address", workKey.ToLowerHex()));
    }

    /// <summary>Deploys the singleton (once per chain).</summary>
    public static async Task<(EscrowContract Contract, EscrowTransaction Deployment)> DeployAsync(TransactionSender deployer, CancellationToken ct = default)
    {
        var receipt = await deployer.SendAndWaitAsync(new TransactionRequest(null, CreationBytecode) { Abi = Abi, Action = "deploy escrow" }, ct);
        var address = receipt.ContractAddress ?? throw new InvalidOperationException($"deployment {receipt.TransactionHash} created no contract");
        return (new EscrowContract(deployer.Rpc, address), ToResult(receipt));
    }

    /// <summary>
    /// Step (8): the sender, as customer, deposits <paramref name="opening"/>.Amount for the work key. Returns the
    /// terms as stored (needed for claim and refund) and the mined transaction.
    /// </summary>
    public async Task<(EscrowTerms Terms, EscrowTransaction Transaction)> OpenAsync(TransactionSender customer, EscrowOpening opening, CancellationToken ct = default)
    {
        RequireBytes32(opening.DetailsHash, "details hash");
        RequireBytes32(opening.WorkHash, "work hash");
        // A token opening pulls the amount (the customer approved the escrow); an ETH one sends it as value.
        var receipt = opening.IsToken
            ? await customer.SendAndWaitAsync(Request(opening.ToTokenFunction().GetCallData(), "openToken", BigInteger.Zero), ct)
            : await customer.SendAndWaitAsync(Request(opening.ToFunction().GetCallData(), "open", opening.Amount), ct);
        return (opening.TermsFor(customer.Account.Address), ToResult(receipt));
    }

    /// <summary>
    /// Opens several escrows in one transaction: openBatch for ETH (value = the sum of their amounts), openTokenBatch for
    /// one ERC-20 token (the escrow pulls the sum once; the customer approved it). All openings share one currency. The
    /// contract opens all of them or none (any one reverting reverts the whole transaction).
    /// </summary>
    public async Task<(IReadOnlyList<EscrowTerms> Terms, EscrowTransaction Transaction)> OpenBatchAsync(
        TransactionSender customer, IReadOnlyList<EscrowOpening> openings, CancellationToken ct = default)
    {
        if (openings.Count == 0) throw new ArgumentException("a batch needs at least one escrow");
        foreach (var o in openings) { RequireBytes32(o.DetailsHash, "details hash"); RequireBytes32(o.WorkHash, "work hash"); }
        var token = openings[0].IsToken ? openings[0].Token : null;
        if (openings.Any(o => (o.IsToken ? o.Token : null) != token)) throw new ArgumentException("a batch's openings must share one currency");
        var structs = openings.Select(o => o.ToStruct()).ToList();
        var receipt = token is null
            ? await customer.SendAndWaitAsync(Request(new OpenBatchFunction { Openings = structs }.GetCallData(), "openBatch",
                openings.Aggregate(BigInteger.Zero, (s, o) => s + o.Amount)), ct)
            : await customer.SendAndWaitAsync(Request(new OpenTokenBatchFunction { Token = token.ToLowerHex(), Openings = structs }.GetCallData(),
                "openTokenBatch", BigInteger.Zero), ct);
        return (openings.Select(o => o.TermsFor(customer.Account.Address)).ToArray(), ToResult(receipt));
    }

    /// <summary>
    /// Simulates (eth_call, nothing sent) <paramref name="customer"/> opening <paramref name="opening"/> alone: throws
    /// <see cref="ContractRevertedException"/> with the contract's error (WorkKeyAlreadyUsed, DeadlineTooFar, a token's
    /// missing allowance, ...) when it would revert. What a batch checks of each opening before sending them together.
    /// </summary>
    public Task SimulateOpenAsync(EthereumAddress customer, EscrowOpening opening, CancellationToken ct = default) => opening.IsToken
        ? _rpc.CallAsync(new CallRequest(customer, Address, opening.ToTokenFunction().GetCallData()), Abi, ct: ct)
        : _rpc.CallAsync(new CallRequest(customer, Address, opening.ToFunction().GetCallData(), opening.Amount), Abi, ct: ct);

    /// <summary>
    /// Step (10): reveal the work key's private key; pays terms.Payee (the sender only pays gas). The gas estimate
    /// runs the contract's check first, so a wrong key fails with WrongPrivateKey and never reaches the mempool.
    /// </summary>
    public async Task<EscrowTransaction> ClaimAsync(TransactionSender sender, EscrowTerms terms, ReadOnlyMemory<byte> workPrivateKey, CancellationToken ct = default)
    {
        var sk = new BigInteger(workPrivateKey.Span, isUnsigned: true, isBigEndian: true);
        var receipt = await sender.SendAndWaitAsync(Request(ClaimCallData(terms, sk), terms.IsToken ? "claimToken" : "claim", BigInteger.Zero), ct);
        return ToResult(receipt);
    }

    /// <summary>The claim's call data: claim(terms, sk), or claimToken for a token escrow.</summary>
    public static byte[] ClaimCallData(EscrowTerms terms, BigInteger sk) => terms.IsToken
        ? new ClaimTokenFunction { Terms = terms.ToTokenStruct(), PrivateKey = sk }.GetCallData()
        : new ClaimFunction { Terms = terms.ToStruct(), PrivateKey = sk }.GetCallData();

    /// <summary>Step (11) when the provider stalled: from the deadline on, returns the deposit to terms.Customer.</summary>
    public async Task<EscrowTransaction> RefundAsync(TransactionSender sender, EscrowTerms terms, CancellationToken ct = default)
    {
        var data = terms.IsToken ? new RefundTokenFunction { Terms = terms.ToTokenStruct() }.GetCallData() : new RefundFunction { Terms = terms.ToStruct() }.GetCallData();
        var receipt = await sender.SendAndWaitAsync(Request(data, terms.IsToken ? "refundToken" : "refund", BigInteger.Zero), ct);
        return ToResult(receipt);
    }

    /// <summary>The state of the escrow of a work key, and whether it still holds exactly these terms.</summary>
    public async Task<EscrowState> GetStateAsync(EthereumAddress workKey, CancellationToken ct = default)
    {
        var stored = await StoredHashAsync(workKey, ct);
        if (stored.All(b => b == 0)) return EscrowState.None;
        return stored.AsSpan(0, 31).IndexOfAnyExcept((byte)0) < 0 && stored[31] == 1 ? EscrowState.Claimed : EscrowState.Open;
    }

    /// <summary>True when an open escrow holds exactly these terms (step 9: the provider's check on chain).</summary>
    public async Task<bool> IsOpenWithAsync(EscrowTerms terms, CancellationToken ct = default) =>
        (await StoredHashAsync(terms.WorkKey, ct)).AsSpan().SequenceEqual(terms.Hash());

    /// <summary>The raw slot value for the work key: terms hash, 0x…01 once claimed, zero if none.</summary>
    public async Task<byte[]> StoredHashAsync(EthereumAddress workKey, CancellationToken ct = default)
    {
        var call = new EscrowsFunction { WorkKey = workKey.ToLowerHex() }.GetCallData();
        var output = await _rpc.CallAsync(new CallRequest(null, Address, call), Abi, ct: ct);
        return new Bytes32Output().DecodeOutput(Hex.Encode(output)).Value;
    }

    /// <summary>The contract's own derivation of an agreement id (its pure agreementIdOf), e.g. to cross-check <see cref="AgreementIdOf"/>.</summary>
    public async Task<byte[]> GetAgreementIdAsync(byte[] detailsHash, EthereumAddress workKey, CancellationToken ct = default)
    {
        RequireBytes32(detailsHash, "details hash");
        var call = new AgreementIdOfFunction { DetailsHash = detailsHash, WorkKey = workKey.ToLowerHex() }.GetCallData();
        var output = await _rpc.CallAsync(new CallRequest(null, Address, call), Abi, ct: ct);
        return new Bytes32Output().DecodeOutput(Hex.Encode(output)).Value;
    }

    /// <summary>The contract's events in a block range, optionally only those of one work key.</summary>
    public async Task<IReadOnlyList<EscrowEvent>> GetEventsAsync(long fromBlock, long? toBlock = null, EthereumAddress? workKey = null, CancellationToken ct = default)
    {
        var topic1 = workKey is null ? null : Hex.Encode(new ABIEncode().GetABIEncoded(new ABIValue("address", workKey.ToLowerHex())));
        var logs = await _rpc.GetLogsAsync(new LogFilter(Address, fromBlock, toBlock, EventTopics, topic1), ct);
        return logs.Select(DecodeLog).OfType<EscrowEvent>().ToArray();
    }

    /// <summary>
    /// Step (9), the provider's look-up: the latest EscrowOpened for its work key since <paramref name="fromBlock"/>, or
    /// null. Compare its agreement id and terms with the agreed ones (and check <see cref="IsOpenWithAsync"/>) before
    /// claiming.
    /// </summary>
    public async Task<EscrowOpened?> FindOpenedAsync(EthereumAddress workKey, long fromBlock, CancellationToken ct = default) =>
        (await GetEventsAsync(fromBlock, null, workKey, ct)).OfType<EscrowOpened>().LastOrDefault();

    /// <summary>Step (11), the customer's look-up: the revealed private key of a work key, or null while unclaimed.</summary>
    public async Task<KeyRevealed?> FindKeyRevealedAsync(EthereumAddress workKey, long fromBlock, CancellationToken ct = default) =>
        (await GetEventsAsync(fromBlock, null, workKey, ct)).OfType<KeyRevealed>().LastOrDefault();

    /// <summary>The events of a mined transaction's receipt.</summary>
    public IReadOnlyList<EscrowEvent> EventsOf(TransactionReceipt receipt) =>
        receipt.Logs.Where(l => l.Address == Address).Select(DecodeLog).OfType<EscrowEvent>().ToArray();

    /// <summary>Decodes a log of this contract; null when it is not one of its events.</summary>
    public static EscrowEvent? DecodeLog(LogEntry log)
    {
        if (log.Topics.Count == 0) return null;
        var topic = log.Topics[0].ToLowerInvariant();
        if (topic != OpenedTopic && topic != RevealedTopic && topic != RefundedTopic && topic != TokenOpenedTopic) return null;
        var filterLog = ToFilterLog(log);
        if (topic == TokenOpenedTopic)
        {
            var v = filterLog.DecodeEvent<TokenEscrowOpenedEventDto>().Event;
            var terms = new EscrowTerms(EthereumAddress.Parse(v.Customer), EthereumAddress.Parse(v.Payee), EthereumAddress.Parse(v.WorkKey),
                v.WorkHash, v.Amount, (long)v.Deadline, EthereumAddress.Parse(v.Token));
            return new EscrowOpened(v.AgreementId, terms, log);
        }
        if (topic == OpenedTopic)
        {
            var v = filterLog.DecodeEvent<EscrowOpenedEventDto>().Event;
            var terms = new EscrowTerms(EthereumAddress.Parse(v.Customer), EthereumAddress.Parse(v.Payee), EthereumAddress.Parse(v.WorkKey),
                v.WorkHash, v.Amount, (long)v.Deadline);
            return new EscrowOpened(v.AgreementId, terms, log);
        }
        if (topic == RevealedTopic)
        {
            var v = filterLog.DecodeEvent<KeyRevealedEventDto>().Event;
            var sk = new byte[32];
            Secp256k1.WriteUInt256(v.PrivateKey, sk);
            return new KeyRevealed(EthereumAddress.Parse(v.WorkKey), sk, log);
        }
        var r = filterLog.DecodeEvent<RefundedEventDto>().Event;
        return new Refunded(EthereumAddress.Parse(r.WorkKey), log);
    }

    /// <summary>Our log record in Nethereum's shape, for its event decoders.</summary>
    public static FilterLog ToFilterLog(LogEntry log) => new()
    {
        Address = log.Address.ToLowerHex(),
        Topics = log.Topics.Cast<object>().ToArray(),
        Data = Hex.Encode(log.Data),
        BlockNumber = new HexBigInteger(log.BlockNumber),
        BlockHash = log.BlockHash,
        TransactionHash = log.TransactionHash,
        LogIndex = new HexBigInteger(log.LogIndex),
        Removed = log.Removed,
    };

    private static string Topic0<TEvent>() where TEvent : Nethereum.ABI.FunctionEncoding.Attributes.IEventDTO
    {
        var signature = EventExtensions.GetEventABI<TEvent>().Sha3Signature;
        return (signature.StartsWith("0x", StringComparison.Ordinal) ? signature : "0x" + signature).ToLowerInvariant();
    }

    /// <summary>A reorg-aware watcher of this contract's events (resumable from a stored cursor).</summary>
    public LogWatcher Watch(LogWatcherOptions? options = null) => new(_rpc, Address, EventTopics, options);

    private TransactionRequest Request(byte[] data, string action, BigInteger value) =>
        new(Address, data, value) { Abi = Abi, Action = action };

    private static EscrowTransaction ToResult(TransactionReceipt r) => new(r.TransactionHash, r.GasUsed, r.BlockNumber, r.BlockHash, r);

    private static void RequireBytes32(byte[] value, string what)
    {
        if (value is null || value.Length != 32) throw new ArgumentException($"the {what} is 32 bytes, got {value?.Length ?? 0}");
    }

    private static string ReadResource(string name)
    {
        using var s = typeof(EscrowContract).Assembly.GetManifestResourceStream(name)
                      ?? throw new InvalidOperationException($"embedded resource {name} is missing: the build compiles contracts/ with solcjs");
        using var r = new StreamReader(s);
        return r.ReadToEnd();
    }
}
