using System.Text;
using DurableTask.Core;
using DurableTask.Core.Exceptions;
using DurableTask.Core.History;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace FairDelegation.Durable.Sqlite;

public sealed partial class SqliteOrchestrationService
{
    public Task CreateTaskOrchestrationAsync(TaskMessage creationMessage) => CreateTaskOrchestrationAsync(creationMessage, null);

    /// <summary>
    /// Creates the instance row and queues its ExecutionStarted message (visible at the scheduled start). An instance
    /// that is still pending, running or suspended is never replaced; a finished one is, unless its status is listed
    /// in <paramref name="dedupeStatuses"/>.
    /// </summary>
    public async Task CreateTaskOrchestrationAsync(TaskMessage creationMessage, OrchestrationStatus[]? dedupeStatuses)
    {
        ArgumentNullException.ThrowIfNull(creationMessage);
        if (creationMessage.Event is not ExecutionStartedEvent started)
            throw new ArgumentException($"a creation message carries an ExecutionStartedEvent, not {creationMessage.Event?.GetType().Name ?? "nothing"}", nameof(creationMessage));
        var instance = creationMessage.OrchestrationInstance ?? throw new ArgumentException("the creation message names no orchestration instance", nameof(creationMessage));
        if (string.IsNullOrEmpty(instance.InstanceId)) throw new ArgumentException("the creation message's instance id is empty", nameof(creationMessage));
        var json = Serialization.Message(creationMessage);
        await _db.EnsureCreatedAsync(CancellationToken.None);
        await _db.WriteAsync(async w =>
        {
            var existing = await w.ScalarAsync("SELECT status FROM instances WHERE instance_id = $id", ("$id", instance.InstanceId));
            if (existing is long s)
            {
                var status = (OrchestrationStatus)s;
                if (!Serialization.IsTerminal(status) || (dedupeStatuses?.Contains(status) ?? false))
                    throw new OrchestrationAlreadyExistsException($"an orchestration with instance id '{instance.InstanceId}' already exists ({status})");
                await DeleteInstanceRowsAsync(w, instance.InstanceId);
            }
            await InsertInstanceAsync(w, creationMessage, started, json, Serialization.NowMs());
            return 0;
        });
        _historyCache.TryRemove(instance.InstanceId, out _);
        if (started.ScheduledStartTime is { } at && at > DateTime.UtcNow) _db.OrchestrationWork.NotifyAt(at.ToUniversalTime());
        else _db.OrchestrationWork.Notify();
    }

    private static async Task InsertInstanceAsync(SqliteTaskHubDatabase.Writer w, TaskMessage message, ExecutionStartedEvent started, string json, long now)
    {
        var instance = message.OrchestrationInstance;
        long? scheduled = started.ScheduledStartTime is { } at ? Serialization.Ms(at.ToUniversalTime()) : null;
        await w.ExecAsync("""
            INSERT INTO instances(instance_id, execution_id, name, version, status, input, tags, parent, created_at, last_updated_at, scheduled_start_at)
            VALUES($id, $exec, $name, $version, $status, $input, $tags, $parent, $now, $now, $scheduled)
            """,
            ("$id", instance.InstanceId), ("$exec", instance.ExecutionId ?? Guid.NewGuid().ToString("N")), ("$name", started.Name ?? ""),
            ("$version", started.Version), ("$status", (int)OrchestrationStatus.Pending), ("$input", started.Input),
            ("$tags", Serialization.Object(started.Tags)), ("$parent", Serialization.Object(started.ParentInstance)),
            ("$now", now), ("$scheduled", scheduled));
        await w.ExecAsync("INSERT INTO new_events(instance_id, visible_at, message) VALUES($id, $at, $m)",
            ("$id", instance.InstanceId), ("$at", scheduled is { } s && s > now ? s : now), ("$m", json));
    }

    private static async Task DeleteInstanceRowsAsync(SqliteTaskHubDatabase.Writer w, string instanceId)
    {
        await w.ExecAsync("DELETE FROM history WHERE instance_id = $id", ("$id", instanceId));
        await w.ExecAsync("DELETE FROM new_events WHERE instance_id = $id", ("$id", instanceId));
        await w.ExecAsync("DELETE FROM tasks WHERE instance_id = $id", ("$id", instanceId));
        await w.ExecAsync("DELETE FROM instances WHERE instance_id = $id", ("$id", instanceId));
    }

    /// <summary>
    /// Queues a message for an orchestration inside an open write. An ExecutionStarted message creates its instance
    /// (a sub-orchestration) unless one exists; any other message to an instance that does not exist is dropped.
    /// Returns whether an instance was created.
    /// </summary>
    private async Task<bool> SendAsync(SqliteTaskHubDatabase.Writer w, TaskMessage m, string json, long now)
    {
        var id = m.OrchestrationInstance?.InstanceId;
        if (string.IsNullOrEmpty(id)) throw new ArgumentException("a message names no orchestration instance");
        var exists = await w.ScalarAsync("SELECT 1 FROM instances WHERE instance_id = $id", ("$id", id)) is not null;
        if (m.Event is ExecutionStartedEvent started)
        {
            if (exists)
            {
                _log.LogWarning("ExecutionStarted for {InstanceId} dropped: the instance already exists", id);
                return false;
            }
            await InsertInstanceAsync(w, m, started, json, now);
            return true;
        }
        if (!exists)
        {
            _log.LogWarning("{Event} for {InstanceId} dropped: no such instance", m.Event?.EventType, id);
            return false;
        }
        var at = m.Event is TimerFiredEvent t ? Math.Max(now, Serialization.Ms(t.FireAt)) : now;
        await w.ExecAsync("INSERT INTO new_events(instance_id, visible_at, message) VALUES($id, $at, $m)", ("$id", id), ("$at", at), ("$m", json));
        return false;
    }

