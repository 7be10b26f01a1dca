using FairDelegation.Durable.Stores;
using FairDelegation.Durable.Stores.Postgres;
using FairDelegation.Durable.Stores.Sqlite;
using FairDelegation.Durable.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace FairDelegation.Durable;

/// <summary>Configures the engine inside <c>services.AddDurableTask(b => ...)</c>: tasks, store, options.</summary>
public sealed class DurableTaskBuilder(IServiceCollection services, DurableTaskRegistry registry)
{
    public IServiceCollection Services { get; } = services;

    internal Func<IServiceProvider, IOrchestrationStore>? StoreFactory { get; private set; }

    /// <summary>Registers orchestrators and activities.</summary>
    public DurableTaskBuilder AddTasks(Action<DurableTaskRegistry> configure)
    {
        configure(registry);
        return this;
    }

    /// <summary>The embedded store: one SQLite file (e.g. "Data Source=/var/lib/fd/durable.db").</summary>
    public DurableTaskBuilder UseSqlite(string connectionString, bool synchronousFull = false)
    {
        _ = new SqliteOrchestrationStore(connectionString, synchronousFull); // validates now, not at first use
        return UseStore(_ => new SqliteOrchestrationStore(connectionString, synchronousFull));
    }

    /// <summary>The shared store: a PostgreSQL database several workers on several machines use at once.</summary>
    public DurableTaskBuilder UsePostgres(string connectionString, string schema = PostgresOrchestrationStore.DefaultSchema) =>
        UseStore(_ => new PostgresOrchestrationStore(connectionString, schema));

    public DurableTaskBuilder UseStore(Func<IServiceProvider, IOrchestrationStore> factory)
    {
        StoreFactory = factory;
        return this;
    }

    public DurableTaskBuilder Configure(Action<DurableTaskOptions> configure)
    {
        Services.Configure(configure);
        return this;
    }
}
