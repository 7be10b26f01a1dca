using DurableTask.Core;
using FairDelegation.Durable.Sqlite;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Worker;
using Microsoft.DurableTask.Worker.Shims;
using Microsoft.Extensions.Logging.Abstractions;
using CoreTaskActivity = DurableTask.Core.TaskActivity;

namespace FairDelegation.Durable.Sqlite.TestWorker;

/// <summary>Orchestrators and activities by name; each work item gets a fresh object.</summary>
public sealed class TestTasks
{
    public Dictionary<string, Func<ITaskOrchestrator>> Orchestrators { get; } = new();
    public Dictionary<string, Func<ITaskActivity>> Activities { get; } = new();

    public TestTasks Orchestrator<T>() where T : ITaskOrchestrator, new() { Orchestrators[typeof(T).Name] = () => new T(); return this; }
    public TestTasks Activity<T>() where T : ITaskActivity, new() { Activities[typeof(T).Name] = () => new T(); return this; }
    public TestTasks Activity(string name, Func<ITaskActivity> create) { Activities[name] = create; return this; }
}

/// <summary>
/// A task hub on the SQLite provider as the node runs it: the framework's TaskHubWorker with Microsoft.DurableTask
/// orchestrators/activities through DurableTaskShimFactory, failure details propagated, and a TaskHubClient.
/// </summary>
public sealed class TestTaskHub : IAsyncDisposable
{
    private TestTaskHub(SqliteOrchestrationService service, TaskHubWorker? worker)
    {
        Service = service;
        Worker = worker;
        Client = new TaskHubClient(service, loggerFactory: NullLoggerFactory.Instance);
    }

    public SqliteOrchestrationService Service { get; }
    public TaskHubWorker? Worker { get; }
    public TaskHubClient Client { get; }

    public static async Task<TestTaskHub> StartAsync(SqliteOrchestrationServiceSettings settings, TestTasks tasks, bool startWorker = true)
    {
        var service = new SqliteOrchestrationService(settings);
        await service.CreateIfNotExistsAsync();
        TaskHubWorker? worker = null;
        if (startWorker)
        {
            var shims = new DurableTaskShimFactory(new DurableTaskWorkerOptions(), NullLoggerFactory.Instance);
            worker = new TaskHubWorker(service,
                new Catalog<TaskOrchestration>(n => tasks.Orchestrators.TryGetValue(n, out var o) ? shims.CreateOrchestration(new TaskName(n), o(), null) : null),
                new Catalog<CoreTaskActivity>(n => tasks.Activities.TryGetValue(n, out var a) ? shims.CreateActivity(new TaskName(n), a()) : null),
                NullLoggerFactory.Instance)
            {
                ErrorPropagationMode = ErrorPropagationMode.UseFailureDetails,
            };
            await worker.StartAsync();
        }
        return new TestTaskHub(service, worker);
    }

    private bool _disposed;

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        if (Worker is not null)
        {
            await Worker.StopAsync(isForced: true);
            Worker.Dispose();
        }
        await Service.DisposeAsync();
    }

    private sealed class Catalog<T>(Func<string, T?> create) : INameVersionObjectManager<T> where T : class
    {
        public void Add(ObjectCreator<T> creator) => throw new NotSupportedException();
        public T? GetObject(string name, string? version) => create(name);
    }
}
