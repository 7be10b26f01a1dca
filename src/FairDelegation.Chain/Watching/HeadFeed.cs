using FairDelegation.Chain.Rpc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FairDelegation.Chain.Watching;

/// <summary>Options of <see cref="HeadFeed"/>.</summary>
public sealed record HeadFeedOptions
{
    /// <summary>How long one connection attempt may take.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Pause before the first reconnection attempt after a drop; doubles up to <see cref="MaxReconnectDelay"/>.</summary>
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest pause between reconnection attempts.</summary>
    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Headers kept by hash, to prove a recent block canonical without asking the node.</summary>
    public int HeaderCacheSize { get; init; } = 256;
}

/// <summary>
/// The chain's newest block as the node pushes it (eth_subscribe "newHeads" over WebSocket), so that waiting for a chain
/// fact (a receipt, a confirmation, a log) wakes when a block arrives instead of after a poll interval. Waiters always
/// bound their wait: when no WebSocket endpoint answers or the connection drops, <see cref="WaitForNextAsync"/> simply
/// times out and the caller polls as before, while the feed reconnects in the background (with backoff) and, once
/// connected again, wakes everyone so they catch up from their own cursors. Lazy: nothing connects before
/// <see cref="Start"/>.
/// </summary>
public sealed class HeadFeed : IAsyncDisposable, IDisposable
{
    private readonly object _gate = new();
    private readonly Dictionary<string, BlockHeader> _byHash = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly ILogger _log;
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private BlockHeader? _latest;
    private long _sequence;
    private Task? _loop;
    private EthSubscriptionClient? _connection;
    private volatile bool _live;

    /// <summary>A feed from <paramref name="webSocketUrl"/>; null = no WebSocket (every wait just times out: polling).</summary>
    public HeadFeed(Uri? webSocketUrl, HeadFeedOptions? options = null, ILogger? log = null)
    {
        Url = webSocketUrl;
        Options = options ?? new HeadFeedOptions();
        _log = log ?? NullLogger.Instance;
    }

    /// <summary>The WebSocket endpoint, or null when this feed never connects.</summary>
    public Uri? Url { get; }

    public HeadFeedOptions Options { get; }

    /// <summary>True while subscribed: a new block wakes waiters within milliseconds.</summary>
    public bool IsLive => _live;

    /// <summary>The newest header pushed by the node (null before the first; stale while not <see cref="IsLive"/>).</summary>
    public BlockHeader? Latest => _live ? Volatile.Read(ref _latest) : null;

    /// <summary>Increases with every pushed header and every (re)connection: pass it back to <see cref="WaitForNextAsync"/>.</summary>
    public long Sequence => Interlocked.Read(ref _sequence);

    /// <summary>Connections made so far (1 after the first; more after drops).</summary>
    public int Connections { get; private set; }

    /// <summary>Starts connecting in the background (idempotent; a no-op without a URL).</summary>
    public void Start()
    {
        if (Url is null || _loop is not null) return;
        lock (_gate)
        {
            if (_loop is null && !_stop.IsCancellationRequested) _loop = Task.Run(RunAsync, CancellationToken.None);
        }
    }

    /// <summary>
    /// Waits until a header newer than <paramref name="seenSequence"/> arrives (true) or <paramref name="maxWait"/> passes
    /// (false). Returns at once when one already arrived since. Starts the feed if needed.
    /// </summary>
    public async Task<bool> WaitForNextAsync(long seenSequence, TimeSpan maxWait, CancellationToken ct = default)
    {
        Start();
        Task next;
        lock (_gate) next = _next.Task;
        if (Sequence != seenSequence) return true;
        if (Url is null || maxWait <= TimeSpan.Zero)
        {
            if (maxWait > TimeSpan.Zero) await Task.Delay(maxWait, ct);
            return false;
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var delay = Task.Delay(maxWait, timeout.Token);
        var done = await Task.WhenAny(next, delay);
        timeout.Cancel();
        ct.ThrowIfCancellationRequested();
        return done == next;
    }

    /// <summary>Starts the feed and waits until it is subscribed (true) or <paramref name="timeout"/> passes (false).</summary>
    public async Task<bool> WaitUntilLiveAsync(TimeSpan timeout, CancellationToken ct = default)
    {
        var until = DateTime.UtcNow + timeout;
        while (!IsLive && Url is not null)
        {
            var left = until - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) return false;
            await WaitForNextAsync(Sequence, left < TimeSpan.FromMilliseconds(50) ? left : TimeSpan.FromMilliseconds(50), ct);
        }
        return IsLive;
    }

