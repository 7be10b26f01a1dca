using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FairDelegation.Workflows;

public static class WorkflowServiceCollectionExtensions
{
    /// <summary>
    /// The Durable Task stack in the generic host: the backend of <paramref name="options"/>, the shared
    /// <see cref="DurableJson.Converter"/>, a <see cref="DurableTaskClient"/> (<see cref="TaskHubDurableTaskClient"/>),
    /// and, unless <paramref name="runWorker"/> is false (a client-only process), the SDK's registry with
    /// <paramref name="tasks"/> run by <see cref="TaskHubWorkerHost"/> as a hosted service.
    /// </summary>
    public static IServiceCollection AddDurableWorkflows(this IServiceCollection services, DurableOptions options,
        Action<DurableTaskRegistry> tasks, Func<string, string>? dataPath = null, bool runWorker = true)
    {
        services.TryAddSingleton(DurableJson.Converter);
        DurableBackend.Add(services, options, dataPath);
        services.AddDurableTaskClient(b => b.UseBuildTarget<TaskHubDurableTaskClient>());
        if (runWorker)
            services.AddDurableTaskWorker(b =>
            {
                b.AddTasks(tasks);
                b.UseBuildTarget<TaskHubWorkerHost>();
            });
        return services;
    }
}
