using FairDelegation.Chain.Crypto;
using FairDelegation.Chain.Escrow;
using FairDelegation.Chain.Rpc;
using FairDelegation.Chain.Watching;
using FairDelegation.Node.Configuration;
using FairDelegation.Protocol.Market;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FairDelegation.Node.Market;

/// <summary>
/// Follows the market continuously (docs/market.md): the registry's events into a <see cref="ProviderDirectory"/> and
/// the escrow's events into the facts reputation reads, each through its own reorg-aware <see cref="LogWatcher"/>. On a
/// reorganisation both are rewound to the common ancestor and the new chain's events are applied again. Held in
/// memory and rebuilt from <c>Market:WatchFromBlock</c> at each start: the events are the record, nothing is stored.
/// Runs only when <c>Market:RegistryAddress</c> is set.
/// </summary>
public sealed class MarketWatcher(EthRpcClient rpc, IOptions<NodeOptions> options, ILogger<MarketWatcher> log) : BackgroundService
{
    private readonly ProviderDirectory _directory = new();
    private readonly List<EscrowFact> _facts = [];
    private readonly Dictionary<long, long> _blockTimes = [];
    private readonly SemaphoreSlim _poll = new(1, 1);
    private LogWatcher? _registry, _escrow;
    private LogCursor? _registryCursor, _escrowCursor;
    private long _caughtUpTo = -1;

    /// <summary>The block up to which both the directory and the facts are read (-1 before the first round).</summary>
    public long CaughtUpTo => Interlocked.Read(ref _caughtUpTo);

    /// <summary>
    /// The market as of the chain's head when called: reads on (at most <paramref name="timeout"/>) until the directory
    /// and the records reach that block, so a provider registered a moment ago is seen. The hosted loop usually is there
    /// already; a host without it (the Functions app) catches up here.
    /// </summary>
    public async Task<MarketSnapshot> SnapshotAsync(TimeSpan timeout, CancellationToken ct)
    {
        var head = await rpc.GetLatestBlockAsync(ct);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        try
        {
            while (CaughtUpTo < head.Number) await PollOnceAsync(limit.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"the market directory has read up to block {CaughtUpTo}, not yet the head {head.Number}, within {timeout}");
        }
        List<EscrowFact> facts;
        lock (_facts) facts = [.. _facts];
        return new MarketSnapshot(_directory.All(), ReputationBook.Compute(facts, head.Timestamp), head.Timestamp, head.Number);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (!o.Market.Enabled) return;
        rpc.Heads.Start();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var seen = rpc.Heads.Sequence; // before the poll: a block pushed during it wakes the wait below at once
                if (!await PollOnceAsync(stoppingToken)) await rpc.Heads.WaitForNextAsync(seen, rpc.Heads.IsLive ? TimeSpan.FromSeconds(5) : o.Chain.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // The RPC node may be briefly away; the cursors only move after a batch is applied, so nothing is lost.
                log.LogWarning(ex, "market watcher poll failed; retrying");
                await Task.Delay(o.Chain.PollInterval, stoppingToken).ContinueWith(_ => { }, CancellationToken.None);
            }
        }
    }

    /// <summary>One poll of both contracts' events; true when anything moved (read on at once).</summary>
    private async Task<bool> PollOnceAsync(CancellationToken ct)
    {
        var o = options.Value;
        if (!o.Market.Enabled) throw new InvalidOperationException("no market registry is configured (Market:RegistryAddress)");
        await _poll.WaitAsync(ct);
        try
        {
            var fromBlock = o.Market.WatchFromBlock ?? o.Chain.WatchFromBlock;
            var watcherOptions = new LogWatcherOptions { PollInterval = o.Chain.PollInterval };
            _registry ??= new LogWatcher(rpc, EthereumAddress.Parse(o.Market.RegistryAddress!), null, watcherOptions);
            // Every escrow event: openings in either currency, claims and refunds (EscrowLogs skips any other).
            _escrow ??= new LogWatcher(rpc, EthereumAddress.Parse(o.Chain.EscrowAddress), null, watcherOptions);

            var r = await _registry.PollAsync(_registryCursor, fromBlock, ct);
            if (r.Reorg is { } rr)
            {
                log.LogWarning("market: reorganisation in the registry's events, rewinding the directory to block {Ancestor}", rr.CommonAncestor.BlockNumber);
                _directory.RewindTo(rr.CommonAncestor.BlockNumber);
            }
            _directory.Apply(RegistryLogs.Decode(r.Logs.Select(EscrowContract.ToFilterLog)));
            var registryMoved = r.Cursor != _registryCursor || r.Reorg is not null;
            _registryCursor = r.Cursor;

            var e = await _escrow.PollAsync(_escrowCursor, fromBlock, ct);
            if (e.Reorg is { } er)
            {
                log.LogWarning("market: reorganisation in the escrow's events, rewinding the records to block {Ancestor}", er.CommonAncestor.BlockNumber);
                lock (_facts) _facts.RemoveAll(f => f.Position.BlockNumber > er.CommonAncestor.BlockNumber);
                foreach (var n in _blockTimes.Keys.Where(n => n > er.CommonAncestor.BlockNumber).ToArray()) _blockTimes.Remove(n);
            }
            if (e.Logs.Count > 0)
            {
                // Logs carry no time; reputation needs the blocks' (median time to claim, expiry).
                foreach (var number in e.Logs.Select(l => l.BlockNumber).Distinct().Where(n => !_blockTimes.ContainsKey(n)))
                    _blockTimes[number] = (await rpc.GetBlockAsync(number, ct) ?? throw new InvalidOperationException($"block {number} vanished (a reorganisation): read again")).Timestamp;
                var facts = EscrowLogs.Decode(e.Logs.Select(EscrowContract.ToFilterLog), _blockTimes).ToList();
                lock (_facts) _facts.AddRange(facts);
            }
            var escrowMoved = e.Cursor != _escrowCursor || e.Reorg is not null;
            _escrowCursor = e.Cursor;
            Interlocked.Exchange(ref _caughtUpTo, Math.Min(_registryCursor.BlockNumber, _escrowCursor.BlockNumber));
            return registryMoved || escrowMoved;
        }
        finally
        {
            _poll.Release();
        }
    }
}
