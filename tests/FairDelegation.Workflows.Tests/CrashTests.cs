using System.Diagnostics;
using FairDelegation.Testing;
using FairDelegation.Workflows.TestWorker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FairDelegation.Workflows.Tests;

/// <summary>
/// Two worker processes on one task hub; one is killed with SIGKILL while activities it runs wait at a gate (earlier
/// steps saved). The other takes over (after the backend's lease / visibility timeout) and every instance completes;
/// every side effect, keyed by (instance, step), happens once, although the interrupted activities ran twice.
/// </summary>
public abstract class CrashTests : IAsyncLifetime
{
    private const int Instances = 8;
    protected readonly string Dir = Directory.CreateTempSubdirectory("fd-workflows-crash-").FullName;
    private readonly List<Process> _workers = [];

    /// <summary>The backend's arguments for the worker process (see its Program.cs) and the matching options.</summary>
    protected abstract (string[] Args, DurableOptions Options) Backend();

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual Task DisposeAsync()
    {
        foreach (var p in _workers) { try { if (!p.HasExited) p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } p.Dispose(); }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }

    private async Task<Process> StartWorkerAsync(string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "FairDelegation.Workflows.TestWorker.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        var p = Process.Start(psi)!;
        _workers.Add(p);
        p.ErrorDataReceived += (_, _) => { };
        p.BeginErrorReadLine();
        var line = await p.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(90));
        line.Should().Be("ready", "the worker process should start");
        return p;
    }

    [Fact]
    public async Task A_worker_killed_inside_activities_leaves_every_instance_to_the_other_and_each_effect_happens_once()
    {
        var (args, options) = Backend();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddDurableWorkflows(options, _ => { }, runWorker: false);
        var clientHost = builder.Build();
        await using var disposeClient = (IAsyncDisposable)clientHost; // the backends are IAsyncDisposable
        var client = clientHost.Services.GetRequiredService<DurableTaskClient>();
        await clientHost.Services.GetRequiredService<DurableTask.Core.IOrchestrationService>().CreateIfNotExistsAsync();

        var a = await StartWorkerAsync(args);
        var b = await StartWorkerAsync(args);
        var ids = new List<string>();
        for (var i = 0; i < Instances; i++)
            ids.Add(await client.ScheduleNewOrchestrationInstanceAsync(nameof(CrashFlow), Dir, new Microsoft.DurableTask.StartOrchestrationOptions($"crash-{i}")));

        // Wait until every instance is inside step 2 (held at the gate), then kill a worker that holds some of them.
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (Directory.GetFiles(Dir, "started-*").Length < Instances)
        {
            DateTime.UtcNow.Should().BeBefore(deadline, "every instance should reach step 2");
            await Task.Delay(50);
        }
        var holders = Directory.GetFiles(Dir, "started-*").Select(f => int.Parse(File.ReadAllText(f))).ToList();
        var victim = holders.Contains(a.Id) ? a : b;
        Process.Start("kill", ["-9", victim.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
        victim.WaitForExit(30_000).Should().BeTrue();
        var interrupted = holders.Count(h => h == victim.Id);
        interrupted.Should().BeGreaterThan(0);
        await File.WriteAllTextAsync(Path.Combine(Dir, "gate"), "");

        using var wait = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        foreach (var id in ids)
        {
            var done = await client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, wait.Token);
            done.RuntimeStatus.Should().Be(OrchestrationRuntimeStatus.Completed);
            done.ReadOutputAs<int>().Should().Be(0 + 1 + 2 + 3 + 4);
        }
        var runs = CountRuns(Dir);
        foreach (var id in ids)
            for (var step = 0; step < 5; step++)
                File.ReadAllBytes(Path.Combine(Dir, $"{id}.{step}.effect")).Should().Equal(BitConverter.GetBytes(step), "each effect happened once");
        Directory.GetFiles(Dir, "*.effect").Should().HaveCount(Instances * 5);
        runs.Where(r => r.Key.EndsWith(".2", StringComparison.Ordinal) && r.Value >= 2).Should().HaveCountGreaterThanOrEqualTo(interrupted,
            "the activities the killed worker was running ran again in the other worker");
    }

    /// <summary>Runs per activity key, from the run.{key}.{pid}.{guid} markers each run leaves.</summary>
    private static Dictionary<string, int> CountRuns(string dir) =>
        Directory.GetFiles(dir, "run.*").Select(f => Path.GetFileName(f)).Select(n => n[4..n.LastIndexOf('.', n.LastIndexOf('.') - 1)])
            .GroupBy(k => k).ToDictionary(g => g.Key, g => g.Count());
}

public sealed class AzureStorageCrashTests(AzuriteFixture fixture) : CrashTests, IClassFixture<AzuriteFixture>
{
    private readonly string _hub = "crash" + Guid.NewGuid().ToString("N")[..12];

    protected override (string[] Args, DurableOptions Options) Backend() =>
        ([DurableBackend.AzureStorage, fixture.Azurite.StorageConnectionString, _hub],
         new DurableOptions { Backend = DurableBackend.AzureStorage, AzureStorage = { ConnectionString = fixture.Azurite.StorageConnectionString, TaskHubName = _hub, PartitionCount = 4 } });
}

public sealed class SqliteCrashTests : CrashTests
{
    protected override (string[] Args, DurableOptions Options) Backend() =>
        ([DurableBackend.Sqlite, Path.Combine(Dir, "durable.db")],
         new DurableOptions { Backend = DurableBackend.Sqlite, Sqlite = { Path = Path.Combine(Dir, "durable.db") } });
}
