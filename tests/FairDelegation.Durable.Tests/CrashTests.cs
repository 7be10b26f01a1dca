using FairDelegation.Durable.Client;
using FairDelegation.Durable.TestWorker;
using FairDelegation.Testing;
using Microsoft.Data.Sqlite;

namespace FairDelegation.Durable.Tests;

/// <summary>
/// Real worker processes (FairDelegation.Durable.TestWorker) killed with SIGKILL mid-orchestration: while an
/// activity runs (its result not saved; the previous activity's result saved) and while a durable timer is
/// pending. A restarted worker, or a second worker already running, completes every instance, and every side
/// effect keyed by the activity's idempotency key happens exactly once.
/// </summary>
public abstract class CrashTests : IDisposable
{
    private const int Instances = 3;
    private const int LeaseMs = 3000; // short enough for a quick takeover, long enough for a loaded machine
    private readonly string _dir = Directory.CreateTempSubdirectory("fd-crash-").FullName;

    /// <summary>The test's temporary folder (deleted afterwards).</summary>
    protected string WorkDir => _dir;

    /// <summary>Command-line arguments naming a fresh store for the worker processes.</summary>
    protected abstract string[] StoreArguments { get; }

    /// <summary>A client-only host on the same store, used by the test to schedule and observe.</summary>
    protected abstract Action<DurableTaskBuilder> ClientStore { get; }

    /// <summary>True: the second worker runs before the first is killed (takes over after the lease).</summary>
    protected abstract bool SecondWorkerAlongside { get; }

    private ExternalProcess StartWorker()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "FairDelegation.Durable.TestWorker.dll");
        return ExternalProcess.Start("dotnet", [dll, .. StoreArguments, "--dir", _dir, "--lease-ms", LeaseMs.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
    }

    private Task<EngineHost> StartClientAsync() => EngineHost.StartAsync(ClientStore, _ => { }, o => o.RunWorker = false);

    [Fact]
    public async Task Killed_while_an_activity_runs_then_another_worker_completes_every_instance_with_effects_once()
    {
        await using var client = await StartClientAsync();
        await using var first = StartWorker();
        var ids = await ScheduleAsync(client, timerMs: 200);

        // Every instance has saved activity "a" and is blocked inside "b" in the first worker.
        await Until(() => Directory.GetFiles(_dir, "started-*").Length == Instances, first, "all gates started");
        await using var second = SecondWorkerAlongside ? StartWorker() : null;
        first.Kill();
        await File.WriteAllTextAsync(Path.Combine(_dir, "gate"), "");
        await using var restarted = SecondWorkerAlongside ? null : StartWorker();

        await CompleteAllAsync(client, ids, second ?? restarted!);
        foreach (var id in ids)
        {
            Attempts($"{id}:0").Should().Be(1, "a's result was saved before the crash, so it never ran again");
            Attempts($"{id}:1").Should().Be(2, "b was running when the worker died: it ran again elsewhere");
            Attempts($"{id}:3").Should().Be(1);
            foreach (var step in new[] { 0, 1, 3 }) Effects($"{id}:{step}").Should().Be(1, "the side effect is keyed by the idempotency key");
        }
    }

    [Fact]
    public async Task Killed_while_a_timer_is_pending_then_another_worker_fires_it()
    {
        await File.WriteAllTextAsync(Path.Combine(_dir, "gate"), "");
        await using var client = await StartClientAsync();
        await using var first = StartWorker();
        var ids = await ScheduleAsync(client, timerMs: 2500);
        await Until(async () =>
        {
            foreach (var id in ids)
                if ((await client.Client.GetInstanceAsync(id))?.ReadCustomStatusAs<string>() != "timer") return false;
            return true;
        }, first, "all timers pending");
        await using var second = SecondWorkerAlongside ? StartWorker() : null;
        first.Kill();
        await using var restarted = SecondWorkerAlongside ? null : StartWorker();

        await CompleteAllAsync(client, ids, second ?? restarted!);
        foreach (var id in ids)
            foreach (var step in new[] { 0, 1, 3 })
            {
                Attempts($"{id}:{step}").Should().Be(1);
                Effects($"{id}:{step}").Should().Be(1);
            }
    }

    private static async Task<List<string>> ScheduleAsync(EngineHost client, int timerMs)
    {
        var ids = new List<string>();
        for (var i = 0; i < Instances; i++)
            ids.Add(await client.Client.ScheduleNewOrchestrationInstanceAsync(nameof(CrashFlow), new CrashFlowInput(timerMs),
                new StartOrchestrationOptions($"crash-{i}-{Guid.NewGuid():N}")));
        return ids;
    }

    private static async Task CompleteAllAsync(EngineHost client, IEnumerable<string> ids, ExternalProcess worker)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(40));
        foreach (var id in ids)
        {
            OrchestrationMetadata m;
            try { m = await client.Client.WaitForInstanceCompletionAsync(id, true, cts.Token); }
            catch (OperationCanceledException) { throw new TimeoutException($"{id} did not complete; worker output:\n{worker.Output}"); }
            m.RuntimeStatus.Should().Be(OrchestrationRuntimeStatus.Completed, m.FailureDetails?.ToString());
            m.ReadOutputAs<string>().Should().Be("ok");
        }
    }

    private static Task Until(Func<bool> condition, ExternalProcess worker, string what) => Until(() => Task.FromResult(condition()), worker, what);

    private static async Task Until(Func<Task<bool>> condition, ExternalProcess worker, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            if (worker.HasExited || DateTime.UtcNow > deadline)
                throw new TimeoutException($"never reached: {what}; worker output:\n{worker.Output}");
            await Task.Delay(25);
        }
    }

    private long Attempts(string key) => Count("SELECT count(*) FROM attempts WHERE key=$k", key);
    private long Effects(string key) => Count("SELECT count(*) FROM effects WHERE key=$k", key);

    private long Count(string sql, string key)
    {
        using var c = new SqliteConnection($"Data Source={SideEffects.Database(_dir)};Pooling=false");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.Parameters.AddWithValue("$k", key);
        return (long)cmd.ExecuteScalar()!;
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
        GC.SuppressFinalize(this);
    }
}

/// <summary>SQLite: the killed worker is restarted on the same file.</summary>
public sealed class SqliteCrashTests : CrashTests
{
    private string Db => Path.Combine(WorkDir, "engine.db");
    protected override string[] StoreArguments => ["--store", "sqlite", "--connection", $"Data Source={Db}"];
    protected override Action<DurableTaskBuilder> ClientStore => b => b.UseSqlite($"Data Source={Db}");
    protected override bool SecondWorkerAlongside => false;
}

/// <summary>PostgreSQL: a second worker already running takes over once the dead worker's leases expire.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresCrashTests(PostgresCluster cluster) : CrashTests
{
    private readonly string _schema = "crash_" + Guid.NewGuid().ToString("N")[..12];
    protected override string[] StoreArguments => ["--store", "postgres", "--connection", cluster.ConnectionString, "--schema", _schema];
    protected override Action<DurableTaskBuilder> ClientStore => b => b.UsePostgres(cluster.ConnectionString, _schema);
    protected override bool SecondWorkerAlongside => true;
}
