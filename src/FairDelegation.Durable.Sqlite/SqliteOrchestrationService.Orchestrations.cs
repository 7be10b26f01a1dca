using DurableTask.Core;
using DurableTask.Core.History;
using Microsoft.Extensions.Logging;

namespace FairDelegation.Durable.Sqlite;

public sealed partial class SqliteOrchestrationService
{
    public Task<TaskOrchestrationWorkItem?> LockNextTaskOrchestrationWorkItemAsync(TimeSpan receiveTimeout, CancellationToken cancellationToken) =>
        WaitForWorkAsync(_db.OrchestrationWork, TryLockOrchestrationAsync, AnyVisibleEventAsync, receiveTimeout, cancellationToken);

    private async Task<bool> AnyVisibleEventAsync()
    {
        await using var c = await _db.OpenReaderAsync(CancellationToken.None);
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT 1 FROM new_events e JOIN instances i ON i.instance_id = e.instance_id WHERE e.visible_at <= $now AND i.lock_expires <= $now LIMIT 1";
        cmd.Parameters.AddWithValue("$now", Serialization.NowMs());
        return await cmd.ExecuteScalarAsync() is not null;
    }

    private sealed record LockedEpisode(string InstanceId, string Token, long LockedUntil, List<(long Id, string Json)> Messages, string ExecutionId, int HistoryCount, string? CustomStatus);

    /// <summary>
    /// Episodes locked by the last batch and not yet handed to the dispatcher. One commit locks as many instances
    /// as the dispatcher has free slots (the dispatcher fetches one at a time, so a commit per fetch would cap it).
    /// </summary>
    private readonly Queue<LockedEpisode> _lockedEpisodes = new();
    private readonly SemaphoreSlim _episodeFetch = new(1, 1);
    private int _episodesInFlight;
    private const int MaxLockBatch = 32;

    private async Task<TaskOrchestrationWorkItem?> TryLockOrchestrationAsync()
    {
        LockedEpisode? episode;
        await _episodeFetch.WaitAsync();
        try
        {
            if (!_lockedEpisodes.TryDequeue(out episode))
            {
                var free = _settings.MaxConcurrentOrchestrations - Volatile.Read(ref _episodesInFlight);
                foreach (var e in await LockEpisodesAsync(Math.Clamp(free, 1, MaxLockBatch))) _lockedEpisodes.Enqueue(e);
                _lockedEpisodes.TryDequeue(out episode);
            }
        }
        finally
        {
            _episodeFetch.Release();
        }
        if (episode is null) return null;
        Interlocked.Increment(ref _episodesInFlight);

        try
        {
            // Our lock keeps every other writer off this instance's history, so it is read outside the write.
            IList<HistoryEvent> events;
            if (_historyCache.TryGetValue(episode.InstanceId, out var cached) && cached.ExecutionId == episode.ExecutionId && cached.Count == episode.HistoryCount)
            {
                events = cached.Events;
            }
            else if (episode.HistoryCount == 0)
            {
                // A new instance's first episode: nothing to read.
                _historyCache.TryRemove(episode.InstanceId, out _);
                events = [];
            }
            else
            {
                _historyCache.TryRemove(episode.InstanceId, out _);
                Interlocked.Increment(ref _historyReads);
                events = await ReadHistoryAsync(episode.InstanceId, CancellationToken.None);
                foreach (var e in events) e.IsPlayed = true;
            }
            var runtimeState = new OrchestrationRuntimeState(events) { Status = episode.CustomStatus };
            var messages = episode.Messages.Select(m => Serialization.Message(m.Json)).ToList();
            return new SqliteOrchestrationWorkItem
            {
                InstanceId = episode.InstanceId,
                OrchestrationRuntimeState = runtimeState,
                NewMessages = messages,
                LockedUntilUtc = Serialization.Utc(episode.LockedUntil),
                LockToken = episode.Token,
                MessageIds = episode.Messages.Select(m => m.Id).ToArray(),
            };
        }
        catch
        {
            Interlocked.Decrement(ref _episodesInFlight);
            await ReleaseOrchestrationLockAsync(episode.InstanceId, episode.Token, 0);
            throw;
        }
    }

