using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using FairDelegation.Durable;
using FairDelegation.Durable.Client;
using FairDelegation.Durable.Stores.Postgres;
using FairDelegation.Durable.Worker;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace FairDelegation.Cli.Commands;

/// <summary>
/// `fairdelegation bench engine`: N orchestrations of 5 sequential no-op activities; work items per second
/// (orchestration episodes + activity executions) on SQLite and on PostgreSQL with 1 and 2 workers, each next
/// to the store's raw commit rate (single-row insert transactions per second) measured in the same run.
/// </summary>
public static class BenchEngineCommand
{
    private const int ActivitiesPerOrchestration = 5;

    public static Command Create()
    {
        var count = new Option<int>("--orchestrations") { Description = "orchestrations per run", DefaultValueFactory = _ => 1000 };
        var postgres = new Option<string?>("--postgres") { Description = "PostgreSQL connection string (default: start a private cluster)" };
        var rounds = new Option<int>("--rounds") { Description = "rounds of (raw commits, provider run), interleaved (--backend)", DefaultValueFactory = _ => 3 };
        var fast = new Option<bool>("--no-fsync") { Description = "private cluster with fsync off (default: PostgreSQL's crash-safe defaults)" };
        var skipPg = new Option<bool>("--sqlite-only") { Description = "skip PostgreSQL" };
        var backend = new Option<string?>("--backend") { Description = "sqlite: the Durable Task Framework on the SQLite provider (FairDelegation.Durable.Sqlite)" };
        // Internal: the benchmark starts its PostgreSQL workers as child processes of itself with this option.
        var serve = new Option<string?>("--serve-worker-schema") { Hidden = true };
        var cmd = new Command("engine", "Durable engine throughput: work items/s on SQLite and PostgreSQL (1 and 2 workers) vs raw commit rate");
        cmd.Options.Add(count);
        cmd.Options.Add(postgres);
        cmd.Options.Add(fast);
        cmd.Options.Add(rounds);
        cmd.Options.Add(skipPg);
        cmd.Options.Add(serve);
        cmd.Options.Add(backend);
        cmd.SetAction(async (ParseResult parse, CancellationToken ct) =>
        {
            if (parse.GetValue(serve) is { } schema)
            {
                await ServeWorkerAsync(parse.GetValue(postgres) ?? throw new CliException("--serve-worker-schema needs --postgres"), schema, ct);
                return 0;
            }
            var n = parse.GetValue(count);
            if (n < 1) throw new CliException("--orchestrations must be at least 1");
            if (parse.GetValue(backend) is { } b)
            {
                if (b != "sqlite") throw new CliException($"--backend: '{b}' is not a backend this benchmark runs (sqlite)");
                await RunSqliteProviderAsync(n, parse.GetValue(rounds), ct);
                return 0;
            }
            await RunAsync(n, parse.GetValue(postgres), parse.GetValue(fast), parse.GetValue(skipPg), ct);
            return 0;
        });
        return cmd;
    }

