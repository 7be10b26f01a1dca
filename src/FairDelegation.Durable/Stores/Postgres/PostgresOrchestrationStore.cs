using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using FairDelegation.Durable.Client;
using FairDelegation.Durable.History;
using Npgsql;
using NpgsqlTypes;

namespace FairDelegation.Durable.Stores.Postgres;

/// <summary>
/// The shared store: one PostgreSQL database (one schema) used by any number of workers on any number of machines.
/// Claims use FOR UPDATE SKIP LOCKED plus a lease (owner, expiry) so workers never wait on each other and a dead
/// worker's items return after the lease; an episode commits history, outgoing work and message deletion in one
/// transaction, guarded by the instance's version.
/// </summary>
public sealed partial class PostgresOrchestrationStore : IOrchestrationStore, IWorkNotificationSource
{
    public const string DefaultSchema = "durable";
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _s;
    private readonly SemaphoreSlim _initGate = new(1, 1);
    private bool _initialized;

    public PostgresOrchestrationStore(string connectionString, string schema = DefaultSchema)
    {
        if (string.IsNullOrWhiteSpace(connectionString)) throw new ArgumentException("a PostgreSQL connection string is required", nameof(connectionString));
        if (!SchemaName().IsMatch(schema))
            throw new ArgumentException($"'{schema}' is not a plain schema name (lower-case letters, digits, underscore)", nameof(schema));
        _dataSource = NpgsqlDataSource.Create(connectionString);
        _s = schema;
        Schema = schema;
        _channel = schema + "_work";
    }

    private readonly string _channel;
    private const string OrchestrationPayload = "o";
    private const string ActivityPayload = "a";

    private NpgsqlBatchCommand Notify(string payload) => Bc("SELECT pg_notify($1, $2)", P(null!, _channel), P(null!, payload));

