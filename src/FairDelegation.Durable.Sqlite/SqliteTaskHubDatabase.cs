using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace FairDelegation.Durable.Sqlite;

/// <summary>
/// The task hub's file: schema, the one writer connection of this process (SQLite has one writer at a time anyway;
/// other processes wait on the busy timeout) and pooled read connections (WAL readers never block the writer).
/// </summary>
internal sealed class SqliteTaskHubDatabase : IAsyncDisposable
{
    /// <summary>Signals shared by every provider object of this process on the same file.</summary>
    private static readonly ConcurrentDictionary<string, (WorkSignal Orchestrations, WorkSignal Activities, WorkSignal Completions)> SignalsByFile = new();

    private readonly string _connectionString;
    private readonly bool _synchronousFull;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private SqliteConnection? _writer;
    private readonly Dictionary<string, SqliteCommand> _writerCommands = new();

    public SqliteTaskHubDatabase(string path, bool synchronousFull)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new ArgumentException("the SQLite task hub needs a database file path", nameof(path));
        FullPath = Path.GetFullPath(path);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = FullPath, Pooling = true, DefaultTimeout = 30 }.ToString();
        _synchronousFull = synchronousFull;
        var signals = SignalsByFile.GetOrAdd(FullPath, _ => (new WorkSignal(), new WorkSignal(), new WorkSignal()));
        OrchestrationWork = signals.Orchestrations;
        ActivityWork = signals.Activities;
        InstanceCompleted = signals.Completions;
    }

    public string FullPath { get; }
    public WorkSignal OrchestrationWork { get; }
    public WorkSignal ActivityWork { get; }
    /// <summary>Pulsed when an instance reaches a terminal status (wakes WaitForOrchestrationAsync).</summary>
    public WorkSignal InstanceCompleted { get; }

    // Times are Unix milliseconds (UTC). Instance status is DurableTask.Core's OrchestrationStatus as an integer.
    // history: the current execution's events in order; new_events: messages to orchestrations (visible_at makes
    // a message a timer); tasks: activity work items. Locks are an owner token plus an expiry: a crashed worker's
    // locks run out and another worker takes the work.
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS instances(
            instance_id TEXT PRIMARY KEY, execution_id TEXT NOT NULL, name TEXT NOT NULL, version TEXT,
            status INTEGER NOT NULL, input TEXT, output TEXT, custom_status TEXT, failure_details TEXT, tags TEXT,
            parent TEXT, created_at INTEGER NOT NULL, last_updated_at INTEGER NOT NULL, completed_at INTEGER,
            scheduled_start_at INTEGER, history_count INTEGER NOT NULL DEFAULT 0,
            lock_owner TEXT, lock_expires INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX IF NOT EXISTS instances_created ON instances(created_at);
        CREATE TABLE IF NOT EXISTS history(
            instance_id TEXT NOT NULL, seq INTEGER NOT NULL, event TEXT NOT NULL,
            PRIMARY KEY(instance_id, seq)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS new_events(
            id INTEGER PRIMARY KEY AUTOINCREMENT, instance_id TEXT NOT NULL, visible_at INTEGER NOT NULL, message TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS new_events_visible ON new_events(visible_at);
        CREATE INDEX IF NOT EXISTS new_events_instance ON new_events(instance_id, id);
        CREATE TABLE IF NOT EXISTS tasks(
            id INTEGER PRIMARY KEY AUTOINCREMENT, instance_id TEXT NOT NULL, message TEXT NOT NULL,
            lock_owner TEXT, lock_expires INTEGER NOT NULL DEFAULT 0, dequeue_count INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX IF NOT EXISTS tasks_available ON tasks(lock_expires, id);
        CREATE INDEX IF NOT EXISTS tasks_instance ON tasks(instance_id);
        """;

    public async Task EnsureCreatedAsync(CancellationToken ct)
    {
        // Fast path: status reads call this too and must not queue behind a group commit.
        if (Volatile.Read(ref _writer) is not null) return;
        await _writeGate.WaitAsync(ct);
        try
        {
            if (_writer is not null) return;
            var dir = Path.GetDirectoryName(FullPath);
            if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
            var c = new SqliteConnection(_connectionString);
            await c.OpenAsync(ct);
            await ExecAsync(c, $"PRAGMA busy_timeout=30000; PRAGMA journal_mode=WAL; PRAGMA synchronous={(_synchronousFull ? "FULL" : "NORMAL")};", ct);
            await ExecAsync(c, Schema, ct);
            _writer = c;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Drops every table: the task hub starts empty.</summary>
    public async Task DropAsync(CancellationToken ct)
    {
        await EnsureCreatedAsync(ct);
        await WriteAsync(async w =>
        {
            await w.ExecAsync("DROP TABLE IF EXISTS instances; DROP TABLE IF EXISTS history; DROP TABLE IF EXISTS new_events; DROP TABLE IF EXISTS tasks;");
            await w.ExecAsync(Schema);
            return 0;
        }, ct);
    }

    private static async Task ExecAsync(SqliteConnection c, string sql, CancellationToken ct)
    {
        await using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>A write waiting for the next group commit.</summary>
    private abstract class PendingWrite
    {
        public abstract Task RunAsync(Writer w);
        public abstract void Commit();
        public abstract void Fail(Exception e);
    }

    private sealed class PendingWrite<T>(Func<Writer, Task<T>> work) : PendingWrite
    {
        private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T _result = default!;
        private Exception? _error;
        public Task<T> Task => _done.Task;
        public override async Task RunAsync(Writer w)
        {
            try { _result = await work(w); }
            catch (Exception e) { _error = e; throw; }
        }
        public override void Commit()
        {
            if (_error is null) _done.TrySetResult(_result);
            else _done.TrySetException(_error);
        }
        public override void Fail(Exception e) => _done.TrySetException(e);
    }

    private long _commits;
    private long _writes;
    /// <summary>Transactions committed by this process's writer (one per group of writes).</summary>
    public long Commits => Interlocked.Read(ref _commits);
    /// <summary>Writes committed (each a caller's unit of work).</summary>
    public long Writes => Interlocked.Read(ref _writes);

    private readonly object _queueGate = new();
    private List<PendingWrite> _queue = [];
    private bool _writing;

    /// <summary>
    /// Runs <paramref name="work"/> in a transaction on this process's writer connection and returns once it is
    /// committed. Writes that arrive while another commit runs are committed together (group commit: one
    /// transaction, each write in its own savepoint so a failing write rolls back alone); the caller that finds
    /// the writer idle runs the batches. A commit, not a statement, is what costs: this is the provider's
    /// throughput.
    /// </summary>
    public async Task<T> WriteAsync<T>(Func<Writer, Task<T>> work, CancellationToken ct = default)
    {
        var pending = new PendingWrite<T>(work);
        bool lead;
        lock (_queueGate)
        {
            _queue.Add(pending);
            lead = !_writing;
            _writing = true;
        }
        if (lead) await RunBatchesAsync();
        return await pending.Task;
    }

    private async Task RunBatchesAsync()
    {
        while (true)
        {
            List<PendingWrite> batch;
            lock (_queueGate)
            {
                if (_queue.Count == 0) { _writing = false; return; }
                batch = _queue;
                _queue = [];
            }
            await _writeGate.WaitAsync();
            try
            {
                var c = _writer;
                if (c is null)
                {
                    var e = new InvalidOperationException("the SQLite task hub is not created (call CreateIfNotExistsAsync or StartAsync first)");
                    foreach (var p in batch) p.Fail(e);
                    continue;
                }
                SqliteTransaction? tx = null;
                try
                {
                    tx = c.BeginTransaction(deferred: false);
                    var w = new Writer(this, c, tx);
                    foreach (var p in batch)
                    {
                        if (batch.Count > 1) await w.ExecAsync("SAVEPOINT w");
                        try
                        {
                            await p.RunAsync(w);
                            if (batch.Count > 1) await w.ExecAsync("RELEASE w");
                        }
                        catch (Exception) when (batch.Count > 1)
                        {
                            await w.ExecAsync("ROLLBACK TO w");
                            await w.ExecAsync("RELEASE w");
                        }
                        catch (Exception)
                        {
                            // A lone write that failed: roll the transaction back; the write reports its own error.
                            tx.Rollback();
                            tx.Dispose();
                            tx = null;
                            break;
                        }
                    }
                    tx?.Commit();
                    _commits++;
                    _writes += batch.Count;
                    foreach (var p in batch) p.Commit();
                }
                catch (Exception e)
                {
                    try { tx?.Rollback(); } catch (SqliteException) { }
                    foreach (var p in batch) p.Fail(e);
                }
                finally
                {
                    tx?.Dispose();
                }
            }
            finally
            {
                _writeGate.Release();
            }
        }
    }

    /// <summary>A command on the writer connection, prepared once and reused (statements are the hot path).</summary>
    private SqliteCommand WriterCommand(SqliteConnection c, SqliteTransaction tx, string sql)
    {
        if (!_writerCommands.TryGetValue(sql, out var cmd))
        {
            cmd = c.CreateCommand();
            cmd.CommandText = sql;
            _writerCommands[sql] = cmd;
        }
        cmd.Transaction = tx;
        cmd.Parameters.Clear();
        return cmd;
    }

    public async Task<SqliteConnection> OpenReaderAsync(CancellationToken ct)
    {
        var c = new SqliteConnection(_connectionString);
        await c.OpenAsync(ct);
        return c;
    }

    public async ValueTask DisposeAsync()
    {
        await _writeGate.WaitAsync();
        try
        {
            foreach (var cmd in _writerCommands.Values) cmd.Dispose();
            _writerCommands.Clear();
            if (_writer is not null) await _writer.DisposeAsync();
            _writer = null;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>The open write transaction handed to <see cref="WriteAsync{T}"/>.</summary>
    internal readonly struct Writer(SqliteTaskHubDatabase db, SqliteConnection connection, SqliteTransaction transaction)
    {
        public SqliteCommand Command(string sql, params (string Name, object? Value)[] ps)
        {
            var cmd = db.WriterCommand(connection, transaction, sql);
            foreach (var (n, v) in ps) cmd.Parameters.AddWithValue(n, v ?? DBNull.Value);
            return cmd;
        }

        public Task<int> ExecAsync(string sql, params (string Name, object? Value)[] ps) => Command(sql, ps).ExecuteNonQueryAsync();

        public async Task<object?> ScalarAsync(string sql, params (string Name, object? Value)[] ps)
        {
            var v = await Command(sql, ps).ExecuteScalarAsync();
            return v is DBNull ? null : v;
        }
    }
}