    /// <summary>
    /// The canonical header at <paramref name="number"/> as far as pushed headers prove it: walks parent hashes back from
    /// the latest header (a hash's parent never changes, so the walk is safe across reorgs). False when the feed is not
    /// live or the chain of cached headers does not reach that far: ask the node then.
    /// </summary>
    public bool TryGetCanonical(long number, out BlockHeader header)
    {
        header = null!;
        var h = Latest;
        if (h is null || number > h.Number) return false;
        lock (_gate)
        {
            while (h.Number > number)
            {
                if (!_byHash.TryGetValue(h.ParentHash, out var parent)) return false;
                h = parent;
            }
        }
        header = h;
        return h.Number == number;
    }

    /// <summary>
    /// Forgets the latest header until the node pushes the next one, unless one was pushed since <paramref name="sequenceBefore"/>
    /// (read before the chain was rewritten: that one is the new branch's), so that proofs and fast paths ask the node
    /// meanwhile: for rewinds the node does not announce (anvil's evm_revert pushes no header) and for read-your-writes
    /// after this process rewrote the chain itself (<see cref="Rpc.AnvilRpc"/> calls it after evm_revert and anvil_reorg).
    /// </summary>
    public void Invalidate(long sequenceBefore)
    {
        lock (_gate)
        {
            if (Sequence != sequenceBefore) return;
            _latest = null;
        }
        Bump();
    }

    /// <summary>Drops the current connection (it reconnects after <see cref="HeadFeedOptions.ReconnectDelay"/>): tests, endpoint rotation.</summary>
    public void Reconnect()
    {
        _live = false;
        _connection?.Abort();
    }

    private async Task RunAsync()
    {
        var delay = Options.ReconnectDelay;
        var warned = false;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await using var connection = await EthSubscriptionClient.ConnectAsync(Url!, Options.ConnectTimeout, _stop.Token);
                _connection = connection;
                lock (_gate) _latest = null; // stale: blocks may have come while we were away
                await connection.SubscribeNewHeadsAsync(OnHead, _stop.Token);
                // Seed with the current head unless a pushed one came first (it is at least as new).
                var latest = await connection.RequestAsync("eth_getBlockByNumber", ["latest", false], _stop.Token);
                if (latest.ValueKind == System.Text.Json.JsonValueKind.Object)
                {
                    var header = EthRpcClient.ParseBlock(latest);
                    lock (_gate)
                    {
                        if (_latest is null) Remember(header);
                    }
                }
                Connections++;
                _live = true;
                delay = Options.ReconnectDelay;
                warned = false;
                _log.LogInformation("subscribed to new blocks at {Url}", Url);
                // Whatever happened while we were away is caught up by the waiters from their own cursors: wake them.
                Bump();
                await connection.Closed.WaitAsync(_stop.Token);
                _log.LogWarning("the WebSocket to {Url} dropped; polling until it is back", Url);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                if (!warned) _log.LogWarning("no new-block subscription at {Url} ({Reason}); polling, and retrying in the background", Url, e.Message);
                warned = true;
            }
            finally
            {
                _live = false;
                _connection = null;
            }
            try { await Task.Delay(delay, _stop.Token); } catch (OperationCanceledException) { break; }
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, Options.MaxReconnectDelay.Ticks));
        }
    }

    private void OnHead(BlockHeader head)
    {
        lock (_gate) Remember(head);
        Bump();
    }

    private void Remember(BlockHeader head)
    {
        if (_byHash.TryAdd(head.Hash, head))
        {
            _order.Enqueue(head.Hash);
            while (_order.Count > Options.HeaderCacheSize) _byHash.Remove(_order.Dequeue());
        }
        Volatile.Write(ref _latest, head);
    }

    private void Bump()
    {
        TaskCompletionSource woken;
        lock (_gate)
        {
            Interlocked.Increment(ref _sequence);
            woken = _next;
            _next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        woken.TrySetResult();
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested) return;
        _stop.Cancel();
        if (_loop is not null)
        {
            try { await _loop; } catch (OperationCanceledException) { }
        }
        _stop.Dispose();
    }

    public void Dispose()
    {
        if (_stop.IsCancellationRequested) return;
        _stop.Cancel();
    }
}
