using System.Numerics;
using FairDelegation.Chain.Crypto;
using FairDelegation.Chain.Escrow;
using FairDelegation.Chain.Rpc;
using FairDelegation.Chain.Transactions;
using FairDelegation.Node.Configuration;
using FairDelegation.Node.Hosting;
using FairDelegation.Node.Model;
using FairDelegation.Protocol.Agreements;
using Microsoft.Extensions.Options;
using Nethereum.Contracts;
using ChainConfirmations = FairDelegation.Chain.Transactions.Confirmations;
using ReceiptState = FairDelegation.Chain.Transactions.ConfirmationState;

namespace FairDelegation.Node.Chain;

/// <summary>
/// The node's use of the escrow contract, made safe to repeat: a step that runs again after a crash first looks at
/// the chain (is the escrow already open with these terms? already claimed? refunded?) and returns the earlier
/// transaction instead of sending a second one.
/// </summary>
public sealed class EscrowGateway(EthRpcClient rpc, TransactionSender sender, IOptions<NodeOptions> options, TimeProvider time, IFaultPoints faults,
    Microsoft.Extensions.Logging.ILogger<EscrowGateway>? logger = null)
{
    private readonly EscrowContract _escrow = new(rpc, EthereumAddress.Parse(options.Value.Chain.EscrowAddress));
    private readonly ChainConfirmations _confirmations = new(rpc, options.Value.Chain.PollInterval);

    // Batched openings (Customer:OpenBatchWindow); none when the window is zero: every escrow is opened alone.
    private readonly OpeningBatch? _batch = options.Value.Customer.OpenBatchWindow > TimeSpan.Zero
        ? new OpeningBatch(new EscrowContract(rpc, EthereumAddress.Parse(options.Value.Chain.EscrowAddress)), sender,
            options.Value.Customer.OpenBatchWindow, options.Value.Customer.OpenBatchMaxSize, logger)
        : null;

    public EscrowContract Contract => _escrow;

    public EthRpcClient Rpc => rpc;

    /// <summary>Openings waiting in a forming batch (Customer:OpenBatchWindow), not yet sent.</summary>
    public int OpeningsWaiting => _batch?.Waiting ?? 0;

    /// <summary>The escrow terms for the agreement once w' is known (what step 8 opens).</summary>
    public static EscrowTerms TermsOf(AgreementTerms t, string workHash) =>
        new(t.Customer, t.Payee, t.WorkKey, Hex.DecodeFixed(workHash, 32, "work hash"), t.Wage, t.EscrowDeadline, t.IsToken ? t.Token : null);

    /// <summary>The escrow terms as an EscrowOpened event carries them.</summary>
    public static EscrowTerms TermsOf(EscrowOpenedEvent e) => new(
        EthereumAddress.Parse(e.Customer), EthereumAddress.Parse(e.Payee), EthereumAddress.Parse(e.WorkKey),
        Hex.DecodeFixed(e.WorkHash, 32, "work hash"), e.Amount, e.Deadline, e.Token is null ? null : EthereumAddress.Parse(e.Token));

    /// <summary>
    /// Step (8): deposits the wage; returns the mined transaction. Safe across a crash at any point: before sending it
    /// looks on chain for this agreement's opening by this node (open, claimed since, or refunded since) and returns that
    /// transaction instead; it reports "not opened" only when the chain holds no opening of ours. The contract derives
    /// the escrow's agreement id from the details hash and the work key, so the id it emits is the agreement's own id
    /// (checked here before anything is sent). With Customer:OpenBatchWindow the opening joins this node's batch
    /// (<see cref="OpeningBatch"/>) and is opened alone only when the batch did not open it.
    /// </summary>
    public async Task<ChainTransaction> OpenAsync(Agreement agreement, string workHash, CancellationToken ct)
    {
        var agreed = agreement.ParseTerms();
        var terms = TermsOf(agreed, workHash);
        var opening = new EscrowOpening(agreed.DetailsHash.ToArray(), terms.Payee, terms.WorkKey, terms.WorkHash, terms.Amount, terms.Deadline, terms.Token);
        if (!string.Equals(Hex.Encode(opening.AgreementId), agreement.AgreementId, StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"agreement {agreement.AgreementId}: its terms hash to agreement id {Hex.Encode(opening.AgreementId)}");

        // An earlier run may have opened it (killed after the transaction was mined, before its result was saved); the
        // provider may even have claimed it since. A used slot without our opening is somebody else's: sending would only
        // revert (WorkKeyAlreadyUsed), so nothing is sent. An empty slot is either free or refunded (then the deadline has
        // passed, the estimate reverts and the look below finds our opening).
        if (await _escrow.GetStateAsync(terms.WorkKey, ct) != EscrowState.None)
        {
            if (await OurOpeningAsync(agreement, terms, ct) is { } earlier) return earlier;
            return NotSent("OpenEscrow", $"WorkKeyAlreadyUsed(workKey={terms.WorkKey}): the work key's escrow slot holds an opening that is not ours");
        }
        faults.Reach(FaultPoint.OpenBeforeSend);
        try
        {
            // A token escrow pulls the wage: the escrow must be allowed to (looked up first, so a re-run sends no second approve).
            if (opening.IsToken) await AllowEscrowAsync(opening.Token!, opening.Amount, ct);
            if (_batch is not null && await _batch.OpenAsync(opening) is { } batched)
            {
                faults.Reach(FaultPoint.OpenAfterMined);
                return ToTransaction("OpenEscrow", batched);
            }
            var (_, tx) = await _escrow.OpenAsync(sender, opening, ct);
            faults.Reach(FaultPoint.OpenAfterMined);
            return ToTransaction("OpenEscrow", tx);
        }
        catch (ContractRevertedException e)
        {
            // Our opening mined meanwhile (a transaction of an earlier run still pending when this one was sent), or refunded.
            if (await OurOpeningAsync(agreement, terms, ct) is { } earlier) return earlier;
            return Failed("OpenEscrow", e);
        }
    }

    /// <summary>
    /// Lets the escrow pull <paramref name="amount"/> of <paramref name="token"/> from this wallet: nothing when the
    /// allowance already covers it, else one approve of the maximum. Unlimited is safe for this contract: it has no owner
    /// and pulls only in openToken, only from the caller (msg.sender) and only the amount of that call; a per-escrow
    /// approve would race between concurrent delegations (approve sets, it does not add).
    /// </summary>
    private async Task AllowEscrowAsync(EthereumAddress token, BigInteger amount, CancellationToken ct)
    {
        var allowanceCall = new Nethereum.Contracts.Standards.ERC20.ContractDefinition.AllowanceFunction
            { Owner = sender.Account.Address.ToLowerHex(), Spender = _escrow.Address.ToLowerHex() }.GetCallData();
        var allowance = new BigInteger(await rpc.CallAsync(new CallRequest(null, token, allowanceCall), ct: ct), isUnsigned: true, isBigEndian: true);
        if (allowance >= amount) return;
        var approve = new Nethereum.Contracts.Standards.ERC20.ContractDefinition.ApproveFunction
            { Spender = _escrow.Address.ToLowerHex(), Value = BigInteger.Pow(2, 256) - 1 }.GetCallData();
        await sender.SendAndWaitAsync(new TransactionRequest(token, approve) { Action = "approve the escrow" }, ct);
    }

    /// <summary>The transaction of this node's opening of exactly these terms under this agreement id, if the chain has one.</summary>
    private async Task<ChainTransaction?> OurOpeningAsync(Agreement agreement, EscrowTerms terms, CancellationToken ct)
    {
        var hash = terms.Hash();
        var ours = (await _escrow.GetEventsAsync(options.Value.Chain.WatchFromBlock, null, terms.WorkKey, ct)).OfType<EscrowOpened>()
            .LastOrDefault(e => string.Equals(Hex.Encode(e.AgreementId), agreement.AgreementId, StringComparison.OrdinalIgnoreCase)
                                && e.Terms.Hash().AsSpan().SequenceEqual(hash));
        return ours is null ? null : await ToTransactionAsync("OpenEscrow", ours.Log.TransactionHash, ct);
    }

    /// <summary>
    /// Step (10): reveals the work key for the escrow as opened; the earlier claim if already claimed. The key is public
    /// once the claim is broadcast, and a claim mined at or after the deadline reverts while the customer can also refund:
    /// so right before signing, the chain's time is read again and the claim is sent only if it leaves
    /// <paramref name="margin"/> before the deadline and a simulation (eth_call) of it succeeds. Otherwise nothing is sent
    /// and the result says why (the key stays secret). The same holds for a re-run after a restart.
    /// </summary>
    public async Task<ChainTransaction> ClaimAsync(EscrowTerms terms, ReadOnlyMemory<byte> workKey, TimeSpan margin, CancellationToken ct)
    {
        var state = await _escrow.GetStateAsync(terms.WorkKey, ct);
        if (state == EscrowState.Claimed)
        {
            return await FindAsync<KeyRevealed>(terms.WorkKey, ct) is { } earlier
                ? await ToTransactionAsync("RevealKey", earlier.Log.TransactionHash, ct)
                : NotSent("RevealKey", $"AlreadyClaimed(workKey={terms.WorkKey}) but no KeyRevealed event since block {options.Value.Chain.WatchFromBlock}");
        }
        if (!await _escrow.IsOpenWithAsync(terms, ct))
            return NotSent("RevealKey", state == EscrowState.None
                ? $"NoSuchEscrow(workKey={terms.WorkKey}): the escrow is no longer open (refunded, or its opening left the chain)"
                : $"TermsMismatch(workKey={terms.WorkKey}): the escrow holds other terms");

        var now = await ChainTimeAsync(ct);
        var latestSafe = terms.Deadline - (long)margin.TotalSeconds;
        if (now >= latestSafe)
            return NotSent("RevealKey", $"too close to the deadline: chain time {now}, deadline {terms.Deadline}, margin {margin}; " +
                                        "the claim was not broadcast, so the work key stays secret");
        var sk = new BigInteger(workKey.Span, isUnsigned: true, isBigEndian: true);
        var data = EscrowContract.ClaimCallData(terms, sk);
        try
        {
            await rpc.CallAsync(new CallRequest(sender.Account.Address, _escrow.Address, data), EscrowContract.Abi, ct: ct);
        }
        catch (ContractRevertedException e)
        {
            return Failed("RevealKey", e);
        }

        faults.Reach(FaultPoint.ClaimBeforeSend);
        try
        {
            var tx = ToTransaction("RevealKey", await _escrow.ClaimAsync(sender, terms, workKey, ct));
            faults.Reach(FaultPoint.ClaimAfterMined);
            return tx;
        }
        catch (ContractRevertedException e)
        {
            // A re-run after the claim was mined reverts (AlreadyClaimed): the earlier claim.
            if (await _escrow.GetStateAsync(terms.WorkKey, ct) == EscrowState.Claimed && await FindAsync<KeyRevealed>(terms.WorkKey, ct) is { } earlier)
                return await ToTransactionAsync("RevealKey", earlier.Log.TransactionHash, ct);
            return Failed("RevealKey", e);
        }
    }

    /// <summary>Refund after the deadline. Null transaction and <c>claimed</c> when the provider claimed first.</summary>
    public async Task<(ChainTransaction? Transaction, KeyRevealed? Claimed)> RefundAsync(EscrowTerms terms, CancellationToken ct)
    {
        var state = await _escrow.GetStateAsync(terms.WorkKey, ct);
        if (state == EscrowState.Claimed) return (null, await FindAsync<KeyRevealed>(terms.WorkKey, ct));
        if (state == EscrowState.None)
        {
            // Refunded already (a re-run, or anyone else refunded it for us), or never opened on the canonical chain.
            return await FindAsync<Refunded>(terms.WorkKey, ct) is { } refunded
                ? (await ToTransactionAsync("RefundEscrow", refunded.Log.TransactionHash, ct), null)
                : (null, null);
        }
        faults.Reach(FaultPoint.RefundBeforeSend);
        try
        {
            var tx = ToTransaction("RefundEscrow", await _escrow.RefundAsync(sender, terms, ct));
            faults.Reach(FaultPoint.RefundAfterMined);
            return (tx, null);
        }
        catch (ContractRevertedException e)
        {
            // Claimed between our look and our send: the key is public now. Or refunded meanwhile by an earlier run's
            // transaction that was still pending.
            var now = await _escrow.GetStateAsync(terms.WorkKey, ct);
            if (now == EscrowState.Claimed) return (null, await FindAsync<KeyRevealed>(terms.WorkKey, ct));
            if (now == EscrowState.None && await FindAsync<Refunded>(terms.WorkKey, ct) is { } refunded)
                return (await ToTransactionAsync("RefundEscrow", refunded.Log.TransactionHash, ct), null);
            return (Failed("RefundEscrow", e), null);
        }
    }

    /// <summary>
    /// The chain's idea of now, which deadlines are measured in: the latest of the latest block's timestamp, the pending
    /// block's (what the next block will carry: on a dev chain that was told to move its clock, e.g. anvil after
    /// evm_increaseTime, this runs ahead of both the last block and this node's clock) and this node's clock (a chain that
    /// mines on demand may have been idle: the next block cannot be older than now).
    /// </summary>
    public async Task<long> ChainTimeAsync(CancellationToken ct)
    {
        var latest = (await rpc.GetLatestBlockAsync(ct)).Timestamp; // the pushed head when subscribed: no call
        long pending = 0;
        try
        {
            pending = (await rpc.GetBlockAsync("pending", ct))?.Timestamp ?? 0;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A node that serves no pending block: the latest block and the clock still bound the next block's time.
        }
        return Math.Max(Math.Max(latest, pending), time.GetUtcNow().ToUnixTimeSeconds());
    }

    /// <summary>How many blocks confirm a transaction on the canonical chain (0 when not mined or reorganised away).</summary>
    public async Task<(int Confirmations, TransactionReceipt? Receipt)> ConfirmationsAsync(string transactionHash, CancellationToken ct)
    {
        // Our own transaction's receipt from when it was mined, else the node's; then its block is checked: proven by the
        // pushed blocks without a call, else one batched round trip (head, current receipt, block).
        var receipt = _receipts.GetValueOrDefault(transactionHash) ?? await rpc.GetTransactionReceiptAsync(transactionHash, ct);
        if (receipt is null) return (0, null);
        var status = await _confirmations.CheckAsync(receipt, 1, ct);
        if (status.State == ReceiptState.Reorganized && status.CurrentReceipt is { } moved)
        {
            // Re-mined in another block since: judge the receipt the node has now.
            _receipts.TryRemove(transactionHash, out _);
            status = await _confirmations.CheckAsync(moved, 1, ct);
            receipt = moved;
        }
        return status.State == ReceiptState.Reorganized ? (0, null) : ((int)Math.Max(0, status.Depth), status.CurrentReceipt ?? receipt);
    }

    /// <summary>
    /// The depth of a transaction already known to be mined in <paramref name="blockHash"/> at <paramref name="blockNumber"/>
    /// when the blocks the node pushed prove that block canonical (no call at all); null when they cannot (ask the node).
    /// </summary>
    public int? KnownConfirmations(long blockNumber, string blockHash) =>
        rpc.Heads.Latest is { } latest && rpc.Heads.TryGetCanonical(blockNumber, out var b) && b.Hash == blockHash
            ? (int)(latest.Number - blockNumber + 1)
            : null;

    /// <summary>The most recent event of a kind for a work key (searching from the configured start block).</summary>
    public async Task<T?> FindAsync<T>(EthereumAddress workKey, CancellationToken ct) where T : EscrowEvent =>
        (await _escrow.GetEventsAsync(options.Value.Chain.WatchFromBlock, null, workKey, ct)).OfType<T>().LastOrDefault();

    private async Task<ChainTransaction> ToTransactionAsync(string step, string hash, CancellationToken ct)
    {
        var r = await rpc.GetTransactionReceiptAsync(hash, ct) ?? throw new InvalidOperationException($"transaction {hash} has no receipt");
        return new ChainTransaction
        {
            Step = step, Hash = r.TransactionHash, BlockNumber = r.BlockNumber, BlockHash = r.BlockHash, GasUsed = r.GasUsed,
            EffectiveGasPrice = r.EffectiveGasPrice, Succeeded = r.Succeeded, BatchSize = OpeningsIn(step, r),
        };
    }

    // A batch's transaction (openBatch) opened several escrows: its gas and fee are shared by them.
    private int OpeningsIn(string step, TransactionReceipt r) =>
        step == "OpenEscrow" ? Math.Max(1, _escrow.EventsOf(r).OfType<EscrowOpened>().Count()) : 1;

    private ChainTransaction ToTransaction(string step, EscrowTransaction tx)
    {
        Remember(tx.Receipt);
        return new()
        {
            Step = step, Hash = tx.TransactionHash, BlockNumber = tx.BlockNumber, BlockHash = tx.BlockHash, GasUsed = tx.GasUsed,
            EffectiveGasPrice = tx.Receipt.EffectiveGasPrice, Succeeded = tx.Receipt.Succeeded, BatchSize = OpeningsIn(step, tx.Receipt),
        };
    }

    // Receipts of our own recent transactions: a later confirmation or payment check re-validates one against the chain
    // (its block still canonical?) instead of fetching it again.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, TransactionReceipt> _receipts = new(StringComparer.OrdinalIgnoreCase);
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _receiptOrder = new();

    private void Remember(TransactionReceipt receipt)
    {
        if (!_receipts.TryAdd(receipt.TransactionHash, receipt)) return;
        _receiptOrder.Enqueue(receipt.TransactionHash);
        while (_receiptOrder.Count > 256 && _receiptOrder.TryDequeue(out var old)) _receipts.TryRemove(old, out _);
    }

    /// <summary>A step that sent nothing, and why (the chain showed it could not succeed).</summary>
    private static ChainTransaction NotSent(string step, string reason) =>
        new() { Step = step, Hash = "", Succeeded = false, GasUsed = BigInteger.Zero, FailureReason = reason };

    private static ChainTransaction Failed(string step, ContractRevertedException e)
    {
        var r = e.TransactionHash;
        return new ChainTransaction { Step = step, Hash = r ?? "", Succeeded = false, GasUsed = BigInteger.Zero, FailureReason = e.Message };
    }
}
