using FairDelegation.Durable;
using FairDelegation.Durable.Client;
using FairDelegation.Durable.Stores;
using FairDelegation.Durable.Worker;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registration of the durable engine: store, client, registry and (unless disabled) the worker.</summary>
public static class DurableTaskServiceCollectionExtensions
{
    /// <summary>
    /// services.AddDurableTask(b => { b.AddTasks(r => { r.AddOrchestrator&lt;T&gt;(); r.AddActivity&lt;T&gt;(); }); b.UseSqlite(cs); });
    /// registers <see cref="DurableTaskClient"/>, <see cref="IOrchestrationStore"/> and the worker as a hosted service.
    /// </summary>
    public static IServiceCollection AddDurableTask(this IServiceCollection services, Action<DurableTaskBuilder> configure)
    {
        var registry = new DurableTaskRegistry();
        var builder = new DurableTaskBuilder(services, registry);
        services.AddOptions<DurableTaskOptions>();
        configure(builder);
        var storeFactory = builder.StoreFactory
            ?? throw new InvalidOperationException("AddDurableTask needs a store: call b.UseSqlite(connectionString) or b.UsePostgres(connectionString)");
        services.AddSingleton(registry);
        services.AddSingleton(storeFactory);
        services.AddSingleton<DurableTaskClient>();
        services.AddSingleton<DurableTaskWorker>();
        services.AddSingleton<IHostedService>(sp =>
            sp.GetRequiredService<IOptions<DurableTaskOptions>>().Value.RunWorker
                ? sp.GetRequiredService<DurableTaskWorker>()
                : new NoWorker());
        return services;
    }

    private sealed class NoWorker : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
