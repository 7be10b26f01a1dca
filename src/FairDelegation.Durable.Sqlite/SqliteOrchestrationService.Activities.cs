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

    private async Task<TaskActivityWorkItem?> TryLockActivityAsync()
    {
        var token = Guid.NewGuid().ToString("N");
        var locked = await _db.WriteAsync(async w =>
        {
            var now = Serialization.NowMs();
            var until = now + (long)_settings.WorkItemLockTimeout.TotalMilliseconds;
            await using var r = await w.Command("""
                UPDATE tasks SET lock_owner = $t, lock_expires = $until, dequeue_count = dequeue_count + 1
                WHERE id = (SELECT id FROM tasks WHERE lock_expires <= $now ORDER BY lock_expires, id LIMIT 1)
                RETURNING id, message, dequeue_count
                """, ("$t", token), ("$until", until), ("$now", now)).ExecuteReaderAsync();
            if (!await r.ReadAsync()) return ((long, string, long, long)?)null;
            return (r.GetInt64(0), r.GetString(1), r.GetInt64(2), until);
        });
        if (locked is not { } t) return null;
        return new SqliteActivityWorkItem
        {
            Id = t.Item1.ToString(System.Globalization.CultureInfo.InvariantCulture),
            TaskId = t.Item1,
            TaskMessage = Serialization.Message(t.Item2),
            DeliveryAttempt = t.Item3,
            LockedUntilUtc = Serialization.Utc(t.Item4),
            LockToken = token,
        };
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
        _db.ActivityWork.NotifyAt(Serialization.Utc(at));
    }
}
