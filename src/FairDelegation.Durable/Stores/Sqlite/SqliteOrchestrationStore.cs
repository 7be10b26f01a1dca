using System.Text;
using System.Text.Json;
using FairDelegation.Durable.Client;
using FairDelegation.Durable.History;
using Microsoft.Data.Sqlite;

namespace FairDelegation.Durable.Stores.Sqlite;

/// <summary>
/// The embedded store: one SQLite file in WAL mode. Writers in this process share one connection behind a gate
/// (SQLite has one writer at a time anyway); other processes on the same file wait on the busy timeout.
/// Claims are UPDATE ... RETURNING inside an IMMEDIATE transaction, so two processes never claim the same item.
/// </summary>
public sealed class SqliteOrchestrationStore : IOrchestrationStore
{
    private readonly string _connectionString;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private SqliteConnection? _writer;

    public SqliteOrchestrationStore(string connectionString, bool synchronousFull = false)
    {
        var b = new SqliteConnectionStringBuilder(connectionString);
        if (string.IsNullOrWhiteSpace(b.DataSource))
            throw new ArgumentException("the SQLite connection string names no file (Data Source=...)", nameof(connectionString));
        b.Pooling = true;
        if (b.DefaultTimeout < 30) b.DefaultTimeout = 30;
        _connectionString = b.ToString();
        SynchronousFull = synchronousFull;
    }

    /// <summary>PRAGMA synchronous=FULL (survives power loss) instead of NORMAL (survives process crashes).</summary>
    public bool SynchronousFull { get; }