    public async Task ListenAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await using var c = await _dataSource.OpenConnectionAsync(cancellationToken);
                c.Notification += (_, e) =>
                {
                    if (e.Payload == ActivityPayload) ActivityWork.Notify();
                    else OrchestrationWork.Notify();
                };
                await using (var listen = new NpgsqlCommand($"LISTEN {_channel}", c)) await listen.ExecuteNonQueryAsync(cancellationToken);
                // Work may have arrived while we were not listening.
                OrchestrationWork.Notify();
                ActivityWork.Notify();
                while (true) await c.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                // Connection lost: polling covers the gap; listen again shortly.
                try { await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken); } catch (OperationCanceledException) { return; }
            }
        }
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex SchemaName();

    public string Schema { get; }
    public string Kind => "postgres";
    public WorkSignal OrchestrationWork { get; } = new();
    public WorkSignal ActivityWork { get; } = new();

    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        if (_initialized) return;
        await _initGate.WaitAsync(cancellationToken);
        try
        {
            if (_initialized) return;
            await using var c = await _dataSource.OpenConnectionAsync(cancellationToken);
            await using var tx = await c.BeginTransactionAsync(cancellationToken);
            // Several workers may start at once: serialize the DDL.
            await using (var l = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtext(@s))", c, tx))
            {
                l.Parameters.AddWithValue("s", "fairdelegation.durable." + _s);
                await l.ExecuteNonQueryAsync(cancellationToken);
            }
            await using (var ddl = new NpgsqlCommand($"""
                CREATE SCHEMA IF NOT EXISTS {_s};
                CREATE TABLE IF NOT EXISTS {_s}.instances(
                    instance_id text PRIMARY KEY, name text NOT NULL, status int NOT NULL, generation int NOT NULL,
                    version bigint NOT NULL, input text, output text, custom_status text, failure text,
                    created_at bigint NOT NULL, last_updated_at bigint NOT NULL,
                    lock_owner text, lock_expires bigint NOT NULL DEFAULT 0);
                CREATE INDEX IF NOT EXISTS instances_created ON {_s}.instances(created_at);
                CREATE TABLE IF NOT EXISTS {_s}.history(
                    instance_id text NOT NULL, seq int NOT NULL, event text NOT NULL, PRIMARY KEY(instance_id, seq));
                CREATE TABLE IF NOT EXISTS {_s}.messages(
                    id bigserial PRIMARY KEY, instance_id text NOT NULL, generation int, visible_at bigint NOT NULL, event text NOT NULL);
                CREATE INDEX IF NOT EXISTS messages_due ON {_s}.messages(visible_at);
                CREATE INDEX IF NOT EXISTS messages_instance ON {_s}.messages(instance_id);
                CREATE TABLE IF NOT EXISTS {_s}.tasks(
                    id bigserial PRIMARY KEY, instance_id text NOT NULL, generation int NOT NULL, task_id int NOT NULL,
                    name text NOT NULL, input text, idempotency_key text NOT NULL,
                    lock_owner text, lock_expires bigint NOT NULL DEFAULT 0, dequeue_count int NOT NULL DEFAULT 0);
                CREATE INDEX IF NOT EXISTS tasks_due ON {_s}.tasks(lock_expires, id);
                CREATE INDEX IF NOT EXISTS tasks_instance ON {_s}.tasks(instance_id);
                """, c, tx))
                await ddl.ExecuteNonQueryAsync(cancellationToken);
            await tx.CommitAsync(cancellationToken);
            _initialized = true;
        }
        finally
        {
            _initGate.Release();
        }
    }

    private static NpgsqlBatchCommand Bc(string sql, params NpgsqlParameter[] ps)
    {
        var bc = new NpgsqlBatchCommand(sql);
        bc.Parameters.AddRange(ps);
        return bc;
    }

    private static NpgsqlParameter P(string name, object? value) => new(name, value ?? DBNull.Value);
    private static NpgsqlParameter P(string name, NpgsqlDbType type, object? value) => new(name, type) { Value = value ?? DBNull.Value };

    public async Task CreateInstanceAsync(NewInstance instance, CancellationToken cancellationToken = default)
    {
        var start = new ExecutionStarted(instance.Name, instance.Input, 0) { Timestamp = instance.CreatedAt.UtcDateTime };
        await using var c = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await c.BeginTransactionAsync(cancellationToken);
        await using var b = new NpgsqlBatch(c, tx)
        {
            BatchCommands =
            {
                Bc($"INSERT INTO {_s}.instances(instance_id, name, status, generation, version, input, created_at, last_updated_at) VALUES($1, $2, 0, 0, 0, $3, $4, $4)",
                    P(null!, instance.InstanceId), P(null!, instance.Name), P(null!, NpgsqlDbType.Text, instance.Input), P(null!, StoreTime.Ms(instance.CreatedAt))),
                Bc($"INSERT INTO {_s}.messages(instance_id, generation, visible_at, event) VALUES($1, 0, $2, $3)",
                    P(null!, instance.InstanceId), P(null!, StoreTime.Ms(instance.StartAt)), P(null!, HistorySerializer.Serialize(start))),
                Notify(OrchestrationPayload),
            },
        };
        try
        {
            await b.ExecuteNonQueryAsync(cancellationToken);
            await tx.CommitAsync(cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new OrchestrationAlreadyExistsException(instance.InstanceId);
        }
        if (instance.StartAt <= DateTimeOffset.UtcNow) OrchestrationWork.Notify();
        else OrchestrationWork.NotifyAt(instance.StartAt.UtcDateTime);
    }

    private const string InstanceColumns = "instance_id, name, status, created_at, last_updated_at, custom_status, failure, input, output";

    public async Task<InstanceRecord?> GetInstanceAsync(string instanceId, bool includePayloads, CancellationToken cancellationToken = default)
    {
        await using var cmd = _dataSource.CreateCommand($"SELECT {InstanceColumns} FROM {_s}.instances WHERE instance_id=$1");
        cmd.Parameters.Add(P(null!, instanceId));
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        return await r.ReadAsync(cancellationToken) ? InstanceRows.Read(r, includePayloads) : null;
    }

    public async Task<Page<InstanceRecord>> QueryInstancesAsync(OrchestrationQuery query, CancellationToken cancellationToken = default)
    {
        if (query.PageSize < 1) throw new ArgumentOutOfRangeException(nameof(query), query.PageSize, "page size must be at least 1");
        var sql = new StringBuilder($"SELECT {InstanceColumns} FROM {_s}.instances WHERE true");
        var cmd = _dataSource.CreateCommand();
        await using var _ = cmd;
        void Add(string clause, string name, object value) { sql.Append(clause); cmd.Parameters.Add(P(name, value)); }
        if (query.ContinuationToken is { } token) Add(" AND instance_id > @after", "after", StoreTime.DecodeToken(token));
        if (query.InstanceIdPrefix is { Length: > 0 } prefix) Add(" AND left(instance_id, length(@prefix)) = @prefix", "prefix", prefix);
        if (query.CreatedFrom is { } from) Add(" AND created_at >= @from", "from", StoreTime.Ms(from));
        if (query.CreatedTo is { } to) Add(" AND created_at < @to", "to", StoreTime.Ms(to));
        if (query.Statuses is { Count: > 0 } statuses) Add(" AND status = ANY(@statuses)", "statuses", statuses.Select(s => (int)s).ToArray());
        Add(" ORDER BY instance_id COLLATE \"C\" LIMIT @limit", "limit", query.PageSize + 1);
        cmd.CommandText = sql.ToString().Replace("instance_id > @after", "instance_id COLLATE \"C\" > @after", StringComparison.Ordinal);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        var list = new List<InstanceRecord>();
        while (await r.ReadAsync(cancellationToken)) list.Add(InstanceRows.Read(r, query.FetchInputsAndOutputs));
        if (list.Count <= query.PageSize) return new Page<InstanceRecord>(list, null);
        list.RemoveAt(list.Count - 1);
        return new Page<InstanceRecord>(list, StoreTime.EncodeToken(list[^1].InstanceId));
    }

    public async Task SendMessageAsync(string instanceId, HistoryEvent message, CancellationToken cancellationToken = default)
    {
        await using var b = _dataSource.CreateBatch();
        b.BatchCommands.Add(Bc(
            $"INSERT INTO {_s}.messages(instance_id, generation, visible_at, event) SELECT $1, NULL, $2, $3 WHERE EXISTS(SELECT 1 FROM {_s}.instances WHERE instance_id=$1)",
            P(null!, instanceId), P(null!, StoreTime.NowMs()), P(null!, HistorySerializer.Serialize(message))));
        b.BatchCommands.Add(Notify(OrchestrationPayload));
        await b.ExecuteNonQueryAsync(cancellationToken);
        if (b.BatchCommands[0].RecordsAffected == 0) throw new OrchestrationNotFoundException(instanceId);
        OrchestrationWork.Notify();
    }

    public async Task<int> PurgeInstanceAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        await using var c = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await c.BeginTransactionAsync(cancellationToken);
        await using (var check = new NpgsqlCommand($"SELECT status FROM {_s}.instances WHERE instance_id=$1 FOR UPDATE", c, tx))
        {
            check.Parameters.Add(P(null!, instanceId));
            var status = await check.ExecuteScalarAsync(cancellationToken);
            if (status is null) return 0;
            var s = (OrchestrationRuntimeStatus)(int)status;
            if (!s.IsTerminal())
                throw new InvalidOperationException($"instance '{instanceId}' is {s}; only completed, failed or terminated instances can be purged (terminate it first)");
        }
        await using var b = new NpgsqlBatch(c, tx);
        foreach (var t in new[] { "history", "messages", "tasks", "instances" })
            b.BatchCommands.Add(Bc($"DELETE FROM {_s}.{t} WHERE instance_id=$1", P(null!, instanceId)));
        await b.ExecuteNonQueryAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return 1;
    }

    public async Task<IReadOnlyList<OrchestrationWorkItem>> LockOrchestrationsAsync(string owner, int max, TimeSpan lease,
        Func<string, long, long, IReadOnlyList<HistoryEvent>?>? cachedHistory = null, CancellationToken cancellationToken = default)
    {
        var now = StoreTime.NowMs();
        var claimed = new List<(string Id, string Name, OrchestrationRuntimeStatus Status, int Gen, long Version, string? Custom, long Created)>();
        await using var c = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using (var cmd = new NpgsqlCommand($"""
            WITH c AS (
                SELECT i.instance_id FROM {_s}.instances i
                WHERE i.instance_id IN (SELECT m.instance_id FROM {_s}.messages m WHERE m.visible_at <= $1)
                  AND i.lock_expires < $1
                LIMIT $2 FOR UPDATE OF i SKIP LOCKED)
            UPDATE {_s}.instances i SET lock_owner=$3, lock_expires=$4 FROM c WHERE i.instance_id = c.instance_id
            RETURNING i.instance_id, i.name, i.status, i.generation, i.version, i.custom_status, i.created_at
            """, c))
        {
            cmd.Parameters.Add(P(null!, now));
            cmd.Parameters.Add(P(null!, max));
            cmd.Parameters.Add(P(null!, owner));
            cmd.Parameters.Add(P(null!, now + (long)lease.TotalMilliseconds));
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await r.ReadAsync(cancellationToken))
                claimed.Add((r.GetString(0), r.GetString(1), (OrchestrationRuntimeStatus)r.GetInt32(2), r.GetInt32(3), r.GetInt64(4),
                    r.IsDBNull(5) ? null : r.GetString(5), r.GetInt64(6)));
        }
        if (claimed.Count == 0) return [];
        var ids = claimed.Select(x => x.Id).ToArray();
        var messages = claimed.ToDictionary(x => x.Id, _ => new List<InboundMessage>());
        var history = new Dictionary<string, IReadOnlyList<HistoryEvent>>();
        foreach (var x in claimed)
            if (cachedHistory?.Invoke(x.Id, x.Created, x.Version) is { } cached) history[x.Id] = cached;
        var uncached = claimed.Where(x => !history.ContainsKey(x.Id)).Select(x => x.Id).ToArray();
        foreach (var x in claimed) if (!history.ContainsKey(x.Id)) history[x.Id] = new List<HistoryEvent>();
        await using (var b = new NpgsqlBatch(c)
        {
            BatchCommands =
            {
                Bc($"SELECT id, instance_id, generation, event FROM {_s}.messages WHERE instance_id = ANY($1) AND visible_at <= $2 ORDER BY visible_at, id",
                    P(null!, ids), P(null!, now)),
                Bc($"SELECT instance_id, event FROM {_s}.history WHERE instance_id = ANY($1) ORDER BY instance_id, seq", P(null!, uncached)),
            },
        })
        await using (var r = await b.ExecuteReaderAsync(cancellationToken))
        {
            while (await r.ReadAsync(cancellationToken))
                messages[r.GetString(1)].Add(new InboundMessage(r.GetInt64(0), r.IsDBNull(2) ? null : r.GetInt32(2), HistorySerializer.Deserialize(r.GetString(3))));
            await r.NextResultAsync(cancellationToken);
            while (await r.ReadAsync(cancellationToken))
                ((List<HistoryEvent>)history[r.GetString(0)]).Add(HistorySerializer.Deserialize(r.GetString(1)));
        }
        return claimed.Select(x => new OrchestrationWorkItem
        {
            InstanceId = x.Id, Name = x.Name, Status = x.Status, Generation = x.Gen, Version = x.Version, CustomStatus = x.Custom, Incarnation = x.Created,
            History = history[x.Id], Messages = messages[x.Id],
        }).ToList();
    }

    public async Task<bool> CompleteOrchestrationAsync(OrchestrationWorkItem item, OrchestrationEpisode episode, string owner, CancellationToken cancellationToken = default)
    {
        var now = StoreTime.NowMs();
        // One round trip: a batch runs as one implicit transaction, and the first statement divides by zero when
        // the version or the lease was lost, which aborts (rolls back) the whole batch.
        await using var b = _dataSource.CreateBatch();
        if (episode.OnlyConsumeMessages)
        {
            b.BatchCommands.Add(Bc($"""
                WITH u AS (UPDATE {_s}.instances SET version=version+1, lock_owner=NULL, lock_expires=0 WHERE instance_id=$1 AND version=$2 AND lock_owner=$3 RETURNING 1)
                SELECT 1 / (SELECT count(*)::int FROM u)
                """,
                P(null!, item.InstanceId), P(null!, item.Version), P(null!, owner)));
        }
        else
        {
            b.BatchCommands.Add(Bc($"""
                WITH u AS (
                    UPDATE {_s}.instances SET status=$1, generation=$2, version=version+1,
                        input=CASE WHEN $3 THEN $4 ELSE input END,
                        output=$5, custom_status=$6, failure=$7, last_updated_at=$8, lock_owner=NULL, lock_expires=0
                    WHERE instance_id=$9 AND version=$10 AND lock_owner=$11 RETURNING 1)
                SELECT 1 / (SELECT count(*)::int FROM u)
                """,
                P(null!, (int)episode.Status), P(null!, episode.Generation), P(null!, episode.InputChanged),
                P(null!, NpgsqlDbType.Text, episode.NewInput), P(null!, NpgsqlDbType.Text, episode.Output), P(null!, NpgsqlDbType.Text, episode.CustomStatus),
                P(null!, NpgsqlDbType.Text, episode.Failure is null ? null : JsonSerializer.Serialize(episode.Failure)), P(null!, now),
                P(null!, item.InstanceId), P(null!, item.Version), P(null!, owner)));
            if (episode.Status.IsTerminal())
            {
                b.BatchCommands.Add(Bc($"DELETE FROM {_s}.messages WHERE instance_id=$1", P(null!, item.InstanceId)));
                b.BatchCommands.Add(Bc($"DELETE FROM {_s}.tasks WHERE instance_id=$1 AND lock_expires < $2", P(null!, item.InstanceId), P(null!, now)));
            }
        }
        var seq = item.History.Count;
        if (episode.ResetHistory)
        {
            b.BatchCommands.Add(Bc($"DELETE FROM {_s}.history WHERE instance_id=$1", P(null!, item.InstanceId)));
            seq = 0;
        }
        if (episode.NewHistory.Count > 0)
        {
            b.BatchCommands.Add(Bc($"INSERT INTO {_s}.history(instance_id, seq, event) SELECT $1, $2 + o - 1, e FROM unnest($3::text[]) WITH ORDINALITY AS t(e, o)",
                P(null!, item.InstanceId), P(null!, seq), P(null!, episode.NewHistory.Select(HistorySerializer.Serialize).ToArray())));
        }
        if (item.Messages.Count > 0)
            b.BatchCommands.Add(Bc($"DELETE FROM {_s}.messages WHERE id = ANY($1)", P(null!, item.Messages.Select(m => m.Id).ToArray())));
        if (episode.Tasks.Count > 0)
        {
            b.BatchCommands.Add(Bc($"""
                INSERT INTO {_s}.tasks(instance_id, generation, task_id, name, input, idempotency_key)
                SELECT $1, $2, t.tid, t.name, t.input, t.key FROM unnest($3::int[], $4::text[], $5::text[], $6::text[]) AS t(tid, name, input, key)
                """,
                P(null!, item.InstanceId), P(null!, episode.Generation),
                P(null!, episode.Tasks.Select(t => t.TaskScheduledId).ToArray()), P(null!, episode.Tasks.Select(t => t.Name).ToArray()),
                P(null!, episode.Tasks.Select(t => t.Input).ToArray()), P(null!, episode.Tasks.Select(t => t.IdempotencyKey).ToArray())));
        }
        if (episode.Messages.Count > 0)
        {
            b.BatchCommands.Add(Bc($"""
                INSERT INTO {_s}.messages(instance_id, generation, visible_at, event)
                SELECT m.iid, m.gen, m.at, m.e FROM unnest($1::text[], $2::int[], $3::bigint[], $4::text[]) AS m(iid, gen, at, e)
                WHERE m.iid = $5 OR EXISTS(SELECT 1 FROM {_s}.instances i WHERE i.instance_id = m.iid)
                """,
                P(null!, episode.Messages.Select(m => m.InstanceId).ToArray()),
                P(null!, episode.Messages.Select(m => m.Generation).ToArray()),
                P(null!, episode.Messages.Select(m => StoreTime.Ms(m.VisibleAtUtc)).ToArray()),
                P(null!, episode.Messages.Select(m => HistorySerializer.Serialize(m.Event)).ToArray()),
                P(null!, item.InstanceId)));
        }
        // No NOTIFY here: a committing NOTIFY takes PostgreSQL's global notification lock through the commit's
        // WAL flush, which serializes commits (no group commit). This worker wakes itself in-process; other
        // workers find the work at their next poll.
        try
        {
            await b.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DivisionByZero)
        {
            return false; // another worker owns the instance now; nothing was written
        }
        EpisodeSignals.Raise(this, episode);
        return true;
    }

    public async Task AbandonOrchestrationAsync(OrchestrationWorkItem item, string owner, TimeSpan delay, CancellationToken cancellationToken = default)
    {
        await using var cmd = _dataSource.CreateCommand($"UPDATE {_s}.instances SET lock_owner=NULL, lock_expires=$1 WHERE instance_id=$2 AND lock_owner=$3");
        cmd.Parameters.Add(P(null!, StoreTime.NowMs() + (long)delay.TotalMilliseconds));
        cmd.Parameters.Add(P(null!, item.InstanceId));
        cmd.Parameters.Add(P(null!, owner));
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<ActivityWorkItem>> LockActivitiesAsync(string owner, int max, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        var now = StoreTime.NowMs();
        await using var cmd = _dataSource.CreateCommand($"""
            WITH c AS (SELECT id FROM {_s}.tasks WHERE lock_expires < $1 ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)
            UPDATE {_s}.tasks t SET lock_owner=$3, lock_expires=$4, dequeue_count=t.dequeue_count+1 FROM c WHERE t.id = c.id
            RETURNING t.id, t.instance_id, t.generation, t.task_id, t.name, t.input, t.idempotency_key, t.dequeue_count
            """);
        cmd.Parameters.Add(P(null!, now));
        cmd.Parameters.Add(P(null!, max));
        cmd.Parameters.Add(P(null!, owner));
        cmd.Parameters.Add(P(null!, now + (long)lease.TotalMilliseconds));
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken);
        var list = new List<ActivityWorkItem>();
        while (await r.ReadAsync(cancellationToken))
            list.Add(new ActivityWorkItem(r.GetInt64(0), r.GetString(1), r.GetInt32(2), r.GetInt32(3), r.GetString(4),
                r.IsDBNull(5) ? null : r.GetString(5), r.GetString(6), owner, r.GetInt32(7)));
        return list;
    }

    public async Task<IReadOnlyList<bool>> CompleteActivitiesAsync(IReadOnlyList<ActivityResult> results, CancellationToken cancellationToken = default)
    {
        // One round trip, one implicit transaction: the task rows go and the result messages come, for each
        // result whose lease is still held; the ids returned are the saved ones.
        await using var b = _dataSource.CreateBatch();
        b.BatchCommands.Add(Bc($"""
            WITH u AS (SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[]) AS u(id, owner, event)),
                 d AS (DELETE FROM {_s}.tasks t USING u WHERE t.id = u.id AND t.lock_owner = u.owner
                       RETURNING t.id, t.instance_id, t.generation, u.event),
                 i AS (INSERT INTO {_s}.messages(instance_id, generation, visible_at, event)
                       SELECT instance_id, generation, $4, event FROM d ORDER BY id RETURNING 1)
            SELECT id FROM d
            """,
            P(null!, results.Select(r => r.Item.Id).ToArray()), P(null!, results.Select(r => r.Item.LockOwner).ToArray()),
            P(null!, results.Select(r => HistorySerializer.Serialize(r.Result)).ToArray()), P(null!, StoreTime.NowMs())));
        var savedIds = new HashSet<long>();
        await using (var r = await b.ExecuteReaderAsync(cancellationToken))
        {
            while (await r.ReadAsync(cancellationToken)) savedIds.Add(r.GetInt64(0));
        }
        if (savedIds.Count > 0) OrchestrationWork.Notify();
        return results.Select(x => savedIds.Contains(x.Item.Id)).ToList();
    }

    public async Task RenewActivityLeasesAsync(string owner, IReadOnlyCollection<long> taskIds, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        if (taskIds.Count == 0) return;
        await using var cmd = _dataSource.CreateCommand($"UPDATE {_s}.tasks SET lock_expires=$1 WHERE lock_owner=$2 AND id = ANY($3)");
        cmd.Parameters.Add(P(null!, StoreTime.NowMs() + (long)lease.TotalMilliseconds));
        cmd.Parameters.Add(P(null!, owner));
        cmd.Parameters.Add(P(null!, taskIds.ToArray()));
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task AbandonActivityAsync(ActivityWorkItem item, TimeSpan delay, CancellationToken cancellationToken = default)
    {
        await using var cmd = _dataSource.CreateCommand($"UPDATE {_s}.tasks SET lock_owner=NULL, lock_expires=$1 WHERE id=$2 AND lock_owner=$3");
        cmd.Parameters.Add(P(null!, StoreTime.NowMs() + (long)delay.TotalMilliseconds));
        cmd.Parameters.Add(P(null!, item.Id));
        cmd.Parameters.Add(P(null!, item.LockOwner));
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
