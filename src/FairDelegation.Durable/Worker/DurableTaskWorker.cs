using System.Collections.Concurrent;
using FairDelegation.Durable.Client;
using FairDelegation.Durable.History;
using FairDelegation.Durable.Stores;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FairDelegation.Durable.Worker;

/// <summary>
/// The hosted service that runs orchestration episodes and activities from the store. Any number of workers
/// (processes, machines) may share one store: work is claimed with leases, so a dead worker's items are
/// picked up by another once the lease expires.
/// </summary>
public sealed class DurableTaskWorker : IHostedService, IAsyncDisposable
{
    private readonly IOrchestrationStore _store;
    private readonly DurableTaskRegistry _registry;
    private readonly IServiceProvider _services;
    private readonly DurableTaskOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _log;
    private readonly ConcurrentDictionary<long, ActivityWorkItem> _runningActivities = new();
    private readonly WorkSignal _activitySlotFreed = new();
    private readonly System.Threading.Channels.Channel<ActivityResult> _results =
        System.Threading.Channels.Channel.CreateUnbounded<ActivityResult>(new System.Threading.Channels.UnboundedChannelOptions { SingleReader = true });
    private Task _resultWriter = Task.CompletedTask;
    private CancellationTokenSource? _stopping;
    private Task[] _loops = [];
    private long _episodes;
    private long _activities;

    public DurableTaskWorker(IOrchestrationStore store, DurableTaskRegistry registry, IServiceProvider services,
        IOptions<DurableTaskOptions> options, ILoggerFactory? loggerFactory = null)
    {
        _store = store;
        _registry = registry;
        _services = services;
        _options = options.Value;
        _options.Validate();
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _log = _loggerFactory.CreateLogger<DurableTaskWorker>();
    }

    /// <summary>Orchestration episodes committed by this worker (for benchmarks and diagnostics).</summary>
    public long EpisodesCompleted => Interlocked.Read(ref _episodes);

    /// <summary>Activity executions whose result this worker saved.</summary>
    public long ActivitiesCompleted => Interlocked.Read(ref _activities);

