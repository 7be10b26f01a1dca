using DurableTask.Core;
using FairDelegation.Durable.Sqlite.TestWorker;

namespace FairDelegation.Durable.Sqlite.Tests;

/// <summary>A fresh task hub file in a temporary folder, with every test orchestration registered.</summary>
public sealed class TaskHubFixture : IAsyncDisposable
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("fd-sqlite-").FullName;
    public string DatabasePath => Path.Combine(Dir, "taskhub.db");
    public TestTaskHub Hub { get; private set; } = null!;
    public TaskHubClient Client => Hub.Client;
    public SqliteOrchestrationService Service => Hub.Service;

    public static TestTasks AllTasks() => new TestTasks()
        .Orchestrator<Sequence>().Orchestrator<Sleep>().Orchestrator<LateWait>().Orchestrator<WaitWithTimeout>()
        .Orchestrator<WaitForever>().Orchestrator<RetriesExhausted>().Orchestrator<ChangesItsMind>()
        .Orchestrator<CountsOnAsNew>().Orchestrator<Parent>()
        .Activity<Append>().Activity<AlwaysFails>().Activity("OtherStep", () => new Append());

    public static async Task<TaskHubFixture> StartAsync()
    {
        var f = new TaskHubFixture();
        f.Hub = await TestTaskHub.StartAsync(new SqliteOrchestrationServiceSettings { DatabasePath = f.DatabasePath }, AllTasks());
        return f;
    }

    public Task<OrchestrationInstance> StartAsync(string name, object? input, string? instanceId = null) =>
        Client.CreateOrchestrationInstanceAsync(name, "", instanceId ?? Guid.NewGuid().ToString("N"), input);

    public async Task<OrchestrationState> WaitAsync(OrchestrationInstance instance, int seconds = 60)
    {
        var state = await Client.WaitForOrchestrationAsync(instance, TimeSpan.FromSeconds(seconds));
        state.Should().NotBeNull($"{instance.InstanceId} should finish within {seconds} s");
        return state;
    }

    /// <summary>Polls a condition (status, custom status) until it holds: tests wait on conditions, never on sleeps.</summary>
    public async Task<OrchestrationState> WaitForStateAsync(string instanceId, Func<OrchestrationState, bool> condition, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var s = await Client.GetOrchestrationStateAsync(instanceId);
            if (s is not null && condition(s)) return s;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{instanceId}: condition not met within {seconds} s (last: {s?.OrchestrationStatus} '{s?.Status}')");
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Hub is not null) await Hub.DisposeAsync();
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }
}
