using DurableTask.Core;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Worker;
using Microsoft.DurableTask.Worker.Hosting;
using Microsoft.DurableTask.Worker.Shims;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using CoreTaskActivity = DurableTask.Core.TaskActivity;

namespace FairDelegation.Workflows;

/// <summary>
/// Runs the orchestrators and activities registered with <c>AddDurableTaskWorker(b => b.AddTasks(...))</c> in the
/// Durable Task Framework's <see cref="TaskHubWorker"/> over the configured <see cref="IOrchestrationService"/>
/// (the backend), with no gRPC sidecar: each work item asks the SDK's registry for a fresh orchestrator or activity
/// (constructor injection from the host's services) and wraps it with <see cref="DurableTaskShimFactory"/>. The
/// framework does replay, dispatch, retries and timers; failures travel as failure details, so an orchestrator sees
/// <see cref="TaskFailedException"/> with the activity's error type and message.
/// </summary>
public sealed class TaskHubWorkerHost : DurableTaskWorker
{
    private readonly IOrchestrationService _service;
    private readonly IServiceProvider _services;
    private readonly ILoggerFactory _loggerFactory;
    private readonly DurableTaskShimFactory _shims;
    private TaskHubWorker? _worker;

    public TaskHubWorkerHost(string? name, IDurableTaskFactory factory, IOrchestrationService service,
        IOptionsMonitor<DurableTaskWorkerOptions> options, IServiceProvider services, ILoggerFactory loggerFactory)
        : base(name, factory)
    {
        _service = service;
        _services = services;
        _loggerFactory = loggerFactory;
        _shims = new DurableTaskShimFactory(options.Get(Name), loggerFactory);
    }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Create the backend's tables/queues first, so the worker's first poll finds them (idempotent).
        await _service.CreateIfNotExistsAsync().WaitAsync(cancellationToken);
        _worker = new TaskHubWorker(_service,
            new ShimCatalog<TaskOrchestration>(CreateOrchestration),
            new ShimCatalog<CoreTaskActivity>(CreateActivity),
            _loggerFactory)
        {
            ErrorPropagationMode = ErrorPropagationMode.UseFailureDetails,
        };
        foreach (var m in _services.GetServices<ActivityMiddleware>()) _worker.AddActivityDispatcherMiddleware(m.Invoke);
        await _worker.StartAsync().WaitAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        // Once: a host stopped twice (a test that stops a node early, then disposes it) must not stop the worker again.
        var worker = Interlocked.Exchange(ref _worker, null);
        if (worker is null) return;
        try
        {
            // Graceful: running work items finish and are saved; past the host's shutdown timeout they are abandoned,
            // and the backend hands them to a worker again (activities run at least once).
            await worker.StopAsync(isForced: false).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            await worker.StopAsync(isForced: true);
        }
        finally
        {
            worker.Dispose();
        }
    }

    public override void Dispose()
    {
        Interlocked.Exchange(ref _worker, null)?.Dispose();
        base.Dispose();
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.CompletedTask;

    private TaskOrchestration? CreateOrchestration(string name) =>
        Factory.TryCreateOrchestrator(new TaskName(name), _services, out var orchestrator)
            ? _shims.CreateOrchestration(new TaskName(name), orchestrator)
            : null; // the framework fails the instance with "orchestration not found"

    private CoreTaskActivity? CreateActivity(string name) =>
        Factory.TryCreateActivity(new TaskName(name), _services, out var activity)
            ? _shims.CreateActivity(new TaskName(name), activity)
            : null;

    /// <summary>Hands the framework a new shim per work item; registration happens in the SDK's registry instead.</summary>
    private sealed class ShimCatalog<T>(Func<string, T?> create) : INameVersionObjectManager<T> where T : class
    {
        public void Add(ObjectCreator<T> creator) =>
            throw new NotSupportedException("register orchestrators and activities with AddDurableTaskWorker(b => b.AddTasks(...))");

        public T? GetObject(string name, string? version) => create(name);
    }
}
