using Microsoft.Extensions.DependencyInjection;

namespace FairDelegation.Durable.Worker;

/// <summary>
/// The orchestrators and activities a worker can run, by name (the class name unless given). Instances are
/// created from DI in a scope per execution, so constructors may take any registered service.
/// </summary>
public sealed class DurableTaskRegistry
{
    private readonly Dictionary<string, Func<IServiceProvider, ITaskOrchestrator>> _orchestrators = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Func<IServiceProvider, ITaskActivity>> _activities = new(StringComparer.OrdinalIgnoreCase);

    public DurableTaskRegistry AddOrchestrator<TOrchestrator>() where TOrchestrator : class, ITaskOrchestrator =>
        AddOrchestrator<TOrchestrator>(typeof(TOrchestrator).Name);

    public DurableTaskRegistry AddOrchestrator<TOrchestrator>(TaskName name) where TOrchestrator : class, ITaskOrchestrator =>
        AddOrchestrator(name, Create<TOrchestrator>());

    public DurableTaskRegistry AddOrchestrator(TaskName name, Func<IServiceProvider, ITaskOrchestrator> factory)
    {
        Add(_orchestrators, name, factory, "orchestrator");
        return this;
    }

    /// <summary>An orchestrator written as a function (handy in tests and small hosts).</summary>
    public DurableTaskRegistry AddOrchestratorFunc<TInput, TOutput>(TaskName name, Func<TaskOrchestrationContext, TInput, Task<TOutput>> run) =>
        AddOrchestrator(name, _ => new FuncOrchestrator<TInput, TOutput>(run));

    public DurableTaskRegistry AddActivity<TActivity>() where TActivity : class, ITaskActivity =>
        AddActivity<TActivity>(typeof(TActivity).Name);

    public DurableTaskRegistry AddActivity<TActivity>(TaskName name) where TActivity : class, ITaskActivity =>
        AddActivity(name, Create<TActivity>());

    public DurableTaskRegistry AddActivity(TaskName name, Func<IServiceProvider, ITaskActivity> factory)
    {
        Add(_activities, name, factory, "activity");
        return this;
    }

    /// <summary>An activity written as a function.</summary>
    public DurableTaskRegistry AddActivityFunc<TInput, TOutput>(TaskName name, Func<TaskActivityContext, TInput, Task<TOutput>> run) =>
        AddActivity(name, _ => new FuncActivity<TInput, TOutput>(run));

    public DurableTaskRegistry AddActivityFunc<TInput, TOutput>(TaskName name, Func<TaskActivityContext, TInput, TOutput> run) =>
        AddActivity(name, _ => new FuncActivity<TInput, TOutput>((c, i) => Task.FromResult(run(c, i))));

    /// <summary>The registered service if any, else a new instance with constructor injection (factory compiled once).</summary>
    private static Func<IServiceProvider, T> Create<T>() where T : class
    {
        var factory = new Lazy<ObjectFactory>(() => ActivatorUtilities.CreateFactory(typeof(T), Type.EmptyTypes));
        return sp => sp.GetService<T>() ?? (T)factory.Value(sp, null);
    }

    internal bool TryGetOrchestrator(string name, out Func<IServiceProvider, ITaskOrchestrator> factory) =>
        _orchestrators.TryGetValue(name, out factory!);

    internal bool TryGetActivity(string name, out Func<IServiceProvider, ITaskActivity> factory) =>
        _activities.TryGetValue(name, out factory!);

    private static void Add<T>(Dictionary<string, T> map, TaskName name, T factory, string kind)
    {
        if (string.IsNullOrWhiteSpace(name.Name)) throw new ArgumentException($"an {kind} needs a name", nameof(name));
        if (!map.TryAdd(name.Name, factory)) throw new ArgumentException($"an {kind} named '{name}' is already registered", nameof(name));
    }

    private sealed class FuncOrchestrator<TInput, TOutput>(Func<TaskOrchestrationContext, TInput, Task<TOutput>> run) : TaskOrchestrator<TInput, TOutput>
    {
        public override Task<TOutput> RunAsync(TaskOrchestrationContext context, TInput input) => run(context, input);
    }

    private sealed class FuncActivity<TInput, TOutput>(Func<TaskActivityContext, TInput, Task<TOutput>> run) : TaskActivity<TInput, TOutput>
    {
        public override Task<TOutput> RunAsync(TaskActivityContext context, TInput input) => run(context, input);
    }
}
