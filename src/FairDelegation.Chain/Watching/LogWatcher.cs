using System.Runtime.CompilerServices;
using FairDelegation.Chain.Crypto;
using FairDelegation.Chain.Rpc;

namespace FairDelegation.Chain.Watching;

/// <summary>
/// How far a watcher got: the last block whose logs were all delivered, by number and hash. Store it after
/// handling a batch and pass it back to resume; the hash lets the watcher notice that the block was reorganised
/// away while nobody was looking. An empty hash means "not seen yet" (the watch starts beyond the head).
/// </summary>
public sealed record LogCursor(long BlockNumber, string BlockHash);

/// <summary>A reorganisation: delivered logs of blocks after <see cref="CommonAncestor"/> are void.</summary>
public sealed record ReorgNotice(LogCursor Abandoned, LogCursor CommonAncestor);

/// <summary>
/// One step of a watch: either new logs up to <see cref="Cursor"/>, or (when <see cref="Reorg"/> is set, with no
/// logs) a rewind: the consumer drops what it derived from blocks after the common ancestor, and the following
/// batches deliver the new chain's logs from there.
/// </summary>
public sealed record LogBatch(IReadOnlyList<LogEntry> Logs, LogCursor Cursor, ReorgNotice? Reorg = null);

/// <summary>Options of <see cref="LogWatcher"/>.</summary>
public sealed record LogWatcherOptions
{
    /// <summary>Only blocks at least this many deep are read (0 = up to the head).</summary>
    public int Confirmations { get; init; }

    /// <summary>Largest block range of one eth_getLogs call.</summary>
    public int MaxBlockRange { get; init; } = 2000;

    /// <summary>Pause between polls when there is nothing new and no new-block subscription is live.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// While the node pushes new blocks (see <see cref="HeadFeed"/>), the watcher wakes on each block; this is the longest
    /// it waits without one before polling anyway (a safety net, never the usual path).
    /// </summary>
    public TimeSpan SubscribedPollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How far to rewind when a reorganisation is found and no recent block hashes are known (after a restart).</summary>
    public int ReorgRewindDepth { get; init; } = 64;
}

/// <summary>
/// Follows one contract's events from a block on. Resumable from a stored <see cref="LogCursor"/>; reorg-aware:
/// before reading further it checks that the cursor's block is still canonical, and if not, it walks back to the
/// last block it knows is still canonical and reports a <see cref="ReorgNotice"/>. Cheap in the common case: when the
/// newest block (pushed over the client's <see cref="HeadFeed"/>, else one eth_getBlockByNumber) is the cursor's block
/// nothing more is asked; when it is the cursor's child, its logs bloom decides whether one eth_getLogs by block hash
/// is needed at all. <see cref="WatchAsync"/> wakes on pushed blocks and polls only as a fallback.
/// </summary>
public sealed class LogWatcher(EthRpcClient rpc, EthereumAddress contract, IReadOnlyList<string>? topic0 = null, LogWatcherOptions? options = null)
{
    private readonly LogWatcherOptions _options = options ?? new LogWatcherOptions();

    // Hashes of blocks this watcher delivered, by number: finds the common ancestor after a reorg.
    private readonly SortedDictionary<long, string> _delivered = new();

    public EthereumAddress Contract => contract;

    /// <summary>
    /// One poll. <paramref name="cursor"/> null starts at <paramref name="fromBlock"/>. Returns a batch with the
    /// same cursor when there is nothing new.
    /// </summary>
    public async Task<LogBatch> PollAsync(LogCursor? cursor, long fromBlock = 0, CancellationToken ct = default)
    {
        BlockHeader? latest = null;
        if (_options.Confirmations == 0 && cursor is { BlockNumber: >= 0, BlockHash.Length: > 0 })
        {
            latest = rpc.Heads.Latest;
            // Nothing new as far as pushed blocks tell (a wait that timed out, a first look, a block mined through this
            // very client a moment ago), or the push lags behind a cursor taken from the node itself: ask the node, so a
            // poll always answers for now, not for the last push (a stale head would read as "nothing new").
            if (latest is null || latest.Hash == cursor.BlockHash || latest.Number <= cursor.BlockNumber)
                latest = await rpc.GetBlockAsync("latest", ct);
            if (latest is not null)
            {
                if (latest.Hash == cursor.BlockHash) return new LogBatch([], cursor); // nothing new
                if (latest.ParentHash == cursor.BlockHash && latest.Number == cursor.BlockNumber + 1) return await NextBlockAsync(cursor, latest, ct);
            }
            // Several blocks behind, or a reorganisation: the general path below.
        }
        if (cursor is { BlockNumber: >= 0, BlockHash.Length: > 0 })
        {
            var canonical = await BlockAtAsync(cursor.BlockNumber, latest, ct);
            if (canonical is null || canonical.Hash != cursor.BlockHash)
            {
                var ancestor = await FindCommonAncestorAsync(cursor, fromBlock, ct);
                foreach (var n in _delivered.Keys.Where(n => n > ancestor.BlockNumber).ToArray()) _delivered.Remove(n);
                return new LogBatch([], ancestor, new ReorgNotice(cursor, ancestor));
            }
        }

        var head = (latest?.Number ?? await rpc.BlockNumberAsync(ct)) - _options.Confirmations;
        var from = cursor is null ? fromBlock : cursor.BlockNumber + 1;
        // Nothing to read yet. Before the first block of the watch exists, the cursor has no hash ("not seen").
        if (from > head) return new LogBatch([], cursor ?? (fromBlock - 1 > head ? new LogCursor(fromBlock - 1, "") : await CursorBeforeAsync(fromBlock, ct)));
        var to = Math.Min(head, from + _options.MaxBlockRange - 1);

        var logs = await rpc.GetLogsAsync(new LogFilter(contract, from, to, topic0), ct);
        var end = await BlockAtAsync(to, latest, ct) ?? throw new InvalidOperationException($"block {to} vanished while reading logs");
        // A reorganisation between the two calls would pair old logs with a new block: check every log's block.
        foreach (var group in logs.GroupBy(l => l.BlockNumber))
        {
            var block = group.Key == to ? end : await BlockAtAsync(group.Key, latest, ct);
            if (block is null || group.Any(l => l.Removed || l.BlockHash != block.Hash))
                return new LogBatch([], cursor ?? await CursorBeforeAsync(fromBlock, ct)); // try again next poll
        }
        if (cursor is { BlockNumber: >= 0, BlockHash.Length: > 0 })
        {
            // The new range must extend the chain the cursor is on.
            var first = from == to ? end : await BlockAtAsync(from, latest, ct);
            if (first is null || first.ParentHash != cursor.BlockHash) return new LogBatch([], cursor);
        }
        _delivered[to] = end.Hash;
        foreach (var l in logs) _delivered[l.BlockNumber] = l.BlockHash;
        while (_delivered.Count > 4 * _options.ReorgRewindDepth) _delivered.Remove(_delivered.Keys.First());
        return new LogBatch(logs.OrderBy(l => l.BlockNumber).ThenBy(l => l.LogIndex).ToArray(), new LogCursor(to, end.Hash));
    }