    public string WorkerId => _options.WorkerId;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_stopping is not null) throw new InvalidOperationException("the worker is already started");
        await _store.InitializeAsync(cancellationToken);
        _stopping = new CancellationTokenSource();
        var ct = _stopping.Token;
        _resultWriter = Task.Run(ResultWriterLoopAsync, CancellationToken.None);
        _loops =
        [
            Task.Run(() => OrchestrationLoopAsync(ct), CancellationToken.None),
            Task.Run(() => ActivityLoopAsync(ct), CancellationToken.None),
            Task.Run(() => LeaseRenewalLoopAsync(ct), CancellationToken.None),
            // Cross-process wake-ups (PostgreSQL LISTEN/NOTIFY); polling remains the fallback.
            _store is IWorkNotificationSource notifications ? Task.Run(() => notifications.ListenAsync(ct), CancellationToken.None) : Task.CompletedTask,
        ];
        _log.LogInformation("durable worker {WorkerId} started on {Store}", _options.WorkerId, _store.Kind);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stopping is null) return;
        await _stopping.CancelAsync();
        try
        {
            await Task.WhenAll(_loops).WaitAsync(cancellationToken);
            // An episode that committed while the loops stopped may have started its activities directly: let them
            // finish (or abandon) before the result writer closes.
            while (!_runningActivities.IsEmpty) await Task.Delay(10, cancellationToken);
            _results.Writer.TryComplete();
            await _resultWriter.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) { }
        _stopping.Dispose();
        _stopping = null;
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None);

    // ---- orchestrations --------------------------------------------------------------------------------

    /// <summary>
    /// Claims instances while fewer than a batch are in hand, and runs their episodes with bounded concurrency,
    /// so claiming the next batch overlaps with finishing the current one.
    /// </summary>
    private async Task OrchestrationLoopAsync(CancellationToken ct)
    {
        var idle = _options.MinPollInterval;
        using var gate = new SemaphoreSlim(_options.MaxConcurrentOrchestrations);
        var inHand = 0;
        var slotFreed = new WorkSignal();
        var batch = _options.OrchestrationBatchSize;
        while (!ct.IsCancellationRequested)
        {
            var room = batch - Volatile.Read(ref inHand);
            if (room <= 0 || (room < batch && room * 2 < batch))
            {
                try { await slotFreed.WaitAsync(TimeSpan.FromMilliseconds(50), ct); }
                catch (OperationCanceledException) { break; }
                continue;
            }
            IReadOnlyList<OrchestrationWorkItem> items;
            try
            {
                items = await _store.LockOrchestrationsAsync(_options.WorkerId, room, _options.LeaseDuration, CachedHistory, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { break; }
            catch (Exception e)
            {
                _log.LogWarning(e, "claiming orchestrations failed; retrying");
                items = [];
            }
            if (items.Count == 0)
            {
                try { if (await _store.OrchestrationWork.WaitAsync(idle, ct)) idle = _options.MinPollInterval; else idle = Next(idle); }
                catch (OperationCanceledException) { break; }
                continue;
            }
            idle = _options.MinPollInterval;
            foreach (var item in items)
            {
                Interlocked.Increment(ref inHand);
                _ = Task.Run(async () =>
                {
                    await gate.WaitAsync(CancellationToken.None);
                    try { await ProcessOrchestrationAsync(item, ct); }
                    finally
                    {
                        gate.Release();
                        Interlocked.Decrement(ref inHand);
                        slotFreed.Notify();
                    }
                }, CancellationToken.None);
            }
        }
        // Episodes in hand finish (their commits are short) before the worker reports stopped.
        while (Volatile.Read(ref inHand) > 0) await Task.Delay(5, CancellationToken.None);
    }

    private TimeSpan Next(TimeSpan idle) =>
        TimeSpan.FromTicks(Math.Min(idle.Ticks * 2, _options.MaxPollInterval.Ticks));

    private async Task ProcessOrchestrationAsync(OrchestrationWorkItem item, CancellationToken ct)
    {
        try
        {
            var episode = BuildEpisode(item);
            if (episode is null)
            {
                // Events for an instance whose start time has not come: look again shortly.
                await _store.AbandonOrchestrationAsync(item, _options.WorkerId, _options.MaxPollInterval, CancellationToken.None);
                return;
            }
            // Activities this episode schedules run here straight from the commit (no separate claim, no wake-up hop)
            // while this worker has free activity slots; the rest are claimed by the activity loop of any worker.
            var slots = ct.IsCancellationRequested ? 0 : Math.Max(0, _options.MaxConcurrentActivities - _runningActivities.Count);
            var claimed = await _store.CompleteOrchestrationAndClaimAsync(item, episode, _options.WorkerId,
                Math.Min(slots, episode.Tasks.Count), _options.LeaseDuration, CancellationToken.None);
            if (claimed is not null)
            {
                Interlocked.Increment(ref _episodes);
                Remember(item, episode);
                foreach (var activity in claimed) StartActivity(activity, ct);
            }
            else
            {
                _history.TryRemove(item.InstanceId, out _);
                _log.LogInformation("orchestration {InstanceId}: another worker committed first (lease lost); episode discarded", item.InstanceId);
            }
        }
        catch (Exception e)
        {
            _history.TryRemove(item.InstanceId, out _);
            _log.LogError(e, "orchestration {InstanceId}: episode failed; its messages will be retried", item.InstanceId);
            try { await _store.AbandonOrchestrationAsync(item, _options.WorkerId, _options.MaxPollInterval, CancellationToken.None); }
            catch (Exception e2) { _log.LogWarning(e2, "orchestration {InstanceId}: could not release its lease", item.InstanceId); }
        }
    }

    // Histories of instances this worker just committed, so the next episode need not re-read them. Keyed by
    // (incarnation, version): any commit elsewhere changes the version, so a stale entry is never used.
    private readonly ConcurrentDictionary<string, (long Incarnation, long Version, IReadOnlyList<HistoryEvent> History)> _history = new();
    private const int HistoryCacheLimit = 20_000;

    private IReadOnlyList<HistoryEvent>? CachedHistory(string instanceId, long incarnation, long version) =>
        _history.TryGetValue(instanceId, out var c) && c.Incarnation == incarnation && c.Version == version ? c.History : null;

    private void Remember(OrchestrationWorkItem item, OrchestrationEpisode episode)
    {
        if (episode.Status.IsTerminal()) { _history.TryRemove(item.InstanceId, out _); return; }
        if (_history.Count >= HistoryCacheLimit) _history.Clear();
        IReadOnlyList<HistoryEvent> next = episode.ResetHistory ? [] : [.. item.History, .. episode.NewHistory];
        _history[item.InstanceId] = (item.Incarnation, item.Version + 1, next);
    }

    private OrchestrationEpisode? BuildEpisode(OrchestrationWorkItem item)
    {
        var now = DateTime.UtcNow;
        // Results of an earlier execution (before ContinueAsNew) are stale.
        var messages = item.Messages.Where(m => m.Generation is null || m.Generation == item.Generation).ToList();

        if (item.Status.IsTerminal())
            return new OrchestrationEpisode { NewHistory = [], OnlyConsumeMessages = true, Status = item.Status, Generation = item.Generation };

        if (messages.FirstOrDefault(m => m.Event is ExecutionTerminated) is { Event: ExecutionTerminated terminate })
        {
            return new OrchestrationEpisode
            {
                NewHistory = [new OrchestratorStarted { Timestamp = now }, terminate with { Timestamp = now }],
                Status = OrchestrationRuntimeStatus.Terminated, Generation = item.Generation,
                Output = terminate.Output, CustomStatus = item.CustomStatus,
            };
        }

        var started = item.History.Count > 0 || messages.Any(m => m.Event is ExecutionStarted);
        if (!started) return null;

        // Exactly one ExecutionStarted, first; events queued before the start follow it.
        if (item.History.Count == 0)
            messages = messages.Where(m => m.Event is ExecutionStarted).Take(1).Concat(messages.Where(m => m.Event is not ExecutionStarted)).ToList();

        if (!_registry.TryGetOrchestrator(item.Name, out var factory))
        {
            var failure = new TaskFailureDetails("OrchestratorNotRegistered",
                $"no orchestrator named '{item.Name}' is registered with this worker (AddTasks(r => r.AddOrchestrator<...>()))", null);
            return new OrchestrationEpisode
            {
                NewHistory = [new OrchestratorStarted { Timestamp = now }, new ExecutionCompleted(OrchestrationRuntimeStatus.Failed, null, failure) { Timestamp = now }],
                Status = OrchestrationRuntimeStatus.Failed, Generation = item.Generation, Failure = failure, CustomStatus = item.CustomStatus,
            };
        }

        using var scope = _services.CreateScope();
        return OrchestrationExecutor.Execute(item, messages, () => factory(scope.ServiceProvider), _options, _loggerFactory, now);
    }

    // ---- activities ------------------------------------------------------------------------------------

    private async Task ActivityLoopAsync(CancellationToken ct)
    {
        var idle = _options.MinPollInterval;
        while (!ct.IsCancellationRequested)
        {
            var free = _options.MaxConcurrentActivities - _runningActivities.Count;
            if (free <= 0)
            {
                try { await _activitySlotFreed.WaitAsync(TimeSpan.FromMilliseconds(100), ct); }
                catch (OperationCanceledException) { break; }
                continue;
            }
            IReadOnlyList<ActivityWorkItem> items;
            try
            {
                items = await _store.LockActivitiesAsync(_options.WorkerId, free, _options.LeaseDuration, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { break; }
            catch (Exception e)
            {
                _log.LogWarning(e, "claiming activities failed; retrying");
                items = [];
            }
            if (items.Count == 0)
            {
                try { if (await _store.ActivityWork.WaitAsync(idle, ct)) idle = _options.MinPollInterval; else idle = Next(idle); }
                catch (OperationCanceledException) { break; }
                continue;
            }
            idle = _options.MinPollInterval;
            foreach (var item in items) StartActivity(item, ct);
        }
        // Let running activities finish or abandon before the loop reports stopped.
        while (!_runningActivities.IsEmpty) await Task.Delay(10, CancellationToken.None);
    }

    private void StartActivity(ActivityWorkItem item, CancellationToken ct)
    {
        // Our own lease ran out while the activity was still running here (a stalled renewal), and we claimed it
        // again: the claim renewed the lease; do not start a second copy.
        if (!_runningActivities.TryAdd(item.Id, item)) return;
        _ = Task.Run(() => RunActivityAsync(item, ct), CancellationToken.None);
    }

    private async Task RunActivityAsync(ActivityWorkItem item, CancellationToken ct)
    {
        try
        {
            HistoryEvent result;
            try
            {
                result = new TaskCompleted(item.TaskScheduledId, await ExecuteActivityAsync(item, ct));
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Shutting down: hand the task back at once rather than after the lease.
                await _store.AbandonActivityAsync(item, TimeSpan.Zero, CancellationToken.None);
                return;
            }
            catch (Exception e)
            {
                result = new TaskFailed(item.TaskScheduledId, TaskFailureDetails.FromException(e));
            }
            var saved = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            _pendingSaves[item.Id] = saved;
            await _results.Writer.WriteAsync(new ActivityResult(item, result with { Timestamp = DateTime.UtcNow }), CancellationToken.None);
            if (await saved.Task)
                Interlocked.Increment(ref _activities);
            else
                _log.LogInformation("activity {Name} of {InstanceId}: lease lost, result dropped (another worker runs it)", item.Name, item.InstanceId);
        }
        catch (Exception e)
        {
            _log.LogError(e, "activity {Name} of {InstanceId}: could not save its result; it will run again", item.Name, item.InstanceId);
        }
        finally
        {
            _runningActivities.TryRemove(item.Id, out _);
            _activitySlotFreed.Notify();
        }
    }

    private readonly ConcurrentDictionary<long, TaskCompletionSource<bool>> _pendingSaves = new();

    /// <summary>
    /// Saves activity results in batches: whatever finished since the last save goes in one transaction, so a
    /// burst of short activities costs one commit instead of one each.
    /// </summary>
    private async Task ResultWriterLoopAsync()
    {
        var batch = new List<ActivityResult>();
        while (await _results.Reader.WaitToReadAsync(CancellationToken.None))
        {
            batch.Clear();
            while (batch.Count < 256 && _results.Reader.TryRead(out var r)) batch.Add(r);
            if (batch.Count == 0) continue;
            IReadOnlyList<bool> saved;
            try
            {
                saved = await _store.CompleteActivitiesAsync(batch, CancellationToken.None);
            }
            catch (Exception e)
            {
                _log.LogError(e, "saving {Count} activity results failed; those activities will run again after their leases", batch.Count);
                saved = new bool[batch.Count];
            }
            for (var i = 0; i < batch.Count; i++)
            {
                if (_pendingSaves.TryRemove(batch[i].Item.Id, out var tcs)) tcs.TrySetResult(saved[i]);
            }
        }
    }

    private async Task<string?> ExecuteActivityAsync(ActivityWorkItem item, CancellationToken ct)
    {
        if (!_registry.TryGetActivity(item.Name, out var factory))
            throw new InvalidOperationException($"no activity named '{item.Name}' is registered with this worker");
        await using var scope = _services.CreateAsyncScope();
        var activity = factory(scope.ServiceProvider);
        var input = _options.DataConverter.Deserialize(item.Input, activity.InputType);
        var context = new WorkerActivityContext(item.Name, item.InstanceId, item.IdempotencyKey, ct);
        var output = await activity.RunAsync(context, input);
        var json = _options.DataConverter.Serialize(output);
        _options.CheckPayload(json, $"the output of activity '{item.Name}'");
        return json;
    }

    private async Task LeaseRenewalLoopAsync(CancellationToken ct)
    {
        var period = TimeSpan.FromTicks(_options.LeaseDuration.Ticks / 3);
        while (!ct.IsCancellationRequested)
        {
            try { await Task.Delay(period, ct); }
            catch (OperationCanceledException) { break; }
            var ids = _runningActivities.Keys.ToArray();
            if (ids.Length == 0) continue;
            try { await _store.RenewActivityLeasesAsync(_options.WorkerId, ids, _options.LeaseDuration, ct); }
            catch (Exception e) when (!ct.IsCancellationRequested) { _log.LogWarning(e, "renewing activity leases failed"); }
            catch (OperationCanceledException) { break; }
        }
    }

    private sealed class WorkerActivityContext(string name, string instanceId, string key, CancellationToken ct) : TaskActivityContext
    {
        public override TaskName Name { get; } = name;
        public override string InstanceId { get; } = instanceId;
        public override string IdempotencyKey { get; } = key;
        public override CancellationToken CancellationToken { get; } = ct;
    }
}
