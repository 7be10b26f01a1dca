using DurableTask.Core;
using Microsoft.Extensions.Logging;

namespace FairDelegation.Durable.Sqlite;

public sealed partial class SqliteOrchestrationService
{
    public Task<TaskActivityWorkItem?> LockNextTaskActivityWorkItem(TimeSpan receiveTimeout, CancellationToken cancellationToken) =>
        WaitForWorkAsync(_db.ActivityWork, TryLockActivityAsync, AnyAvailableTaskAsync, receiveTimeout, cancellationToken);

    private async Task<bool> AnyAvailableTaskAsync()
    {
        await using var c = await _db.OpenReaderAsync(CancellationToken.None);
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT 1 FROM tasks WHERE lock_expires <= $now LIMIT 1";
        cmd.Parameters.AddWithValue("$now", Serialization.NowMs());
        return await cmd.ExecuteScalarAsync() is not null;
    }

    private sealed record LockedTask(long Id, string Json, long DequeueCount, long LockedUntil, string Token);

    /// <summary>Tasks locked by the last batch and not yet handed out (one commit locks as many as there are free slots).</summary>
    private readonly Queue<LockedTask> _lockedTasks = new();
    private readonly SemaphoreSlim _taskFetch = new(1, 1);
    private int _activitiesInFlight;

    private async Task<TaskActivityWorkItem?> TryLockActivityAsync()
    {
        LockedTask? t;
        await _taskFetch.WaitAsync();
        try
        {
            if (!_lockedTasks.TryDequeue(out t))
            {
                var free = _settings.MaxConcurrentActivities - Volatile.Read(ref _activitiesInFlight);
                foreach (var locked in await LockTasksAsync(Math.Clamp(free, 1, MaxLockBatch))) _lockedTasks.Enqueue(locked);
                _lockedTasks.TryDequeue(out t);
            }
        }
        finally
        {
            _taskFetch.Release();
        }
        if (t is null) return null;
        Interlocked.Increment(ref _activitiesInFlight);
        return new SqliteActivityWorkItem
        {
            Id = t.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            TaskId = t.Id,
            TaskMessage = Serialization.Message(t.Json),
            DeliveryAttempt = t.DequeueCount,
            LockedUntilUtc = Serialization.Utc(t.LockedUntil),
            LockToken = t.Token,
        };
    }

    private Task<List<LockedTask>> LockTasksAsync(int max) => _db.WriteAsync(async w =>
    {
        var now = Serialization.NowMs();
        var until = now + (long)_settings.WorkItemLockTimeout.TotalMilliseconds;
        var token = Guid.NewGuid().ToString("N");
        var locked = new List<LockedTask>();
        await using var r = await w.Command("""
            UPDATE tasks SET lock_owner = $t, lock_expires = $until, dequeue_count = dequeue_count + 1
            WHERE id IN (SELECT id FROM tasks WHERE lock_expires <= $now ORDER BY lock_expires, id LIMIT $max)
            RETURNING id, message, dequeue_count
            """, ("$t", token), ("$until", until), ("$now", now), ("$max", max)).ExecuteReaderAsync();
        while (await r.ReadAsync()) locked.Add(new LockedTask(r.GetInt64(0), r.GetString(1), r.GetInt64(2), until, token));
        return locked;
    });

    /// <summary>Frees the work item's slot (once) for the next lock batch.</summary>
    private void Finished(SqliteActivityWorkItem item)
    {
        if (Interlocked.Exchange(ref item.FinishedFlag, 1) == 0) Interlocked.Decrement(ref _activitiesInFlight);
    }

    public async Task<TaskActivityWorkItem> RenewTaskActivityWorkItemLockAsync(TaskActivityWorkItem workItem)
    {
        var item = (SqliteActivityWorkItem)workItem;
        var until = Serialization.NowMs() + (long)_settings.WorkItemLockTimeout.TotalMilliseconds;
        var n = await _db.WriteAsync(w => w.ExecAsync(
            "UPDATE tasks SET lock_expires = $until WHERE id = $id AND lock_owner = $t",
            ("$until", until), ("$id", item.TaskId), ("$t", item.LockToken)));
        if (n == 0) throw new InvalidOperationException($"the lock on activity work item {item.Id} was lost (it expired and another worker took it)");
        item.LockedUntilUtc = Serialization.Utc(until);
        return item;
    }

    public async Task CompleteTaskActivityWorkItemAsync(TaskActivityWorkItem workItem, TaskMessage responseMessage)
    {
        var item = (SqliteActivityWorkItem)workItem;
        var json = Serialization.Message(responseMessage);
        var delivered = await _db.WriteAsync(async w =>
        {
            // Only the holder of the lease delivers the result: after a lost lease the new holder delivers its own.
            var n = await w.ExecAsync("DELETE FROM tasks WHERE id = $id AND lock_owner = $t", ("$id", item.TaskId), ("$t", item.LockToken));
            if (n == 0) return false;
            await SendAsync(w, responseMessage, json, Serialization.NowMs());
            return true;
        });
        Finished(item);
        Interlocked.Increment(ref _activitiesCompleted);
        if (delivered) _db.OrchestrationWork.Notify();
        else _log.LogWarning("Activity work item {Id} of {InstanceId} lost its lease before completing; its result is dropped (the new lease holder reports it)", item.Id, responseMessage.OrchestrationInstance?.InstanceId);
    }

    public async Task AbandonTaskActivityWorkItemAsync(TaskActivityWorkItem workItem)
    {
        var item = (SqliteActivityWorkItem)workItem;
        // Back off by attempts (1 s, 2 s, 4 s ... at most 1 min), so a work item that keeps failing does not spin.
        var backoffMs = (long)Math.Min(60_000, 1000 * Math.Pow(2, Math.Max(0, (item.DeliveryAttempt ?? 1) - 1)));
        var at = Serialization.NowMs() + backoffMs;
        await _db.WriteAsync(w => w.ExecAsync(
            "UPDATE tasks SET lock_owner = NULL, lock_expires = $at WHERE id = $id AND lock_owner = $t",
            ("$at", at), ("$id", item.TaskId), ("$t", item.LockToken)));
        Finished(item);
        _db.ActivityWork.NotifyAt(Serialization.Utc(at));
    }
}