    private static async Task RunAsync(int n, string? postgres, bool noFsync, bool sqliteOnly, CancellationToken ct)
    {
        Console.WriteLine($"engine benchmark: {n} orchestrations x {ActivitiesPerOrchestration} sequential no-op activities " +
                          $"= {n * (ActivitiesPerOrchestration * 2 + 1)} work items per run; {Environment.ProcessorCount} cores");
        var dir = Directory.CreateTempSubdirectory("fd-bench-engine-").FullName;
        try
        {
            var sqliteRaw = await SqliteCommitRateAsync(Path.Combine(dir, "raw.db"), ct);
            var sqlite = await EngineRunAsync(n, 1, b => b.UseSqlite($"Data Source={Path.Combine(dir, "engine.db")}"), ct);
            Report("SQLite (WAL, synchronous=NORMAL), 1 worker", sqlite, sqliteRaw);
            if (sqliteOnly) return;

            PostgresLocalCluster? cluster = null;
            try
            {
                if (postgres is null)
                {
                    cluster = await PostgresLocalCluster.StartAsync(durable: !noFsync, ct);
                    postgres = cluster.ConnectionString();
                    Console.WriteLine($"private PostgreSQL cluster on port {cluster.Port} ({(noFsync ? "fsync off" : "fsync on, synchronous_commit on")})");
                }
                var pgRaw = await PostgresCommitRateAsync(postgres, ct);
                var pg1 = await PostgresProcessesRunAsync(n, 1, postgres, ct);
                Report("PostgreSQL, 1 worker process", pg1, pgRaw);
                var pg2 = await PostgresProcessesRunAsync(n, 2, postgres, ct);
                Report("PostgreSQL, 2 worker processes", pg2, pgRaw);
            }
            finally
            {
                if (cluster is not null) await cluster.DisposeAsync();
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }

    /// <summary>
    /// The framework on the SQLite provider next to SQLite's raw commit rate, interleaved over rounds (each round a
    /// fresh file), so both see the same machine load.
    /// </summary>
    private static async Task RunSqliteProviderAsync(int n, int rounds, CancellationToken ct)
    {
        if (rounds < 1) throw new CliException("--rounds must be at least 1");
        Console.WriteLine($"engine benchmark, backend sqlite (Durable Task Framework + FairDelegation.Durable.Sqlite): {n} orchestrations x " +
                          $"{ActivitiesPerOrchestration} sequential no-op activities = {n * (ActivitiesPerOrchestration * 2 + 1)} work items per round; " +
                          $"{Environment.ProcessorCount} cores");
        {
            // Warm-up (JIT, file cache), not reported.
            var warm = Directory.CreateTempSubdirectory("fd-bench-provider-").FullName;
            try { await SqliteProviderBenchmark.RunAsync(Math.Min(n, 100), Path.Combine(warm, "taskhub.db"), ct); }
            finally { SqliteConnection.ClearAllPools(); try { Directory.Delete(warm, true); } catch (IOException) { } }
        }
        var ratios = new List<double>();
        for (var round = 1; round <= rounds; round++)
        {
            var dir = Directory.CreateTempSubdirectory("fd-bench-provider-").FullName;
            try
            {
                var raw = await SqliteCommitRateAsync(Path.Combine(dir, "raw.db"), ct);
                var r = await SqliteProviderBenchmark.RunAsync(n, Path.Combine(dir, "taskhub.db"), ct);
                ratios.Add(r.PerSecond / raw);
                Report($"round {round}: SQLite provider (WAL, synchronous=NORMAL)", new Result(r.WorkItems, r.Elapsed), raw);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"         CPU {r.CpuMicrosPerItem:F0} µs per work item (whole process); {r.Commits} commits holding {r.Writes} writes"));
            }
            finally
            {
                SqliteConnection.ClearAllPools();
                try { Directory.Delete(dir, true); } catch (IOException) { }
            }
        }
        ratios.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"median ratio work items / raw commits: {ratios[ratios.Count / 2]:F3}"));
    }

    private sealed record Result(long WorkItems, TimeSpan Elapsed)
    {
        public double PerSecond => WorkItems / Elapsed.TotalSeconds;
    }

    private static void Report(string what, Result r, double rawCommits) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{what}: {r.PerSecond,8:F0} work items/s ({r.WorkItems} in {r.Elapsed.TotalSeconds:F2} s); raw commits {rawCommits,8:F0}/s; ratio {r.PerSecond / rawCommits:F2}"));

    private sealed class Chain : TaskOrchestrator<int, int>
    {
        public override async Task<int> RunAsync(TaskOrchestrationContext context, int input)
        {
            for (var i = 0; i < ActivitiesPerOrchestration; i++) input = await context.CallActivityAsync<int>(nameof(Noop), input);
            return input;
        }
    }

    private sealed class Noop : TaskActivity<int, int>
    {
        public override Task<int> RunAsync(TaskActivityContext context, int input) => Task.FromResult(input + 1);
    }

    /// <summary>Schedules all instances first, then starts the worker(s) and times them until every instance is done.</summary>
    private static async Task<Result> EngineRunAsync(int n, int workers, Action<DurableTaskBuilder> store, CancellationToken ct)
    {
        var providers = Enumerable.Range(0, workers).Select(_ =>
        {
            var services = new ServiceCollection();
            services.AddDurableTask(b =>
            {
                store(b);
                b.AddTasks(r => r.AddOrchestrator<Chain>().AddActivity<Noop>());
            });
            return services.BuildServiceProvider();
        }).ToList();
        try
        {
            var client = providers[0].GetRequiredService<DurableTaskClient>();
            var ids = new string[n];
            for (var i = 0; i < n; i++) ids[i] = await client.ScheduleNewOrchestrationInstanceAsync(nameof(Chain), i, ct);
            var engines = providers.Select(p => p.GetRequiredService<DurableTaskWorker>()).ToList();
            var sw = Stopwatch.StartNew();
            foreach (var w in engines) await w.StartAsync(ct);
            var target = (long)n * (ActivitiesPerOrchestration + 1);
            while (engines.Sum(w => w.EpisodesCompleted) < target)
            {
                if (sw.Elapsed > TimeSpan.FromMinutes(10)) throw new TimeoutException("the engine benchmark did not finish in 10 minutes");
                await Task.Delay(5, ct);
            }
            sw.Stop();
            var items = engines.Sum(w => w.EpisodesCompleted + w.ActivitiesCompleted);
            foreach (var w in engines) await w.StopAsync(ct);
            // Check the result, not just the counters.
            var done = 0;
            await foreach (var m in client.GetAllInstancesAsync(new OrchestrationQuery { Statuses = [OrchestrationRuntimeStatus.Completed], PageSize = 1000 }))
                done++;
            if (done != n) throw new InvalidOperationException($"only {done} of {n} orchestrations completed");
            return new Result(items, sw.Elapsed);
        }
        finally
        {
            foreach (var p in providers)
            {
                var s = p.GetRequiredService<FairDelegation.Durable.Stores.IOrchestrationStore>();
                await s.DisposeAsync();
                await p.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Worker processes (this executable with --serve-worker-schema) sharing one PostgreSQL schema: instances are
    /// scheduled first, then the workers are told to go; timed until every instance is Completed in the database.
    /// </summary>
    private static async Task<Result> PostgresProcessesRunAsync(int n, int workers, string cs, CancellationToken ct)
    {
        var schema = "bench_" + Guid.NewGuid().ToString("N")[..10];
        var services = new ServiceCollection();
        services.AddDurableTask(b => { b.UsePostgres(cs, schema); b.Configure(o => o.RunWorker = false); });
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<DurableTaskClient>();
        var children = new List<Process>();
        try
        {
            for (var i = 0; i < workers; i++)
            {
                var psi = SelfProcess.CreateStartInfo(["bench", "engine", "--postgres", cs, "--serve-worker-schema", schema]);
                psi.RedirectStandardInput = true;
                psi.RedirectStandardOutput = true;
                children.Add(Process.Start(psi)!);
            }
            foreach (var c in children) await ExpectLineAsync(c, "ready", ct);
            for (var i = 0; i < n; i++) await client.ScheduleNewOrchestrationInstanceAsync(nameof(Chain), i, ct);
            await using var db = new NpgsqlConnection(cs);
            await db.OpenAsync(ct);
            await using var done = new NpgsqlCommand($"SELECT count(*) FROM {schema}.instances WHERE status = {(int)OrchestrationRuntimeStatus.Completed}", db);
            var sw = Stopwatch.StartNew();
            foreach (var c in children) await c.StandardInput.WriteLineAsync("go");
            while ((long)(await done.ExecuteScalarAsync(ct))! < n)
            {
                if (sw.Elapsed > TimeSpan.FromMinutes(10)) throw new TimeoutException("the engine benchmark did not finish in 10 minutes");
                await Task.Delay(10, ct);
            }
            sw.Stop();
            long items = 0;
            foreach (var c in children)
            {
                await c.StandardInput.WriteLineAsync("stop");
                var counts = await ExpectLineAsync(c, "counts", ct);
                items += counts.Split(' ').Skip(1).Sum(x => long.Parse(x, CultureInfo.InvariantCulture));
            }
            return new Result(items, sw.Elapsed);
        }
        finally
        {
            foreach (var c in children)
            {
                try { if (!c.HasExited) { c.StandardInput.Close(); if (!c.WaitForExit(10_000)) c.Kill(true); } } catch (InvalidOperationException) { }
                c.Dispose();
            }
            await using var drop = new NpgsqlConnection(cs);
            await drop.OpenAsync(CancellationToken.None);
            await using var cmd = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE", drop);
            await cmd.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private static async Task<string> ExpectLineAsync(Process p, string prefix, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        while (true)
        {
            var line = await p.StandardOutput.ReadLineAsync(timeout.Token)
                       ?? throw new InvalidOperationException($"benchmark worker process exited (code {(p.HasExited ? p.ExitCode : -1)}) before '{prefix}'");
            if (line.StartsWith(prefix, StringComparison.Ordinal)) return line;
        }
    }

    /// <summary>Child-process side: a worker on the schema; starts on "go", stops on "stop" and prints its counts.</summary>
    private static async Task ServeWorkerAsync(string cs, string schema, CancellationToken ct)
    {
        var services = new ServiceCollection();
        services.AddDurableTask(b =>
        {
            b.UsePostgres(cs, schema);
            b.AddTasks(r => r.AddOrchestrator<Chain>().AddActivity<Noop>());
            // Workers do not NOTIFY each other on commits (it would serialize commits), so with several worker
            // processes a short poll ceiling lets each pick up work the others produced.
            b.Configure(o => o.MaxPollInterval = TimeSpan.FromMilliseconds(50));
        });
        await using var provider = services.BuildServiceProvider();
        var worker = provider.GetRequiredService<DurableTaskWorker>();
        await provider.GetRequiredService<FairDelegation.Durable.Stores.IOrchestrationStore>().InitializeAsync(ct);
        Console.WriteLine("ready");
        if (await Console.In.ReadLineAsync(ct) != "go") return;
        await worker.StartAsync(ct);
        await Console.In.ReadLineAsync(ct);
        await worker.StopAsync(ct);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"counts {worker.EpisodesCompleted} {worker.ActivitiesCompleted}"));
    }

    private static readonly TimeSpan RawDuration = TimeSpan.FromSeconds(2);

    /// <summary>Single-row INSERT transactions per second on a file with the engine's settings.</summary>
    private static async Task<double> SqliteCommitRateAsync(string file, CancellationToken ct)
    {
        await using var c = new SqliteConnection($"Data Source={file}");
        await c.OpenAsync(ct);
        await using (var setup = c.CreateCommand())
        {
            setup.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; CREATE TABLE t(id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT NOT NULL);";
            await setup.ExecuteNonQueryAsync(ct);
        }
        await using var insert = c.CreateCommand();
        insert.CommandText = "INSERT INTO t(v) VALUES($v)";
        insert.Parameters.AddWithValue("$v", "payload");
        var commits = 0L;
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < RawDuration)
        {
            await using var tx = c.BeginTransaction();
            insert.Transaction = tx;
            await insert.ExecuteNonQueryAsync(ct);
            await tx.CommitAsync(ct);
            commits++;
        }
        return commits / sw.Elapsed.TotalSeconds;
    }

    private static async Task<double> PostgresCommitRateAsync(string cs, CancellationToken ct)
    {
        await using var c = new NpgsqlConnection(cs);
        await c.OpenAsync(ct);
        var table = "bench_raw_" + Guid.NewGuid().ToString("N")[..10];
        await using (var setup = new NpgsqlCommand($"CREATE TABLE {table}(id bigserial PRIMARY KEY, v text NOT NULL)", c))
            await setup.ExecuteNonQueryAsync(ct);
        await using var insert = new NpgsqlCommand($"INSERT INTO {table}(v) VALUES($1)", c);
        insert.Parameters.Add(new NpgsqlParameter { Value = "payload" });
        await insert.PrepareAsync(ct);
        var commits = 0L;
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < RawDuration)
        {
            await insert.ExecuteNonQueryAsync(ct);
            commits++;
        }
        var rate = commits / sw.Elapsed.TotalSeconds;
        await using (var drop = new NpgsqlCommand($"DROP TABLE {table}", c)) await drop.ExecuteNonQueryAsync(ct);
        return rate;
    }
}
