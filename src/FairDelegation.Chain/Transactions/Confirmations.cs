using FairDelegation.Chain.Rpc;

namespace FairDelegation.Chain.Transactions;

/// <summary>Where a mined transaction stands.</summary>
public enum ConfirmationState
{
    /// <summary>Mined in a canonical block, but fewer than the wanted confirmations deep.</summary>
    Pending,

    /// <summary>Mined in a canonical block at least the wanted confirmations deep.</summary>
    Confirmed,

    /// <summary>The block the receipt named is no longer canonical (a reorganisation): the receipt is stale.</summary>
    Reorganized,
}

/// <summary>A receipt checked against the canonical chain. Depth 1 = in the head block.</summary>
public sealed record ConfirmationStatus(ConfirmationState State, TransactionReceipt Receipt, long Depth, TransactionReceipt? CurrentReceipt);

/// <summary>A transaction's block left the canonical chain: whatever followed from its receipt must be re-checked.</summary>
public sealed class ChainReorganizedException(TransactionReceipt stale, TransactionReceipt? current)
    : InvalidOperationException($"transaction {stale.TransactionHash} was in block {stale.BlockNumber} ({stale.BlockHash}), which is no longer canonical"
                + (current is null ? "; the transaction is not in the chain now" : $"; it is now in block {current.BlockNumber} ({current.BlockHash})"))
{
    /// <summary>The receipt that is no longer true.</summary>
    public TransactionReceipt StaleReceipt { get; } = stale;

    /// <summary>The transaction's receipt on the new canonical chain, if it was mined again.</summary>
    public TransactionReceipt? CurrentReceipt { get; } = current;
}

/// <summary>
/// Waits until a receipt is N blocks deep, and reports a reorganisation instead of trusting a stale receipt. Wakes on
/// each block the node pushes (<see cref="EthRpcClient.Heads"/>); polls every <c>pollInterval</c> without a subscription.
/// </summary>
public sealed class Confirmations(EthRpcClient rpc, TimeSpan? pollInterval = null)
{
    private readonly TimeSpan _poll = pollInterval ?? TimeSpan.FromMilliseconds(200);

    // Pushed blocks wake the wait; the bound is only a safety net then (a lost notification), the poll interval otherwise.
    private Task<bool> WaitForBlockAsync(long seen, CancellationToken ct) =>
        rpc.Heads.WaitForNextAsync(seen, rpc.Heads.IsLive ? TimeSpan.FromTicks(Math.Max(_poll.Ticks, TimeSpan.FromSeconds(2).Ticks)) : _poll, ct);

    /// <summary>
    /// Checks a receipt once: still canonical? how deep? Without a call when the pushed blocks prove the receipt's block
    /// canonical (<see cref="Watching.HeadFeed.TryGetCanonical"/>); otherwise one batched round trip (head, receipt, block).
    /// </summary>
    public async Task<ConfirmationStatus> CheckAsync(TransactionReceipt receipt, int confirmations, CancellationToken ct = default)
    {
        var heads = rpc.Heads;
        if (heads.Latest is { } latest && heads.TryGetCanonical(receipt.BlockNumber, out var known) && known.Hash == receipt.BlockHash)
        {
            // The block is an ancestor of the newest pushed block: the receipt in it is the transaction's current one.
            var d = latest.Number - receipt.BlockNumber + 1;
            return new ConfirmationStatus(d >= confirmations ? ConfirmationState.Confirmed : ConfirmationState.Pending, receipt, d, receipt);
        }
        // The head first: a reorganisation after this read can only make the block check below fail, never
        // make a stale receipt look deeper than it is.
        var answers = await rpc.BatchAsync([
            ("eth_blockNumber", []),
            ("eth_getTransactionReceipt", [receipt.TransactionHash]),
            ("eth_getBlockByNumber", [EthRpcClient.ToQuantity(receipt.BlockNumber), false]),
        ], ct);
        var head = (long)EthRpcClient.Quantity(answers[0].Value);
        var r = answers[1].Value;
        var current = r.ValueKind == System.Text.Json.JsonValueKind.Null ? null : EthRpcClient.ParseReceipt(r);
        var b = answers[2].Value;
        var block = b.ValueKind == System.Text.Json.JsonValueKind.Null ? null : EthRpcClient.ParseBlock(b);
        if (current is null || current.BlockHash != receipt.BlockHash || block is null || block.Hash != receipt.BlockHash)
        {
            // A receipt naming the abandoned block is as stale as ours (read while the reorg happened).
            if (current is not null && current.BlockHash == receipt.BlockHash) current = null;
            return new ConfirmationStatus(ConfirmationState.Reorganized, receipt, 0, current);
        }
        var depth = head - receipt.BlockNumber + 1;
        return new ConfirmationStatus(depth >= confirmations ? ConfirmationState.Confirmed : ConfirmationState.Pending, receipt, depth, current);
    }

    /// <summary>
    /// Waits until the receipt is <paramref name="confirmations"/> blocks deep on the canonical chain.
    /// Throws <see cref="ChainReorganizedException"/> when its block is replaced, <see cref="TimeoutException"/> on timeout.
    /// </summary>
    public async Task<TransactionReceipt> WaitAsync(TransactionReceipt receipt, int confirmations, TimeSpan timeout, CancellationToken ct = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var seen = rpc.Heads.Sequence;
            var status = await CheckAsync(receipt, confirmations, ct);
            switch (status.State)
            {
                case ConfirmationState.Confirmed: return receipt;
                case ConfirmationState.Reorganized: throw new ChainReorganizedException(receipt, status.CurrentReceipt);
            }
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"transaction {receipt.TransactionHash} reached {status.Depth} of {confirmations} confirmations within {timeout}");
            await WaitForBlockAsync(seen, ct);
        }
    }

    /// <summary>Waits for the receipt of a hash, then for its confirmations.</summary>
    public async Task<TransactionReceipt> WaitAsync(string transactionHash, int confirmations, TimeSpan timeout, CancellationToken ct = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        TransactionReceipt? receipt;
        var seen = rpc.Heads.Sequence;
        while ((receipt = await rpc.GetTransactionReceiptAsync(transactionHash, ct)) is null)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"transaction {transactionHash} was not mined within {timeout}");
            await WaitForBlockAsync(seen, ct);
            seen = rpc.Heads.Sequence;
        }
        return await WaitAsync(receipt, confirmations, deadline - DateTime.UtcNow, ct);
    }
}
