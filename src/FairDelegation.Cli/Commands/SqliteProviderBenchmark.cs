using System.Diagnostics;
using DurableTask.Core;
using FairDelegation.Durable.Sqlite;
using Microsoft.DurableTask.Worker;
using Microsoft.DurableTask.Worker.Shims;
using Microsoft.Extensions.Logging.Abstractions;
using CoreTaskActivity = DurableTask.Core.TaskActivity;
using DT = Microsoft.DurableTask;

namespace FairDelegation.Cli.Commands;

/// <summary>
/// `fairdelegation bench engine --backend sqlite`: N orchestrations of 5 sequential no-op activities run by the
/// Durable Task Framework's TaskHubWorker (Microsoft.DurableTask orchestrators through DurableTaskShimFactory, as
/// the node runs them) on the SQLite provider. Work items = orchestration episodes + activity executions.
/// </summary>
public static class SqliteProviderBenchmark
{
    public const int ActivitiesPerOrchestration = 5;

    public sealed record Result(long WorkItems, TimeSpan Elapsed, TimeSpan Cpu, long Commits, long Writes)
    {
        public double CpuMicrosPerItem => Cpu.TotalMicroseconds / WorkItems;
        public double PerSecond => WorkItems / Elapsed.TotalSeconds;
    }

    private sealed class Chain : DT.TaskOrchestrator<int, int>
    {
        public override async Task<int> RunAsync(DT.TaskOrchestrationContext context, int input)
        {
            for (var i = 0; i < ActivitiesPerOrchestration; i++) input = await context.CallActivityAsync<int>(nameof(Noop), input);
            return input;
        }
    }

    private sealed class Noop : DT.TaskActivity<int, int>
    {
        public override Task<int> RunAsync(DT.TaskActivityContext context, int input) => Task.FromResult(input + 1);
    }

    /// <summary>Schedules every instance first, then starts the worker and times it until all are done.</summary>
    public static async Task<Result> RunAsync(int n, string databasePath, CancellationToken ct)
    {
        var service = new SqliteOrchestrationService(new SqliteOrchestrationServiceSettings { DatabasePath = databasePath });
        await using var _ = service;
        await service.CreateIfNotExistsAsync();
        var client = new TaskHubClient(service, loggerFactory: NullLoggerFactory.Instance);
        for (var i = 0; i < n; i++) await client.CreateOrchestrationInstanceAsync(nameof(Chain), "", $"bench-{i}", i);

        var shims = new DurableTaskShimFactory(new DurableTaskWorkerOptions(), NullLoggerFactory.Instance);
        using var worker = new TaskHubWorker(service,
            new Catalog<TaskOrchestration>(name => name == nameof(Chain) ? shims.CreateOrchestration(new DT.TaskName(name), new Chain(), null) : null),
            new Catalog<CoreTaskActivity>(name => name == nameof(Noop) ? shims.CreateActivity(new DT.TaskName(name), new Noop()) : null),
            NullLoggerFactory.Instance)
        { ErrorPropagationMode = ErrorPropagationMode.UseFailureDetails };
        var target = (long)n * (ActivitiesPerOrchestration + 1);
        var (commits0, writes0) = service.WriterStatistics;
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        await worker.StartAsync();
        while (service.EpisodesCompleted < target)
        {
            if (sw.Elapsed > TimeSpan.FromMinutes(10)) throw new TimeoutException("the engine benchmark did not finish in 10 minutes");
            await Task.Delay(5, ct);
        }
        sw.Stop();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu0;
        var (commits1, writes1) = service.WriterStatistics;
        var items = service.EpisodesCompleted + service.ActivitiesCompleted;
        await worker.StopAsync(isForced: true);
        // Check the result, not just the counters.
        var done = 0;
        string? token = null;
        do
        {
            var page = await service.GetOrchestrationWithQueryAsync(new DurableTask.Core.Query.OrchestrationQuery
            {
                RuntimeStatus = [OrchestrationStatus.Completed], PageSize = 1000, ContinuationToken = token, FetchInputsAndOutputs = false,
            }, ct);
            done += page.OrchestrationState.Count;
            token = page.ContinuationToken;
        } while (token is not null);
        if (done != n) throw new InvalidOperationException($"only {done} of {n} orchestrations completed");
        return new Result(items, sw.Elapsed, cpu, commits1 - commits0, writes1 - writes0);
    }

    private sealed class Catalog<T>(Func<string, T?> create) : INameVersionObjectManager<T> where T : class
    {
        public void Add(ObjectCreator<T> creator) => throw new NotSupportedException();
        public T? GetObject(string name, string? version) => create(name);
    }
}