    /// <summary>Locks up to <paramref name="max"/> instances that have visible messages and no holder, in one commit.</summary>
    private Task<List<LockedEpisode>> LockEpisodesAsync(int max) => _db.WriteAsync(async w =>
    {
        var now = Serialization.NowMs();
        var ids = new List<string>();
        await using (var r = await w.Command(
            "SELECT DISTINCT e.instance_id FROM new_events e JOIN instances i ON i.instance_id = e.instance_id WHERE e.visible_at <= $now AND i.lock_expires <= $now LIMIT $max",
            ("$now", now), ("$max", max)).ExecuteReaderAsync())
        {
            while (await r.ReadAsync()) ids.Add(r.GetString(0));
        }
        var until = now + (long)_settings.WorkItemLockTimeout.TotalMilliseconds;
        var episodes = new List<LockedEpisode>(ids.Count);
        foreach (var id in ids)
        {
            var token = Guid.NewGuid().ToString("N");
            string executionId; int historyCount; string? customStatus;
            await using (var r = await w.Command(
                "UPDATE instances SET lock_owner = $t, lock_expires = $until WHERE instance_id = $id RETURNING execution_id, history_count, custom_status",
                ("$t", token), ("$until", until), ("$id", id)).ExecuteReaderAsync())
            {
                await r.ReadAsync();
                executionId = r.GetString(0); historyCount = r.GetInt32(1); customStatus = r.IsDBNull(2) ? null : r.GetString(2);
            }
            var messages = new List<(long, string)>();
            await using (var r = await w.Command(
                "SELECT id, message FROM new_events WHERE instance_id = $id AND visible_at <= $now ORDER BY id",
                ("$id", id), ("$now", now)).ExecuteReaderAsync())
            {
                while (await r.ReadAsync()) messages.Add((r.GetInt64(0), r.GetString(1)));
            }
            episodes.Add(new LockedEpisode(id, token, until, messages, executionId, historyCount, customStatus));
        }
        return episodes;
    });

    /// <summary>Marks an episode's lock as given back (once), freeing its dispatcher slot for the next lock batch.</summary>
    private void Finished(SqliteOrchestrationWorkItem item)
    {
        if (item.Released) return;
        item.Released = true;
        Interlocked.Decrement(ref _episodesInFlight);
    }