    public Task SendTaskOrchestrationMessageAsync(TaskMessage message) => SendTaskOrchestrationMessageBatchAsync(message);

    public async Task SendTaskOrchestrationMessageBatchAsync(params TaskMessage[] messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Length == 0) return;
        var jsons = messages.Select(Serialization.Message).ToArray();
        await _db.EnsureCreatedAsync(CancellationToken.None);
        await _db.WriteAsync(async w =>
        {
            var now = Serialization.NowMs();
            for (var i = 0; i < messages.Length; i++) await SendAsync(w, messages[i], jsons[i], now);
            return 0;
        });
        _db.OrchestrationWork.Notify();
    }

    public Task ForceTerminateTaskOrchestrationAsync(string instanceId, string reason)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        return SendTaskOrchestrationMessageAsync(new TaskMessage
        {
            OrchestrationInstance = new OrchestrationInstance { InstanceId = instanceId },
            Event = new ExecutionTerminatedEvent(-1, reason),
        });
    }

    public async Task<OrchestrationState?> WaitForOrchestrationAsync(string instanceId, string? executionId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        var deadline = timeout == Timeout.InfiniteTimeSpan || timeout == TimeSpan.MaxValue ? DateTime.MaxValue : DateTime.UtcNow + timeout;
        while (true)
        {
            var pulse = _db.InstanceCompleted.Current;
            var state = await GetStateAsync(instanceId, includePayloads: true, cancellationToken);
            if (state is not null && Serialization.IsTerminal(state.OrchestrationStatus)
                && (string.IsNullOrEmpty(executionId) || state.OrchestrationInstance.ExecutionId == executionId))
                return state;
            var remaining = deadline - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero) return null;
            // Completions in this process pulse at once; other processes' are seen by the poll.
            var wait = TimeSpan.FromMilliseconds(Math.Min(250, remaining.TotalMilliseconds));
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            await Task.WhenAny(pulse, Task.Delay(wait, cts.Token));
            cts.Cancel();
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    public async Task<IList<OrchestrationState>> GetOrchestrationStateAsync(string instanceId, bool allExecutions)
    {
        // Only the current execution is kept (continue-as-new replaces history), so all executions = the current one.
        var state = await GetStateAsync(instanceId, includePayloads: true, CancellationToken.None);
        return state is null ? [] : [state];
    }

    public async Task<OrchestrationState?> GetOrchestrationStateAsync(string instanceId, string? executionId)
    {
        var state = await GetStateAsync(instanceId, includePayloads: true, CancellationToken.None);
        if (state is null) return null;
        return string.IsNullOrEmpty(executionId) || state.OrchestrationInstance.ExecutionId == executionId ? state : null;
    }

    public async Task<string> GetOrchestrationHistoryAsync(string instanceId, string? executionId)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        var events = await ReadHistoryAsync(instanceId, CancellationToken.None);
        var json = new StringBuilder("[");
        for (var i = 0; i < events.Count; i++)
        {
            if (i > 0) json.Append(',');
            json.Append(Serialization.Event(events[i]));
        }
        return json.Append(']').ToString();
    }

    internal const string StateColumns = "instance_id, execution_id, name, version, status, custom_status, failure_details, tags, parent, created_at, last_updated_at, completed_at, scheduled_start_at";

    private async Task<OrchestrationState?> GetStateAsync(string instanceId, bool includePayloads, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        await _db.EnsureCreatedAsync(ct);
        await using var c = await _db.OpenReaderAsync(ct);
        await using var cmd = c.CreateCommand();
        cmd.CommandText = $"SELECT {StateColumns}, {(includePayloads ? "input, output" : "NULL, NULL")} FROM instances WHERE instance_id = $id";
        cmd.Parameters.AddWithValue("$id", instanceId);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? ReadState(r) : null;
    }

    internal static OrchestrationState ReadState(SqliteDataReader r)
    {
        string? Str(int i) => r.IsDBNull(i) ? null : r.GetString(i);
        return new OrchestrationState
        {
            OrchestrationInstance = new OrchestrationInstance { InstanceId = r.GetString(0), ExecutionId = r.GetString(1) },
            Name = r.GetString(2),
            Version = Str(3),
            OrchestrationStatus = (OrchestrationStatus)r.GetInt32(4),
            Status = Str(5),
            FailureDetails = Serialization.Object<FailureDetails>(Str(6)),
            Tags = Serialization.Object<Dictionary<string, string>>(Str(7)),
            ParentInstance = Serialization.Object<ParentInstance>(Str(8)),
            CreatedTime = Serialization.Utc(r.GetInt64(9)),
            LastUpdatedTime = Serialization.Utc(r.GetInt64(10)),
            CompletedTime = r.IsDBNull(11) ? DateTime.MinValue : Serialization.Utc(r.GetInt64(11)),
            ScheduledStartTime = r.IsDBNull(12) ? null : Serialization.Utc(r.GetInt64(12)),
            Input = Str(13),
            Output = Str(14),
        };
    }
}
