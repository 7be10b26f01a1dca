using System.Numerics;
using FairDelegation.Chain.Abi;
using FairDelegation.Chain.Crypto;
using FairDelegation.Chain.Rpc;
using FairDelegation.Chain.Transactions;
using FairDelegation.Chain.Watching;

namespace FairDelegation.Chain.Escrow;

/// <summary>
/// The typed binding of FairDelegationEscrow (contracts/FairDelegationEscrow.sol, compiled at build time and
/// embedded): deploy, open, openBatch, claim, refund, state and events. Every transaction method estimates gas
/// first, so a call that would revert fails with <see cref="ContractRevertedException"/> carrying the contract's
/// error decoded (e.g. "WrongPrivateKey(workKey=0x…, derived=0x…)") and nothing is sent; it returns once mined.
/// </summary>
public sealed class EscrowContract
{
    /// <summary>The contract's ABI.</summary>
    public static AbiContract Abi { get; } = AbiContract.FromJson(ReadResource("FairDelegationEscrow.abi.json"));

    /// <summary>The creation bytecode (init code) solc produced at build time.</summary>
    public static byte[] CreationBytecode { get; } = Hex.Decode(ReadResource("FairDelegationEscrow.bin").Trim());

    private static readonly AbiEvent OpenedEvent = Abi.Event("EscrowOpened");
    private static readonly AbiEvent RevealedEvent = Abi.Event("KeyRevealed");
    private static readonly AbiEvent RefundedEvent = Abi.Event("Refunded");

    private readonly EthRpcClient _rpc;

    public EscrowContract(EthRpcClient rpc, EthereumAddress address)
    {
        _rpc = rpc;
        Address = address;
    }

    public EthereumAddress Address { get; }

    /// <summary>topic0 of the three events, for log filters.</summary>
    public static IReadOnlyList<string> EventTopics { get; } = [OpenedEvent.Topic0, RevealedEvent.Topic0, RefundedEvent.Topic0];

    /// <summary>
    /// The agreement id as the contract derives it: keccak256(abi.encode(bytes32 detailsHash, address workKey)). Binding
    /// the work key into the id means an id can only be opened with its own work key, whose slot is single-use.
    /// </summary>
    public static byte[] AgreementIdOf(ReadOnlySpan<byte> detailsHash, EthereumAddress workKey)
    {
        if (detailsHash.Length != 32) throw new ArgumentException($"the details hash is 32 bytes, got {detailsHash.Length}");
        ArgumentNullException.ThrowIfNull(workKey);
        Span<byte> encoded = stackalloc byte[64];
        detailsHash.CopyTo(encoded);
        workKey.Bytes.CopyTo(encoded[44..]);
        return Keccak256.Hash(encoded);
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
        var data = Abi.Function("open").Encode(opening.DetailsHash, opening.Payee, opening.WorkKey, opening.WorkHash, new BigInteger(opening.Deadline));
        var receipt = await customer.SendAndWaitAsync(Request(data, "open", opening.Amount), ct);
        return (opening.TermsFor(customer.Account.Address), ToResult(receipt));
    }

    /// <summary>Opens several escrows in one transaction (value = the sum of their amounts).</summary>
    public async Task<(IReadOnlyList<EscrowTerms> Terms, EscrowTransaction Transaction)> OpenBatchAsync(
        TransactionSender customer, IReadOnlyList<EscrowOpening> openings, CancellationToken ct = default)
    {
        if (openings.Count == 0) throw new ArgumentException("a batch needs at least one escrow");
        foreach (var o in openings) { RequireBytes32(o.DetailsHash, "details hash"); RequireBytes32(o.WorkHash, "work hash"); }
        var tuples = openings.Select(o => (object?)new object?[] { o.DetailsHash, o.Payee, o.WorkKey, o.WorkHash, o.Amount, new BigInteger(o.Deadline) }).ToArray();
        var data = Abi.Function("openBatch").Encode([tuples]);
        var total = openings.Aggregate(BigInteger.Zero, (s, o) => s + o.Amount);
        var receipt = await customer.SendAndWaitAsync(Request(data, "openBatch", total), ct);
        return (openings.Select(o => o.TermsFor(customer.Account.Address)).ToArray(), ToResult(receipt));
    }

