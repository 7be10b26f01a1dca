using System.Collections.Concurrent;
using DurableTask.Core;
using DurableTask.Core.History;
using DurableTask.Core.Query;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FairDelegation.Durable.Sqlite;

/// <summary>
/// The Durable Task Framework's storage provider on one SQLite file (WAL), built like the SQL Server provider
/// (microsoft/durabletask-mssql) over the same interfaces: an instance row per orchestration with a lock (the
/// session: one episode per instance at a time), its history, a queue of new events (messages whose visible time
/// is in the future are timers; messages for a locked instance wait there until its episode commits), and a queue
/// of activity tasks with leases. Replay, dispatch and retries are the framework's.
/// </summary>
public sealed partial class SqliteOrchestrationService :
    IOrchestrationService, IOrchestrationServiceClient, IOrchestrationServiceQueryClient, IOrchestrationServicePurgeClient, IAsyncDisposable
{
    private readonly SqliteOrchestrationServiceSettings _settings;
    private readonly SqliteTaskHubDatabase _db;
    private readonly ILogger _log;

    /// <summary>
    /// The history of each instance whose last episode this process committed, so its next episode here needs no
    /// reload. Valid only while the row still names the same execution and history length: history is append-only
    /// within an execution, so a length match means nobody else wrote to it.
    /// </summary>
    private readonly ConcurrentDictionary<string, CachedHistory> _historyCache = new();
    private const int MaxCachedInstances = 10_000;

    private sealed record CachedHistory(string ExecutionId, int Count, IList<HistoryEvent> Events);

    public SqliteOrchestrationService(SqliteOrchestrationServiceSettings settings, ILogger<SqliteOrchestrationService>? logger = null)
    {
        _settings = settings ?? throw new ArgumentNullException(nameof(settings));
        if (settings.WorkItemLockTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(settings), settings.WorkItemLockTimeout, "WorkItemLockTimeout must be positive");
        if (settings.PollInterval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(settings), settings.PollInterval, "PollInterval must be positive");
        if (settings.MaxConcurrentOrchestrations < 1) throw new ArgumentOutOfRangeException(nameof(settings), settings.MaxConcurrentOrchestrations, "MaxConcurrentOrchestrations must be at least 1");
        if (settings.MaxConcurrentActivities < 1) throw new ArgumentOutOfRangeException(nameof(settings), settings.MaxConcurrentActivities, "MaxConcurrentActivities must be at least 1");
        _db = new SqliteTaskHubDatabase(settings.DatabasePath, settings.SynchronousFull);
        _log = (ILogger?)logger ?? NullLogger.Instance;
    }

    public SqliteOrchestrationServiceSettings Settings => _settings;

    private long _episodesCompleted;
    private long _activitiesCompleted;

    /// <summary>Orchestration episodes this object committed (for benchmarks and diagnostics).</summary>
    public long EpisodesCompleted => Interlocked.Read(ref _episodesCompleted);

    /// <summary>Transactions committed by this process on the file, and the writes grouped into them.</summary>
    public (long Commits, long Writes) WriterStatistics => (_db.Commits, _db.Writes);

    private long _historyReads;

    /// <summary>Episodes whose history was read from the file because this process had no current copy of it.</summary>
    public long HistoryReads => Interlocked.Read(ref _historyReads);

    /// <summary>Activity results this object committed.</summary>
    public long ActivitiesCompleted => Interlocked.Read(ref _activitiesCompleted);

    // ---- lifecycle ----

    public Task StartAsync() => _db.EnsureCreatedAsync(CancellationToken.None);
    public Task StopAsync() => StopAsync(false);

    /// <summary>Gives back the locks of work that was locked in a batch but never handed to a dispatcher.</summary>
    public async Task StopAsync(bool isForced)
    {
        var episodes = new List<LockedEpisode>();
        var tasks = new List<LockedTask>();
        await _episodeFetch.WaitAsync();
        try { while (_lockedEpisodes.TryDequeue(out var e)) episodes.Add(e); }
        finally { _episodeFetch.Release(); }
        await _taskFetch.WaitAsync();
        try { while (_lockedTasks.TryDequeue(out var t)) tasks.Add(t); }
        finally { _taskFetch.Release(); }
        if (episodes.Count == 0 && tasks.Count == 0) return;
        try
        {
            await _db.WriteAsync(async w =>
            {
                foreach (var e in episodes)
                    await w.ExecAsync("UPDATE instances SET lock_owner = NULL, lock_expires = 0 WHERE instance_id = $id AND lock_owner = $t", ("$id", e.InstanceId), ("$t", e.Token));
                foreach (var t in tasks)
                    await w.ExecAsync("UPDATE tasks SET lock_owner = NULL, lock_expires = 0 WHERE id = $id AND lock_owner = $t", ("$id", t.Id), ("$t", t.Token));
                return 0;
            });
        }
        catch (Exception e)
        {
            // The locks then run out on their own.
            _log.LogWarning(e, "Could not give back {Count} unstarted work items at stop", episodes.Count + tasks.Count);
        }
    }
    public Task CreateAsync() => CreateAsync(true);
    public async Task CreateAsync(bool recreateInstanceStore) { await _db.DropAsync(CancellationToken.None); _historyCache.Clear(); }
    public Task CreateIfNotExistsAsync() => _db.EnsureCreatedAsync(CancellationToken.None);
    public Task DeleteAsync() => DeleteAsync(true);
    public async Task DeleteAsync(bool deleteInstanceStore) { await _db.DropAsync(CancellationToken.None); _historyCache.Clear(); }

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    // ---- dispatcher settings ----

    public bool IsMaxMessageCountExceeded(int currentMessageCount, OrchestrationRuntimeState runtimeState) => false;
    /// <summary>SQLite errors here are a busy file or a full disk: retry soon rather than spin.</summary>
    public int GetDelayInSecondsAfterOnProcessException(Exception exception) => 1;
    public int GetDelayInSecondsAfterOnFetchException(Exception exception) => 1;
    public int TaskOrchestrationDispatcherCount => 1;
    public int MaxConcurrentTaskOrchestrationWorkItems => _settings.MaxConcurrentOrchestrations;
    public BehaviorOnContinueAsNew EventBehaviourForContinueAsNew => BehaviorOnContinueAsNew.Carryover;
    public int TaskActivityDispatcherCount => 1;
    public int MaxConcurrentTaskActivityWorkItems => _settings.MaxConcurrentActivities;

    /// <summary>
    /// Waits for work: tries to lock, then sleeps until this process enqueues work (a pulse), a poll interval passes
    /// (work from other processes, timers coming due) or the receive timeout ends (null, as the framework expects).
    /// </summary>
    private async Task<T?> WaitForWorkAsync<T>(WorkSignal signal, Func<Task<T?>> tryLock, Func<Task<bool>> anyVisible, TimeSpan receiveTimeout, CancellationToken ct)
        where T : class
    {
        var deadline = DateTime.UtcNow + receiveTimeout;
        var probeFirst = false;
        while (!ct.IsCancellationRequested)
        {
            var pulse = signal.Current;
            // After a plain poll, look on a read connection first: an idle worker must not take the write lock
            // twenty times a second away from the processes that have work.
            if (!probeFirst || await anyVisible())
            {
                var item = await tryLock();
                if (item is not null) return item;
            }
            var remaining = deadline - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero) return null;
            var wait = remaining < _settings.PollInterval ? remaining : _settings.PollInterval;
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var delay = Task.Delay(wait, cts.Token);
            var woke = await Task.WhenAny(pulse, delay);
            cts.Cancel();
            probeFirst = woke != pulse;
        }
        return null;
    }
}
