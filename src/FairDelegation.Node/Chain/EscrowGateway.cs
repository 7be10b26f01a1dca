using System.Numerics;
using FairDelegation.Chain.Crypto;
using FairDelegation.Chain.Escrow;
using FairDelegation.Chain.Rpc;
using FairDelegation.Chain.Transactions;
using FairDelegation.Node.Configuration;
using FairDelegation.Node.Model;
using FairDelegation.Protocol.Agreements;
using Microsoft.Extensions.Options;
using ChainConfirmations = FairDelegation.Chain.Transactions.Confirmations;
using ReceiptState = FairDelegation.Chain.Transactions.ConfirmationState;

namespace FairDelegation.Node.Chain;

/// <summary>
/// The node's use of the escrow contract, made safe to repeat: a step that runs again after a crash first looks at
/// the chain (is the escrow already open with these terms? already claimed? refunded?) and returns the earlier
/// transaction instead of sending a second one.
/// </summary>
public sealed class EscrowGateway(EthRpcClient rpc, TransactionSender sender, IOptions<NodeOptions> options, TimeProvider time)
{
    private readonly EscrowContract _escrow = new(rpc, EthereumAddress.Parse(options.Value.Chain.EscrowAddress));
    private readonly ChainConfirmations _confirmations = new(rpc, options.Value.Chain.PollInterval);

    public EscrowContract Contract => _escrow;

    public EthRpcClient Rpc => rpc;

    /// <summary>The escrow terms for the agreement once w' is known (what step 8 opens).</summary>
    public static EscrowTerms TermsOf(AgreementTerms t, string workHash) =>
        new(t.Customer, t.Payee, t.WorkKey, Hex.DecodeFixed(workHash, 32, "work hash"), t.Wage, t.EscrowDeadline);

    /// <summary>The escrow terms as an EscrowOpened event carries them.</summary>
    public static EscrowTerms TermsOf(EscrowOpenedEvent e) => new(
        EthereumAddress.Parse(e.Customer), EthereumAddress.Parse(e.Payee), EthereumAddress.Parse(e.WorkKey),
        Hex.DecodeFixed(e.WorkHash, 32, "work hash"), e.Amount, e.Deadline);

    /// <summary>
    /// Step (8): deposits the wage; returns the mined transaction (the earlier one if already open with these terms).
    /// The contract derives the escrow's agreement id from the details hash and the work key, so the id it emits is the
    /// agreement's own id (checked here before anything is sent).
    /// </summary>
    public async Task<ChainTransaction> OpenAsync(Agreement agreement, string workHash, CancellationToken ct)
    {
        var agreed = agreement.ParseTerms();
        var terms = TermsOf(agreed, workHash);
        var opening = new EscrowOpening(agreed.DetailsHash.ToArray(), terms.Payee, terms.WorkKey, terms.WorkHash, terms.Amount, terms.Deadline);
        if (!string.Equals(Hex.Encode(opening.AgreementId), agreement.AgreementId, StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"agreement {agreement.AgreementId}: its terms hash to agreement id {Hex.Encode(opening.AgreementId)}");
        try
        {
            var (_, tx) = await _escrow.OpenAsync(sender, opening, ct);
            return ToTransaction("OpenEscrow", tx);
        }
        catch (ContractRevertedException e)
        {
            // A re-run after the opening was mined reverts (the work key is used): the earlier opening, if it holds our
            // terms. Looked up only on this path, so the usual open costs no extra calls.
            if (await _escrow.IsOpenWithAsync(terms, ct) && await FindAsync<EscrowOpened>(terms.WorkKey, ct) is { } earlier
                && string.Equals(Hex.Encode(earlier.AgreementId), agreement.AgreementId, StringComparison.OrdinalIgnoreCase))
                return await ToTransactionAsync("OpenEscrow", earlier.Log.TransactionHash, ct);
            return Failed("OpenEscrow", e);
        }
    }

    /// <summary>Step (10): reveals the work key for the escrow as opened; the earlier claim if already claimed.</summary>
    public async Task<ChainTransaction> ClaimAsync(EscrowTerms terms, ReadOnlyMemory<byte> workKey, CancellationToken ct)
    {
        try
        {
            return ToTransaction("RevealKey", await _escrow.ClaimAsync(sender, terms, workKey, ct));
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
            // Refunded already (a re-run), or never opened on the canonical chain: nothing to send either way.
            return await FindAsync<Refunded>(terms.WorkKey, ct) is { } refunded
                ? (await ToTransactionAsync("RefundEscrow", refunded.Log.TransactionHash, ct), null)
                : (null, null);
        }
        try
        {
            return (ToTransaction("RefundEscrow", await _escrow.RefundAsync(sender, terms, ct)), null);
        }
        catch (ContractRevertedException e)
        {
            // Claimed between our look and our send: the key is public now.
            if (await _escrow.GetStateAsync(terms.WorkKey, ct) == EscrowState.Claimed) return (null, await FindAsync<KeyRevealed>(terms.WorkKey, ct));
            return (Failed("RefundEscrow", e), null);
        }
    }

    /// <summary>
    /// The chain's idea of now, which deadlines are measured in: the latest block's timestamp, or this node's clock when
    /// the chain has been idle since (a dev chain that mines on demand): the next block cannot be older than either.
    /// </summary>
    public async Task<long> ChainTimeAsync(CancellationToken ct)
    {
        var latest = (await rpc.GetLatestBlockAsync(ct)).Timestamp; // the pushed head when subscribed: no call
        return Math.Max(latest, time.GetUtcNow().ToUnixTimeSeconds());
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
            EffectiveGasPrice = r.EffectiveGasPrice, Succeeded = r.Succeeded,
        };
    }

    private ChainTransaction ToTransaction(string step, EscrowTransaction tx)
    {
        Remember(tx.Receipt);
        return new()
        {
            Step = step, Hash = tx.TransactionHash, BlockNumber = tx.BlockNumber, BlockHash = tx.BlockHash, GasUsed = tx.GasUsed,
            EffectiveGasPrice = tx.Receipt.EffectiveGasPrice, Succeeded = tx.Receipt.Succeeded,
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

    private static ChainTransaction Failed(string step, ContractRevertedException e)
    {
        var r = e.TransactionHash;
        return new ChainTransaction { Step = step, Hash = r ?? "", Succeeded = false, GasUsed = BigInteger.Zero, FailureReason = e.Message };
    }
}