    /// <summary>
    /// Step (10): reveal the work key's private key; pays terms.Payee (the sender only pays gas). The gas estimate
    /// runs the contract's check first, so a wrong key fails with WrongPrivateKey and never reaches the mempool.
    /// </summary>
    public async Task<EscrowTransaction> ClaimAsync(TransactionSender sender, EscrowTerms terms, ReadOnlyMemory<byte> workPrivateKey, CancellationToken ct = default)
    {
        var sk = new BigInteger(workPrivateKey.Span, isUnsigned: true, isBigEndian: true);
        var data = Abi.Function("claim").Encode(terms.ToAbiTuple(), sk);
        var receipt = await sender.SendAndWaitAsync(Request(data, "claim", BigInteger.Zero), ct);
        return ToResult(receipt);
    }

    /// <summary>Step (11) when the provider stalled: from the deadline on, returns the deposit to terms.Customer.</summary>
    public async Task<EscrowTransaction> RefundAsync(TransactionSender sender, EscrowTerms terms, CancellationToken ct = default)
    {
        var data = Abi.Function("refund").Encode([terms.ToAbiTuple()]);
        var receipt = await sender.SendAndWaitAsync(Request(data, "refund", BigInteger.Zero), ct);
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
        var f = Abi.Function("escrows");
        var output = await _rpc.CallAsync(new CallRequest(null, Address, f.Encode(workKey)), Abi, ct: ct);
        return (byte[])f.DecodeOutput(output)[0]!;
    }

    /// <summary>The contract's own derivation of an agreement id (its pure agreementIdOf), e.g. to cross-check <see cref="AgreementIdOf"/>.</summary>
    public async Task<byte[]> GetAgreementIdAsync(byte[] detailsHash, EthereumAddress workKey, CancellationToken ct = default)
    {
        RequireBytes32(detailsHash, "details hash");
        var f = Abi.Function("agreementIdOf");
        var output = await _rpc.CallAsync(new CallRequest(null, Address, f.Encode(detailsHash, workKey)), Abi, ct: ct);
        return (byte[])f.DecodeOutput(output)[0]!;
    }

    /// <summary>The contract's events in a block range, optionally only those of one work key.</summary>
    public async Task<IReadOnlyList<EscrowEvent>> GetEventsAsync(long fromBlock, long? toBlock = null, EthereumAddress? workKey = null, CancellationToken ct = default)
    {
        var topic1 = workKey is null ? null : Hex.Encode(AbiCodec.Encode([AbiType.Address], [workKey]));
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
        var topic = log.Topics[0];
        if (topic == OpenedEvent.Topic0)
        {
            var v = OpenedEvent.Decode(log.Topics, log.Data);
            var terms = new EscrowTerms((EthereumAddress)v["customer"]!, (EthereumAddress)v["payee"]!, (EthereumAddress)v["workKey"]!,
                (byte[])v["workHash"]!, (BigInteger)v["amount"]!, (long)(BigInteger)v["deadline"]!);
            return new EscrowOpened((byte[])v["agreementId"]!, terms, log);
        }
        if (topic == RevealedEvent.Topic0)
        {
            var v = RevealedEvent.Decode(log.Topics, log.Data);
            return new KeyRevealed((EthereumAddress)v["workKey"]!, AbiCodec.Word((BigInteger)v["privateKey"]!), log);
        }
        if (topic == RefundedEvent.Topic0)
        {
            var v = RefundedEvent.Decode(log.Topics, log.Data);
            return new Refunded((EthereumAddress)v["workKey"]!, log);
        }
        return null;
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