    public string Kind => "sqlite";
    public WorkSignal OrchestrationWork { get; } = new();
    public WorkSignal ActivityWork { get; } = new();

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS dt_instances(
            instance_id TEXT PRIMARY KEY, name TEXT NOT NULL, status INTEGER NOT NULL, generation INTEGER NOT NULL,
            version INTEGER NOT NULL, input TEXT, output TEXT, custom_status TEXT, failure TEXT,
            created_at INTEGER NOT NULL, last_updated_at INTEGER NOT NULL,
            lock_owner TEXT, lock_expires INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX IF NOT EXISTS dt_instances_created ON dt_instances(created_at);
        CREATE TABLE IF NOT EXISTS dt_history(
            instance_id TEXT NOT NULL, seq INTEGER NOT NULL, event TEXT NOT NULL,
            PRIMARY KEY(instance_id, seq)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS dt_messages(
            id INTEGER PRIMARY KEY AUTOINCREMENT, instance_id TEXT NOT NULL, generation INTEGER,
            visible_at INTEGER NOT NULL, event TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS dt_messages_due ON dt_messages(visible_at);
        CREATE INDEX IF NOT EXISTS dt_messages_instance ON dt_messages(instance_id, visible_at);
        CREATE TABLE IF NOT EXISTS dt_tasks(
            id INTEGER PRIMARY KEY AUTOINCREMENT, instance_id TEXT NOT NULL, generation INTEGER NOT NULL,
            task_id INTEGER NOT NULL, name TEXT NOT NULL, input TEXT, idempotency_key TEXT NOT NULL,
            lock_owner TEXT, lock_expires INTEGER NOT NULL DEFAULT 0, dequeue_count INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX IF NOT EXISTS dt_tasks_due ON dt_tasks(lock_expires, id);
        CREATE INDEX IF NOT EXISTS dt_tasks_instance ON dt_tasks(instance_id);
        """;

    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        if (_writer is not null) return;
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            if (_writer is null) await CreateSchemaAsync(cancellationToken);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private async Task CreateSchemaAsync(CancellationToken cancellationToken)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(new SqliteConnectionStringBuilder(_connectionString).DataSource));
        if (dir is not null) Directory.CreateDirectory(dir);
        var c = await OpenAsync(cancellationToken);
        await ExecAsync(c, "PRAGMA journal_mode=WAL;", cancellationToken);
        await ExecAsync(c, Schema, cancellationToken);
        _writer = c;
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken ct)
    {
        var c = new SqliteConnection(_connectionString);
        await c.OpenAsync(ct);
        await ExecAsync(c, $"PRAGMA busy_timeout=10000; PRAGMA synchronous={(SynchronousFull ? "FULL" : "NORMAL")};", ct);
        return c;
    }

    /// <summary>
    /// A pooled connection for queries only: no pragmas to set (a WAL reader is not blocked by the writer, and the
    /// provider retries a busy database up to the command timeout), which keeps status polls cheap.
    /// </summary>
    private async Task<SqliteConnection> OpenReaderAsync(CancellationToken ct)
    {
        var c = new SqliteConnection(_connectionString);
        await c.OpenAsync(ct);
        return c;
    }

    private static async Task ExecAsync(SqliteConnection c, string sql, CancellationToken ct, SqliteTransaction? tx = null)
    {
        await using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private SqliteConnection Writer => _writer ?? throw new InvalidOperationException("the SQLite store is not initialized (call InitializeAsync)");

    private static SqliteCommand Cmd(SqliteConnection c, SqliteTransaction? tx, string sql, params (string Name, object? Value)[] ps)
    {
        var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        foreach (var (n, v) in ps) cmd.Parameters.AddWithValue(n, v ?? DBNull.Value);
        return cmd;
    }

    /// <summary>Runs <paramref name="work"/> in an IMMEDIATE transaction on the shared writer connection.</summary>
    private async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> work, CancellationToken ct)
    {
        await _writeGate.WaitAsync(ct);
        try
        {
            var c = Writer;
            await using var tx = c.BeginTransaction(deferred: false);
            try
            {
                var result = await work(c, tx);
                await tx.CommitAsync(ct);
                return result;
            }
            catch
            {
                await tx.RollbackAsync(CancellationToken.None);
                throw;
            }
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public async Task CreateInstanceAsync(NewInstance instance, CancellationToken cancellationToken = default)
    {
        try
        {
            await WriteAsync(async (c, tx) =>
            {
                var now = StoreTime.Ms(instance.CreatedAt);
                await using (var cmd = Cmd(c, tx,
                    "INSERT INTO dt_instances(instance_id, name, status, generation, version, input, created_at, last_updated_at) VALUES(@id, @name, 0, 0, 0, @input, @now, @now)",
                    ("@id", instance.InstanceId), ("@name", instance.Name), ("@input", instance.Input), ("@now", now)))
                    await cmd.ExecuteNonQueryAsync(cancellationToken);
                var start = new ExecutionStarted(instance.Name, instance.Input, 0) { Timestamp = instance.CreatedAt.UtcDateTime };
                await using (var cmd = Cmd(c, tx,
                    "INSERT INTO dt_messages(instance_id, generation, visible_at, event) VALUES(@id, 0, @at, @e)",
                    ("@id", instance.InstanceId), ("@at", StoreTime.Ms(instance.StartAt)), ("@e", HistorySerializer.Serialize(start))))
                    await cmd.ExecuteNonQueryAsync(cancellationToken);
                return 0;
            }, cancellationToken);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19)
        {
            throw new OrchestrationAlreadyExistsException(instance.InstanceId);
        }
        if (instance.StartAt <= DateTimeOffset.UtcNow) OrchestrationWork.Notify();
        else OrchestrationWork.NotifyAt(instance.StartAt.UtcDateTime);
    }

    private const string InstanceColumns = "instance_id, name, status, created_at, last_updated_at, custom_status, failure";
    private const string PayloadColumns = ", input, output";

    public async Task<InstanceRecord?> GetInstanceAsync(string instanceId, bool includePayloads, CancellationToken cancellationToken = default)
    {
        await using var c = await OpenReaderAsync(cancellationToken);
        await using var cmd = Cmd(c, null, $"SELECT {InstanceColumns}{PayloadColumns} FROM dt_instances WHERE instance_id=@id", ("@id", instanceId));
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        return await r.ReadAsync(cancellationToken) ? InstanceRows.Read(r, includePayloads) : null;
    }

    public async Task<Page<InstanceRecord>> QueryInstancesAsync(OrchestrationQuery query, CancellationToken cancellationToken = default)
    {
        if (query.PageSize < 1) throw new ArgumentOutOfRangeException(nameof(query), query.PageSize, "page size must be at least 1");
        var sql = new StringBuilder($"SELECT {InstanceColumns}{PayloadColumns} FROM dt_instances WHERE 1=1");
        var ps = new List<(string, object?)>();
        if (query.ContinuationToken is { } token) { sql.Append(" AND instance_id > @after"); ps.Add(("@after", StoreTime.DecodeToken(token))); }
        if (query.InstanceIdPrefix is { Length: > 0 } prefix)
        {
            sql.Append(" AND substr(instance_id, 1, @plen) = @prefix");
            ps.Add(("@plen", prefix.Length)); ps.Add(("@prefix", prefix));
        }
        if (query.CreatedFrom is { } from) { sql.Append(" AND created_at >= @from"); ps.Add(("@from", StoreTime.Ms(from))); }
        if (query.CreatedTo is { } to) { sql.Append(" AND created_at < @to"); ps.Add(("@to", StoreTime.Ms(to))); }
        if (query.Statuses is { Count: > 0 } statuses)
            sql.Append(" AND status IN (").Append(string.Join(",", statuses.Select(s => ((int)s).ToString(System.Globalization.CultureInfo.InvariantCulture)))).Append(')');
        sql.Append(" ORDER BY instance_id LIMIT @limit");
        ps.Add(("@limit", query.PageSize + 1));
        await using var c = await OpenReaderAsync(cancellationToken);
        await using var cmd = Cmd(c, null, sql.ToString(), ps.ToArray());
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        var list = new List<InstanceRecord>();
        while (await r.ReadAsync(cancellationToken)) list.Add(InstanceRows.Read(r, query.FetchInputsAndOutputs));
        if (list.Count <= query.PageSize) return new Page<InstanceRecord>(list, null);
        list.RemoveAt(list.Count - 1);
        return new Page<InstanceRecord>(list, StoreTime.EncodeToken(list[^1].InstanceId));
    }

    public async Task SendMessageAsync(string instanceId, HistoryEvent message, CancellationToken cancellationToken = default)
    {
        var rows = await WriteAsync(async (c, tx) =>
        {
            await using var cmd = Cmd(c, tx,
                "INSERT INTO dt_messages(instance_id, generation, visible_at, event) SELECT @id, NULL, @now, @e WHERE EXISTS(SELECT 1 FROM dt_instances WHERE instance_id=@id)",
                ("@id", instanceId), ("@now", StoreTime.NowMs()), ("@e", HistorySerializer.Serialize(message)));
            return await cmd.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);
        if (rows == 0) throw new OrchestrationNotFoundException(instanceId);
        OrchestrationWork.Notify();
    }

    public Task<int> PurgeInstanceAsync(string instanceId, CancellationToken cancellationToken = default) =>
        WriteAsync(async (c, tx) =>
        {
            await using (var check = Cmd(c, tx, "SELECT status FROM dt_instances WHERE instance_id=@id", ("@id", instanceId)))
            {
                var status = await check.ExecuteScalarAsync(cancellationToken);
                if (status is null) return 0;
                var s = (OrchestrationRuntimeStatus)Convert.ToInt32(status, System.Globalization.CultureInfo.InvariantCulture);
                if (!s.IsTerminal())
                    throw new InvalidOperationException($"instance '{instanceId}' is {s}; only completed, failed or terminated instances can be purged (terminate it first)");
            }
            await using var cmd = Cmd(c, tx, """
                DELETE FROM dt_history WHERE instance_id=@id;
                DELETE FROM dt_messages WHERE instance_id=@id;
                DELETE FROM dt_tasks WHERE instance_id=@id;
                DELETE FROM dt_instances WHERE instance_id=@id;
                """, ("@id", instanceId));
            await cmd.ExecuteNonQueryAsync(cancellationToken);
            return 1;
        }, cancellationToken);

    public async Task<IReadOnlyList<OrchestrationWorkItem>> LockOrchestrationsAsync(string owner, int max, TimeSpan lease,
        Func<string, long, long, IReadOnlyList<HistoryEvent>?>? cachedHistory = null, CancellationToken cancellationToken = default)
    {
        return await WriteAsync(async (c, tx) =>
        {
            var now = StoreTime.NowMs();
            var claimed = new List<(string Id, string Name, OrchestrationRuntimeStatus Status, int Gen, long Version, string? Custom, long Created)>();
            await using (var cmd = Cmd(c, tx, """
                UPDATE dt_instances SET lock_owner=@owner, lock_expires=@exp
                WHERE instance_id IN (
                    SELECT i.instance_id FROM dt_instances i
                    WHERE i.lock_expires < @now
                      AND i.instance_id IN (SELECT m.instance_id FROM dt_messages m WHERE m.visible_at <= @now)
                    LIMIT @max)
                RETURNING instance_id, name, status, generation, version, custom_status, created_at
                """, ("@owner", owner), ("@exp", now + (long)lease.TotalMilliseconds), ("@now", now), ("@max", max)))
            await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
            {
                while (await r.ReadAsync(cancellationToken))
                    claimed.Add((r.GetString(0), r.GetString(1), (OrchestrationRuntimeStatus)r.GetInt32(2), r.GetInt32(3), r.GetInt64(4),
                        r.IsDBNull(5) ? null : r.GetString(5), r.GetInt64(6)));
            }
            if (claimed.Count == 0) return (IReadOnlyList<OrchestrationWorkItem>)[];
            var ids = JsonSerializer.Serialize(claimed.Select(x => x.Id));
            var messages = claimed.ToDictionary(x => x.Id, _ => new List<InboundMessage>());
            var history = new Dictionary<string, IReadOnlyList<HistoryEvent>>();
            foreach (var x in claimed)
                if (cachedHistory?.Invoke(x.Id, x.Created, x.Version) is { } cached) history[x.Id] = cached;
            var uncached = JsonSerializer.Serialize(claimed.Where(x => !history.ContainsKey(x.Id)).Select(x => x.Id));
            foreach (var x in claimed) if (!history.ContainsKey(x.Id)) history[x.Id] = new List<HistoryEvent>();
            await using (var cmd = Cmd(c, tx,
                "SELECT id, instance_id, generation, event FROM dt_messages WHERE instance_id IN (SELECT value FROM json_each(@ids)) AND visible_at <= @now ORDER BY visible_at, id",
                ("@ids", ids), ("@now", now)))
            await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
            {
                while (await r.ReadAsync(cancellationToken))
                    messages[r.GetString(1)].Add(new InboundMessage(r.GetInt64(0), r.IsDBNull(2) ? null : r.GetInt32(2), HistorySerializer.Deserialize(r.GetString(3))));
            }
            await using (var cmd = Cmd(c, tx,
                "SELECT instance_id, event FROM dt_history WHERE instance_id IN (SELECT value FROM json_each(@ids)) ORDER BY instance_id, seq",
                ("@ids", uncached)))
            await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
            {
                while (await r.ReadAsync(cancellationToken))
                    ((List<HistoryEvent>)history[r.GetString(0)]).Add(HistorySerializer.Deserialize(r.GetString(1)));
            }
            return claimed.Select(x => new OrchestrationWorkItem
            {
                InstanceId = x.Id, Name = x.Name, Status = x.Status, Generation = x.Gen, Version = x.Version, CustomStatus = x.Custom, Incarnation = x.Created,
                History = history[x.Id], Messages = messages[x.Id],
            }).ToList();
        }, cancellationToken);
    }

    public async Task<bool> CompleteOrchestrationAsync(OrchestrationWorkItem item, OrchestrationEpisode episode, string owner, CancellationToken cancellationToken = default) =>
        await CompleteOrchestrationAndClaimAsync(item, episode, owner, 0, TimeSpan.Zero, cancellationToken) is not null;

    public async Task<IReadOnlyList<ActivityWorkItem>?> CompleteOrchestrationAndClaimAsync(OrchestrationWorkItem item, OrchestrationEpisode episode,
        string owner, int claimActivities, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        var claimed = new List<ActivityWorkItem>();
        var ok = await WriteAsync(async (c, tx) =>
        {
            var now = StoreTime.NowMs();
            if (episode.OnlyConsumeMessages)
            {
                await using var keep = Cmd(c, tx,
                    "UPDATE dt_instances SET version=version+1, lock_owner=NULL, lock_expires=0 WHERE instance_id=@id AND version=@version AND lock_owner=@owner",
                    ("@id", item.InstanceId), ("@version", item.Version), ("@owner", owner));
                if (await keep.ExecuteNonQueryAsync(cancellationToken) == 0) return false;
            }
            else
            {
                await using var cmd = Cmd(c, tx, """
                    UPDATE dt_instances SET status=@status, generation=@gen, version=version+1,
                        input=CASE WHEN @inputChanged THEN @input ELSE input END,
                        output=@output, custom_status=@custom, failure=@failure, last_updated_at=@now, lock_owner=NULL, lock_expires=0
                    WHERE instance_id=@id AND version=@version AND lock_owner=@owner
                    """,
                    ("@status", (int)episode.Status), ("@gen", episode.Generation), ("@inputChanged", episode.InputChanged ? 1 : 0),
                    ("@input", episode.NewInput), ("@output", episode.Output), ("@custom", episode.CustomStatus),
                    ("@failure", episode.Failure is null ? null : JsonSerializer.Serialize(episode.Failure)), ("@now", now),
                    ("@id", item.InstanceId), ("@version", item.Version), ("@owner", owner));
                if (await cmd.ExecuteNonQueryAsync(cancellationToken) == 0) return false;
            }
            if (episode.Status.IsTerminal() && !episode.OnlyConsumeMessages)
            {
                // A finished instance needs none of its queued work: pending timers, unclaimed activities.
                await using var drop = Cmd(c, tx, "DELETE FROM dt_messages WHERE instance_id=@id; DELETE FROM dt_tasks WHERE instance_id=@id AND lock_expires < @now;",
                    ("@id", item.InstanceId), ("@now", now));
                await drop.ExecuteNonQueryAsync(cancellationToken);
            }
            var seq = item.History.Count;
            if (episode.ResetHistory)
            {
                await using var del = Cmd(c, tx, "DELETE FROM dt_history WHERE instance_id=@id", ("@id", item.InstanceId));
                await del.ExecuteNonQueryAsync(cancellationToken);
                seq = 0;
            }
            if (episode.NewHistory.Count > 0)
            {
                await using var ins = Cmd(c, tx, "INSERT INTO dt_history(instance_id, seq, event) VALUES(@id, @seq, @e)", ("@id", item.InstanceId), ("@seq", 0), ("@e", ""));
                foreach (var e in episode.NewHistory)
                {
                    ins.Parameters["@seq"].Value = seq++;
                    ins.Parameters["@e"].Value = HistorySerializer.Serialize(e);
                    await ins.ExecuteNonQueryAsync(cancellationToken);
                }
            }
            if (item.Messages.Count > 0)
            {
                await using var del = Cmd(c, tx, "DELETE FROM dt_messages WHERE id IN (SELECT value FROM json_each(@ids))",
                    ("@ids", JsonSerializer.Serialize(item.Messages.Select(m => m.Id))));
                await del.ExecuteNonQueryAsync(cancellationToken);
            }
            if (episode.Tasks.Count > 0)
            {
                // The first claimActivities tasks are inserted already leased to this worker (dequeued once): it runs them
                // straight from the commit. If it dies, the lease expires and any worker claims them, as after a claim.
                await using var ins = Cmd(c, tx, """
                    INSERT INTO dt_tasks(instance_id, generation, task_id, name, input, idempotency_key, lock_owner, lock_expires, dequeue_count)
                    VALUES(@id, @gen, @tid, @name, @input, @key, @owner, @exp, @dequeued) RETURNING id
                    """,
                    ("@id", item.InstanceId), ("@gen", episode.Generation), ("@tid", 0), ("@name", ""), ("@input", null), ("@key", ""),
                    ("@owner", null), ("@exp", 0L), ("@dequeued", 0));
                foreach (var t in episode.Tasks)
                {
                    var claim = claimed.Count < claimActivities;
                    ins.Parameters["@tid"].Value = t.TaskScheduledId;
                    ins.Parameters["@name"].Value = t.Name;
                    ins.Parameters["@input"].Value = (object?)t.Input ?? DBNull.Value;
                    ins.Parameters["@key"].Value = t.IdempotencyKey;
                    ins.Parameters["@owner"].Value = claim ? owner : DBNull.Value;
                    ins.Parameters["@exp"].Value = claim ? now + (long)lease.TotalMilliseconds : 0L;
                    ins.Parameters["@dequeued"].Value = claim ? 1 : 0;
                    var id = Convert.ToInt64(await ins.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
                    if (claim)
                        claimed.Add(new ActivityWorkItem(id, item.InstanceId, episode.Generation, t.TaskScheduledId, t.Name, t.Input, t.IdempotencyKey, owner, 1));
                }
            }
            if (episode.Messages.Count > 0)
            {
                await using var ins = Cmd(c, tx,
                    "INSERT INTO dt_messages(instance_id, generation, visible_at, event) SELECT @id, @gen, @at, @e WHERE @self OR EXISTS(SELECT 1 FROM dt_instances WHERE instance_id=@id)",
                    ("@id", ""), ("@gen", null), ("@at", 0L), ("@e", ""), ("@self", 0));
                foreach (var m in episode.Messages)
                {
                    ins.Parameters["@id"].Value = m.InstanceId;
                    ins.Parameters["@gen"].Value = (object?)m.Generation ?? DBNull.Value;
                    ins.Parameters["@at"].Value = StoreTime.Ms(m.VisibleAtUtc);
                    ins.Parameters["@e"].Value = HistorySerializer.Serialize(m.Event);
                    ins.Parameters["@self"].Value = m.InstanceId == item.InstanceId ? 1 : 0;
                    await ins.ExecuteNonQueryAsync(cancellationToken);
                }
            }
            return true;
        }, cancellationToken);
        if (!ok) return null;
        EpisodeSignals.Raise(this, episode, claimed.Count);
        return claimed;
    }

    public Task AbandonOrchestrationAsync(OrchestrationWorkItem item, string owner, TimeSpan delay, CancellationToken cancellationToken = default) =>
        WriteAsync(async (c, tx) =>
        {
            await using var cmd = Cmd(c, tx, "UPDATE dt_instances SET lock_owner=NULL, lock_expires=@until WHERE instance_id=@id AND lock_owner=@owner",
                ("@until", StoreTime.NowMs() + (long)delay.TotalMilliseconds), ("@id", item.InstanceId), ("@owner", owner));
            return await cmd.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    public Task<IReadOnlyList<ActivityWorkItem>> LockActivitiesAsync(string owner, int max, TimeSpan lease, CancellationToken cancellationToken = default) =>
        WriteAsync(async (c, tx) =>
        {
            var now = StoreTime.NowMs();
            await using var cmd = Cmd(c, tx, """
                UPDATE dt_tasks SET lock_owner=@owner, lock_expires=@exp, dequeue_count=dequeue_count+1
                WHERE id IN (SELECT id FROM dt_tasks WHERE lock_expires < @now ORDER BY id LIMIT @max)
                RETURNING id, instance_id, generation, task_id, name, input, idempotency_key, dequeue_count
                """, ("@owner", owner), ("@exp", now + (long)lease.TotalMilliseconds), ("@now", now), ("@max", max));
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
            var list = new List<ActivityWorkItem>();
            while (await r.ReadAsync(cancellationToken))
                list.Add(new ActivityWorkItem(r.GetInt64(0), r.GetString(1), r.GetInt32(2), r.GetInt32(3), r.GetString(4),
                    r.IsDBNull(5) ? null : r.GetString(5), r.GetString(6), owner, r.GetInt32(7)));
            return (IReadOnlyList<ActivityWorkItem>)list;
        }, cancellationToken);

    public async Task<IReadOnlyList<bool>> CompleteActivitiesAsync(IReadOnlyList<ActivityResult> results, CancellationToken cancellationToken = default)
    {
        var saved = await WriteAsync(async (c, tx) =>
        {
            var ok = new bool[results.Count];
            await using var del = Cmd(c, tx, "DELETE FROM dt_tasks WHERE id=@id AND lock_owner=@owner", ("@id", 0L), ("@owner", ""));
            await using var ins = Cmd(c, tx, "INSERT INTO dt_messages(instance_id, generation, visible_at, event) VALUES(@id, @gen, @now, @e)",
                ("@id", ""), ("@gen", 0), ("@now", StoreTime.NowMs()), ("@e", ""));
            for (var i = 0; i < results.Count; i++)
            {
                var (item, result) = results[i];
                del.Parameters["@id"].Value = item.Id;
                del.Parameters["@owner"].Value = item.LockOwner;
                if (await del.ExecuteNonQueryAsync(cancellationToken) == 0) continue;
                ins.Parameters["@id"].Value = item.InstanceId;
                ins.Parameters["@gen"].Value = item.Generation;
                ins.Parameters["@e"].Value = HistorySerializer.Serialize(result);
                await ins.ExecuteNonQueryAsync(cancellationToken);
                ok[i] = true;
            }
            return ok;
        }, cancellationToken);
        if (saved.Any(x => x)) OrchestrationWork.Notify();
        return saved;
    }

    public async Task RenewActivityLeasesAsync(string owner, IReadOnlyCollection<long> taskIds, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        if (taskIds.Count == 0) return;
        await WriteAsync(async (c, tx) =>
        {
            await using var cmd = Cmd(c, tx, "UPDATE dt_tasks SET lock_expires=@exp WHERE lock_owner=@owner AND id IN (SELECT value FROM json_each(@ids))",
                ("@exp", StoreTime.NowMs() + (long)lease.TotalMilliseconds), ("@owner", owner), ("@ids", JsonSerializer.Serialize(taskIds)));
            return await cmd.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);
    }

    public async Task AbandonActivityAsync(ActivityWorkItem item, TimeSpan delay, CancellationToken cancellationToken = default)
    {
        await WriteAsync(async (c, tx) =>
        {
            await using var cmd = Cmd(c, tx, "UPDATE dt_tasks SET lock_owner=NULL, lock_expires=@until WHERE id=@id AND lock_owner=@owner",
                ("@until", StoreTime.NowMs() + (long)delay.TotalMilliseconds), ("@id", item.Id), ("@owner", item.LockOwner));
            return await cmd.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _writeGate.WaitAsync();
        try
        {
            if (_writer is not null) await _writer.DisposeAsync();
            _writer = null;
        }
        finally
        {
            _writeGate.Release();
        }
    }
}