    private async Task<List<HistoryEvent>> ReadHistoryAsync(string instanceId, CancellationToken ct)
    {
        var events = new List<HistoryEvent>();
        await using var c = await _db.OpenReaderAsync(ct);
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT event FROM history WHERE instance_id = $id ORDER BY seq";
        cmd.Parameters.AddWithValue("$id", instanceId);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) events.Add(Serialization.Event(r.GetString(0)));
        return events;
    }

    public async Task RenewTaskOrchestrationWorkItemLockAsync(TaskOrchestrationWorkItem workItem)
    {
        var item = (SqliteOrchestrationWorkItem)workItem;
        var until = Serialization.NowMs() + (long)_settings.WorkItemLockTimeout.TotalMilliseconds;
        var n = await _db.WriteAsync(w => w.ExecAsync(
            "UPDATE instances SET lock_expires = $until WHERE instance_id = $id AND lock_owner = $t",
            ("$until", until), ("$id", item.InstanceId), ("$t", item.LockToken)));
        if (n == 0) throw new InvalidOperationException($"the lock on orchestration '{item.InstanceId}' was lost (it expired and another worker took the instance)");
        item.LockedUntilUtc = Serialization.Utc(until);
    }

    public async Task CompleteTaskOrchestrationWorkItemAsync(
        TaskOrchestrationWorkItem workItem,
        OrchestrationRuntimeState newOrchestrationRuntimeState,
        IList<TaskMessage> outboundMessages,
        IList<TaskMessage> orchestratorMessages,
        IList<TaskMessage> timerMessages,
        TaskMessage continuedAsNewMessage,
        OrchestrationState orchestrationState)
    {
        var item = (SqliteOrchestrationWorkItem)workItem;
        var state = newOrchestrationRuntimeState;
        // Serialize before taking the write lock: the writer is the one shared resource.
        var pastCount = state.PastEvents.Count;
        var newEvents = orchestrationState is null ? [] : state.NewEvents.Select(Serialization.Event).ToList();
        var tasks = (outboundMessages ?? []).Select(m => (m.OrchestrationInstance.InstanceId, Serialization.Message(m))).ToList();
        var sends = (orchestratorMessages ?? []).Select(m => (m, Serialization.Message(m))).ToList();
        if (continuedAsNewMessage is not null) sends.Add((continuedAsNewMessage, Serialization.Message(continuedAsNewMessage)));
        var timers = (timerMessages ?? []).Select(m => (m, Serialization.Message(m))).ToList();
        var failure = Serialization.Object(orchestrationState?.FailureDetails);
        var tags = Serialization.Object(orchestrationState?.Tags);
        var executionId = state.OrchestrationInstance?.ExecutionId;
        long? earliestTimer = null;

        // The history is cached before the commit, not after it: once the commit releases the lock, a message that
        // waited for this instance can be locked by the next fetch at once, and a cache written after the commit would
        // still hold the previous length then (a reload of the whole history for that episode). Written early it is
        // safe: it is used only when the row's execution and history length match it, i.e. after this commit.
        var terminal = orchestrationState is not null && Serialization.IsTerminal(orchestrationState.OrchestrationStatus);
        var cacheable = orchestrationState is not null && executionId is not null && !terminal;
        if (cacheable)
        {
            if (_historyCache.Count >= MaxCachedInstances) _historyCache.Clear();
            _historyCache[item.InstanceId] = new CachedHistory(executionId!, state.Events.Count, state.Events);
        }
        else
        {
            _historyCache.TryRemove(item.InstanceId, out _);
        }

        bool moreWork;
        try
        {
            moreWork = await CommitEpisodeAsync();
        }
        catch
        {
            // A failed commit (a lost lock) leaves the row as it was; the entry goes so it can never stand for it.
            _historyCache.TryRemove(item.InstanceId, out _);
            throw;
        }

        Task<bool> CommitEpisodeAsync() => _db.WriteAsync(async w =>
        {
            var now = Serialization.NowMs();
            string? owner = null, storedExecution = null;
            await using (var r = await w.Command("SELECT lock_owner, execution_id FROM instances WHERE instance_id = $id", ("$id", item.InstanceId)).ExecuteReaderAsync())
            {
                if (await r.ReadAsync()) { owner = r.IsDBNull(0) ? null : r.GetString(0); storedExecution = r.GetString(1); }
            }
            if (owner != item.LockToken)
                throw new InvalidOperationException($"the lock on orchestration '{item.InstanceId}' was lost before its episode committed; the episode will run again");

            if (orchestrationState is not null && executionId is not null)
            {
                var newExecution = storedExecution != executionId;
                // A new execution (continue-as-new) replaces the history; otherwise the episode appends its events.
                await w.ExecAsync("DELETE FROM history WHERE instance_id = $id AND seq >= $from", ("$id", item.InstanceId), ("$from", newExecution ? 0 : pastCount));
                var seq = newExecution ? 0 : pastCount;
                foreach (var e in newEvents)
                    await w.ExecAsync("INSERT INTO history(instance_id, seq, event) VALUES($id, $seq, $e)", ("$id", item.InstanceId), ("$seq", seq++), ("$e", e));
                await w.ExecAsync("""
                    UPDATE instances SET execution_id = $exec, name = $name, version = $version, status = $status,
                        input = CASE WHEN $newExec THEN $input ELSE input END, output = $output, custom_status = $custom,
                        failure_details = $failure, tags = $tags, last_updated_at = $now, completed_at = $completed,
                        history_count = $count, lock_owner = NULL, lock_expires = 0
                    WHERE instance_id = $id
                    """,
                    ("$exec", executionId), ("$name", orchestrationState.Name), ("$version", orchestrationState.Version),
                    ("$status", (int)orchestrationState.OrchestrationStatus), ("$newExec", newExecution), ("$input", orchestrationState.Input),
                    ("$output", orchestrationState.Output), ("$custom", orchestrationState.Status), ("$failure", failure), ("$tags", tags),
                    ("$now", now), ("$completed", terminal ? now : null), ("$count", seq), ("$id", item.InstanceId));
            }
            else
            {
                await w.ExecAsync("UPDATE instances SET lock_owner = NULL, lock_expires = 0 WHERE instance_id = $id", ("$id", item.InstanceId));
            }

            foreach (var id in item.MessageIds)
                await w.ExecAsync("DELETE FROM new_events WHERE id = $id", ("$id", id));
            foreach (var (instanceId, json) in tasks)
                await w.ExecAsync("INSERT INTO tasks(instance_id, message) VALUES($id, $m)", ("$id", instanceId), ("$m", json));
            foreach (var (m, json) in sends)
                await SendAsync(w, m, json, now);
            foreach (var (m, json) in timers)
            {
                var due = m.Event is TimerFiredEvent t ? Serialization.Ms(t.FireAt) : now;
                earliestTimer = earliestTimer is null ? due : Math.Min(earliestTimer.Value, due);
                await w.ExecAsync("INSERT INTO new_events(instance_id, visible_at, message) VALUES($id, $at, $m)",
                    ("$id", m.OrchestrationInstance.InstanceId), ("$at", due), ("$m", json));
            }
            // Messages that arrived while the instance was locked are visible now that the lock is gone.
            var waiting = await w.ScalarAsync("SELECT 1 FROM new_events WHERE instance_id = $id AND visible_at <= $now LIMIT 1", ("$id", item.InstanceId), ("$now", now)) is not null;
            return waiting || sends.Count > 0;
        });
        Finished(item);
        Interlocked.Increment(ref _episodesCompleted);

        if (tasks.Count > 0) _db.ActivityWork.Notify();
        // Only when there is something to lock: a pulse that finds nothing still costs a write.
        if (moreWork) _db.OrchestrationWork.Notify();
        if (earliestTimer is { } at) _db.OrchestrationWork.NotifyAt(Serialization.Utc(at));
        if (terminal) _db.InstanceCompleted.Notify();
    }

    public async Task AbandonTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem)
    {
        var item = (SqliteOrchestrationWorkItem)workItem;
        _historyCache.TryRemove(item.InstanceId, out _);
        if (item.Released) return;
        // A short pause before the instance is offered again, so a failing episode does not spin.
        await ReleaseOrchestrationLockAsync(item.InstanceId, item.LockToken, 500);
        Finished(item);
        _db.OrchestrationWork.NotifyAt(DateTime.UtcNow.AddMilliseconds(500));
    }

    public async Task ReleaseTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem)
    {
        var item = (SqliteOrchestrationWorkItem)workItem;
        if (item.Released) return;
        await ReleaseOrchestrationLockAsync(item.InstanceId, item.LockToken, 0);
        Finished(item);
        _db.OrchestrationWork.Notify();
    }

    private async Task ReleaseOrchestrationLockAsync(string instanceId, string token, int delayMs)
    {
        try
        {
            await _db.WriteAsync(w => w.ExecAsync(
                "UPDATE instances SET lock_owner = NULL, lock_expires = $at WHERE instance_id = $id AND lock_owner = $t",
                ("$at", delayMs == 0 ? 0 : Serialization.NowMs() + delayMs), ("$id", instanceId), ("$t", token)));
        }
        catch (Exception e)
        {
            // The lock then runs out on its own.
            _log.LogWarning(e, "Could not release the lock on orchestration {InstanceId}", instanceId);
        }
    }
}