    /// <summary>
    /// Follows forever (until cancelled), yielding every batch that has logs or a reorg notice. Between polls it waits
    /// for the next pushed block (at most <see cref="LogWatcherOptions.SubscribedPollInterval"/>), or, without a live
    /// subscription, <see cref="LogWatcherOptions.PollInterval"/>.
    /// </summary>
    public async IAsyncEnumerable<LogBatch> WatchAsync(LogCursor? cursor, long fromBlock = 0, [EnumeratorCancellation] CancellationToken ct = default)
    {
        rpc.Heads.Start();
        while (!ct.IsCancellationRequested)
        {
            var seen = rpc.Heads.Sequence; // before the poll: a block arriving during it must wake the wait below
            var batch = await PollAsync(cursor, fromBlock, ct);
            var moved = batch.Cursor != cursor;
            cursor = batch.Cursor;
            if (batch.Logs.Count > 0 || batch.Reorg is not null) yield return batch;
            // Caught up with the pushed head (or nothing new): wait for the next block.
            if (!moved || batch.Logs.Count == 0 || rpc.Heads.Latest?.Hash == cursor.BlockHash) await WaitForBlockAsync(seen, ct);
        }
    }

    /// <summary>Waits for the next pushed block, or a poll interval when no subscription is live.</summary>
    public Task<bool> WaitForBlockAsync(long seenSequence, CancellationToken ct = default) =>
        rpc.Heads.WaitForNextAsync(seenSequence, rpc.Heads.IsLive ? _options.SubscribedPollInterval : _options.PollInterval, ct);

    /// <summary>
    /// The canonical block at a height: the latest block already at hand, or one the pushed blocks prove canonical (an
    /// ancestor of the newest by parent hashes), else asked for.
    /// </summary>
    private async Task<BlockHeader?> BlockAtAsync(long number, BlockHeader? latest, CancellationToken ct)
    {
        if (latest is not null && latest.Number == number) return latest;
        if (rpc.Heads.TryGetCanonical(number, out var known)) return known;
        return await rpc.GetBlockAsync(number, ct);
    }

    /// <summary>The common case: the head is the cursor's child. Its bloom tells whether it can hold our logs at all.</summary>
    private async Task<LogBatch> NextBlockAsync(LogCursor cursor, BlockHeader head, CancellationToken ct)
    {
        IReadOnlyList<LogEntry> logs = [];
        if (LogsBloom.MayContain(head.LogsBloom, contract, topic0))
        {
            logs = await rpc.GetLogsAsync(new LogFilter(contract, 0, null, topic0, BlockHash: head.Hash), ct);
            if (logs.Any(l => l.Removed || l.BlockHash != head.Hash)) return new LogBatch([], cursor); // try again next poll
        }
        _delivered[head.Number] = head.Hash;
        while (_delivered.Count > 4 * _options.ReorgRewindDepth) _delivered.Remove(_delivered.Keys.First());
        return new LogBatch(logs.OrderBy(l => l.LogIndex).ToArray(), new LogCursor(head.Number, head.Hash));
    }

    private async Task<LogCursor> FindCommonAncestorAsync(LogCursor abandoned, long fromBlock, CancellationToken ct)
    {
        foreach (var (number, hash) in _delivered.Reverse())
        {
            if (number >= abandoned.BlockNumber) continue;
            var block = await rpc.GetBlockAsync(number, ct);
            if (block is not null && block.Hash == hash) return new LogCursor(number, hash);
        }
        // Nothing known (a restart): rewind a fixed depth, never before the watch's start.
        var back = Math.Max(fromBlock - 1, abandoned.BlockNumber - _options.ReorgRewindDepth);
        return await CursorBeforeAsync(back + 1, ct);
    }

    private async Task<LogCursor> CursorBeforeAsync(long block, CancellationToken ct)
    {
        if (block <= 0) return new LogCursor(-1, "");
        var b = await rpc.GetBlockAsync(block - 1, ct) ?? throw new InvalidOperationException($"block {block - 1} does not exist");
        return new LogCursor(b.Number, b.Hash);
    }
}
