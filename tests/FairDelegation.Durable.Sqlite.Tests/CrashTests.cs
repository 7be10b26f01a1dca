using System.Diagnostics;
using DurableTask.Core;
using FairDelegation.Durable.Sqlite.TestWorker;

namespace FairDelegation.Durable.Sqlite.Tests;

/// <summary>
/// A worker in a child process killed with SIGKILL while every instance is inside an activity (the previous steps
/// saved); a new worker process on the same file takes the work once the lease runs out and completes every
/// instance, and every side effect, keyed by its idempotency key, happens once.
/// </summary>
public sealed class CrashTests : IAsyncLifetime
{
    private const int Instances = 4;
    private const int LeaseMs = 3000; // quick takeover, still long enough for a loaded machine
    private readonly string _dir = Directory.CreateTempSubdirectory("fd-sqlite-crash-").FullName;
    private string Db => Path.Combine(_dir, "taskhub.db");
    private readonly List<Process> _workers = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        foreach (var p in _workers) { try { if (!p.HasExited) p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } p.Dispose(); }
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }

    private async Task<Process> StartWorkerAsync()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "FairDelegation.Durable.Sqlite.TestWorker.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll); psi.ArgumentList.Add(Db); psi.ArgumentList.Add(LeaseMs.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var p = Process.Start(psi)!;
        _workers.Add(p);
        p.ErrorDataReceived += (_, _) => { };
        p.BeginErrorReadLine();
        var line = await p.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
        line.Should().Be("ready", "the worker process should start");
        return p;
    }

    private static void KillHard(Process p)
    {
        // kill -9: no graceful stop, no lock released, no episode saved.
        Process.Start("kill", ["-9", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
        p.WaitForExit(30_000).Should().BeTrue();
    }

    [Fact]
    public async Task Killed_inside_an_activity_then_a_new_worker_completes_every_instance_with_each_effect_once()
    {
        await using var client = await TestTaskHub.StartAsync(new SqliteOrchestrationServiceSettings { DatabasePath = Db }, new TestTasks(), startWorker: false);
        var first = await StartWorkerAsync();
        var instances = new List<OrchestrationInstance>();
        for (var i = 0; i < Instances; i++)
            instances.Add(await client.Client.CreateOrchestrationInstanceAsync(nameof(CrashWorkflow), "", $"crash-{i}", _dir));

        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (Directory.GetFiles(_dir, "started-*").Length < Instances)
        {
            DateTime.UtcNow.Should().BeBefore(deadline, "every instance should reach step 2 in the first worker");
            first.HasExited.Should().BeFalse();
            await Task.Delay(20);
        }
        KillHard(first);
        foreach (var instance in instances)
            (await client.Client.GetOrchestrationStateAsync(instance.InstanceId))!.OrchestrationStatus.Should().Be(OrchestrationStatus.Running);
        await File.WriteAllTextAsync(Path.Combine(_dir, "gate"), "");
        await StartWorkerAsync();

        foreach (var instance in instances)
        {
            var state = await client.Client.WaitForOrchestrationAsync(instance, TimeSpan.FromSeconds(120));
            state.Should().NotBeNull();
            state.OrchestrationStatus.Should().Be(OrchestrationStatus.Completed);
            state.Output.Should().Be("10");
        }
        var runs = CountRuns(_dir);
        foreach (var instance in instances)
        {
            for (var step = 0; step < 5; step++)
            {
                var key = $"{instance.InstanceId}.{step}";
                runs[key].Should().Be(step == 2 ? 2 : 1, step == 2 ? "step 2 was running when the worker died, so it ran again" : "a saved result is never run again");
                File.ReadAllBytes(Path.Combine(_dir, key + ".effect")).Should().Equal(BitConverter.GetBytes(step), "the effect happened once, keyed by the idempotency key");
            }
        }
        Directory.GetFiles(_dir, "*.effect").Should().HaveCount(Instances * 5);
    }

    /// <summary>Runs per activity key, from the run.{key}.{pid}.{guid} markers each run leaves.</summary>
    private static Dictionary<string, int> CountRuns(string dir) =>
        Directory.GetFiles(dir, "run.*").Select(f => Path.GetFileName(f)).Select(n => n[4..n.LastIndexOf('.', n.LastIndexOf('.') - 1)])
            .GroupBy(k => k).ToDictionary(g => g.Key, g => g.Count());
}
