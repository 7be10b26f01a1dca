using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Azure.Storage.Queues;
using FairDelegation.Cli.Demo;
using FairDelegation.Workflows;
using Microsoft.Data.Sqlite;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FairDelegation.Cli.Commands;

/// <summary>
/// `fairdelegation bench engine --backend B`: N orchestrations of 5 sequential no-op activities run by the Durable Task
/// Framework on backend B; work items per second (5 activities + 6 orchestration episodes per orchestration), next to
/// the backend's raw rate measured in the same run (SQLite: single-row commits/s; Azurite: queue put+get/s). On sqlite the
/// run is the framework's TaskHubWorker on the provider directly (SqliteProviderBenchmark), in interleaved rounds.
/// </summary>
public static class BenchEngineCommand
{
    private const int ActivitiesPerOrchestration = 5;

    public static Command Create()
    {
        var count = new Option<int>("--orchestrations") { Description = "orchestrations per run", DefaultValueFactory = _ => 1000 };
        var backend = new Option<string>("--backend") { Description = $"The workflows' backend: {string.Join(", ", DurableBackend.Names)}", DefaultValueFactory = _ => DurableBackend.Default };
        var rounds = new Option<int>("--rounds") { Description = "sqlite: rounds of (raw commits, provider run), interleaved", DefaultValueFactory = _ => 3 };
        var connection = new Option<string?>("--connection-string") { Description = "azure-storage: this storage account instead of a fresh Azurite" };
        var cmd = new Command("engine", "Workflow engine throughput: work items/s of the Durable Task Framework on a backend vs the backend's raw rate");
        cmd.Options.Add(count);
        cmd.Options.Add(backend);
        cmd.Options.Add(connection);
        cmd.Options.Add(rounds);
        cmd.SetAction(async (ParseResult parse, CancellationToken ct) =>
        {
            var n = parse.GetValue(count);
            if (n < 1) throw new CliException("--orchestrations must be at least 1");
            var b = parse.GetValue(backend)!;
            if (!DurableBackend.Names.Contains(b))
                throw new CliException($"--backend '{b}' is not a backend: use one of {string.Join(", ", DurableBackend.Names)}");
            if (b == DurableBackend.Sqlite) await RunSqliteProviderAsync(n, parse.GetValue(rounds), ct);
            else await RunAsync(n, b, parse.GetValue(connection), ct);
            return 0;
        });
        return cmd;
    }

    private static async Task RunAsync(int n, string backend, string? connectionString, CancellationToken ct)
    {
        var items = n * (ActivitiesPerOrchestration * 2 + 1);
        Console.WriteLine($"engine benchmark: {n} orchestrations x {ActivitiesPerOrchestration} sequential no-op activities " +
                          $"= {items} work items per run; backend {backend}; {Environment.ProcessorCount} cores");
        var dir = Directory.CreateTempSubdirectory("fd-bench-engine-").FullName;
        LocalAzurite? azurite = null;
        try
        {
            var options = new DurableOptions { Backend = backend };
            string raw;
            double rawRate;
            switch (backend)
            {
                case DurableBackend.AzureStorage:
                    if (connectionString is null)
                    {
                        azurite = await LocalAzurite.StartAsync(ct);
                        connectionString = azurite.StorageConnectionString;
                    }
                    options.AzureStorage.ConnectionString = connectionString;
                    options.AzureStorage.TaskHubName = "bench" + Guid.NewGuid().ToString("N")[..8];
                    options.AzureStorage.MaxQueuePollingInterval = TimeSpan.FromMilliseconds(100);
                    rawRate = await QueueRateAsync(connectionString, ct);
                    raw = "Azurite queue put+get";
                    break;
                default:
                    rawRate = double.NaN;
                    raw = "no raw rate (in memory)";
                    break;
            }
            var result = await EngineRunAsync(n, items, options, ct);
            var against = double.IsNaN(rawRate) ? raw : string.Create(CultureInfo.InvariantCulture, $"{raw} {rawRate,8:F0}/s; ratio {result.PerSecond / rawRate:F2}");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{backend}: {result.PerSecond,8:F0} work items/s ({items} in {result.Elapsed.TotalSeconds:F2} s, {n / result.Elapsed.TotalSeconds:F1} orchestrations/s); {against}"));
        }
        finally
        {
            if (azurite is not null) await azurite.DisposeAsync();
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
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"round {round}: SQLite provider (WAL, synchronous=NORMAL): {r.PerSecond,8:F0} work items/s ({r.WorkItems} in {r.Elapsed.TotalSeconds:F2} s); raw commits {raw,8:F0}/s; ratio {r.PerSecond / raw:F2}"));
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

    /// <summary>Schedules all instances first (client only), then starts the worker and times it until every instance is done.</summary>
    private static async Task<Result> EngineRunAsync(int n, int items, DurableOptions options, CancellationToken ct)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddDurableWorkflows(options, r => r.AddOrchestrator<Chain>().AddActivity<Noop>());
        var host = builder.Build();
        await using var disposeHost = (IAsyncDisposable)host; // the backends are IAsyncDisposable
        var client = host.Services.GetRequiredService<DurableTaskClient>();
        await host.Services.GetRequiredService<DurableTask.Core.IOrchestrationService>().CreateIfNotExistsAsync();
        var ids = new string[n];
        for (var i = 0; i < n; i++) ids[i] = await client.ScheduleNewOrchestrationInstanceAsync(nameof(Chain), i, ct);
        var sw = Stopwatch.StartNew();
        await host.StartAsync(ct);
        var completed = 0;
        var query = new OrchestrationQuery { Statuses = [OrchestrationRuntimeStatus.Completed], PageSize = 1000 };
        while (completed < n)
        {
            if (sw.Elapsed > TimeSpan.FromMinutes(15)) throw new TimeoutException($"the engine benchmark did not finish in 15 minutes ({completed} of {n} done)");
            await Task.Delay(TimeSpan.FromMilliseconds(100), ct);
            completed = 0;
            await foreach (var _ in client.GetAllInstancesAsync(query).WithCancellation(ct)) completed++;
        }
        sw.Stop();
        await host.StopAsync(CancellationToken.None);
        return new Result(items, sw.Elapsed);
    }

    private static readonly TimeSpan RawDuration = TimeSpan.FromSeconds(3);

    /// <summary>Put one message, get it and delete it, in a loop: the storage round trips a work item costs at least.</summary>
    private static async Task<double> QueueRateAsync(string connectionString, CancellationToken ct)
    {
        var queue = new QueueClient(connectionString, "bench-raw-" + Guid.NewGuid().ToString("N")[..8]);
        await queue.CreateIfNotExistsAsync(cancellationToken: ct);
        var pairs = 0L;
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < RawDuration)
        {
            await queue.SendMessageAsync("payload", ct);
            var got = await queue.ReceiveMessageAsync(cancellationToken: ct);
            await queue.DeleteMessageAsync(got.Value.MessageId, got.Value.PopReceipt, ct);
            pairs++;
        }
        var rate = pairs / sw.Elapsed.TotalSeconds;
        await queue.DeleteIfExistsAsync(ct);
        return rate;
    }

    /// <summary>Single-row INSERT transactions per second on a file in WAL mode with synchronous=NORMAL.</summary>
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
}
