using DurableTask.AzureStorage;
using DurableTask.Core;
using DurableTask.Core.Query;
using FairDelegation.Durable.Sqlite;
using Microsoft.DurableTask.Testing.Sidecar;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FairDelegation.Workflows;

/// <summary>
/// The seam between the workflows and their storage. A backend is one object that is the framework's
/// <see cref="IOrchestrationService"/> (what <see cref="TaskHubWorkerHost"/> runs on) and
/// <see cref="IOrchestrationServiceClient"/> (what <see cref="TaskHubDurableTaskClient"/> talks to), plus
/// <see cref="IOrchestrationServiceQueryClient"/> and <see cref="IOrchestrationServicePurgeClient"/> for queries and
/// purge. <see cref="Add"/> registers the one that <see cref="DurableOptions.Backend"/> names as singletons of those
/// interfaces; nothing else in the node knows which backend runs.
/// </summary>
public static class DurableBackend
{
    public const string Sqlite = "sqlite";
    public const string AzureStorage = "azure-storage";
    public const string InMemory = "in-memory";

    /// <summary>The backend when none is configured: the embedded one.</summary>
    public const string Default = Sqlite;

    public static readonly IReadOnlyList<string> Names = [Sqlite, AzureStorage, InMemory];

    /// <summary>Registers the configured backend. <paramref name="dataPath"/> resolves a relative file path (sqlite).</summary>
    public static IServiceCollection Add(IServiceCollection services, DurableOptions options, Func<string, string>? dataPath = null)
    {
        dataPath ??= p => p;
        switch (options.Backend.Trim().ToLowerInvariant())
        {
            case AzureStorage:
                AddService(services, sp => CreateAzureStorage(options.AzureStorage, sp.GetService<ILoggerFactory>()));
                break;
            case InMemory:
                AddService(services, sp => new InMemoryOrchestrationService(sp.GetService<ILoggerFactory>()));
                break;
            case Sqlite:
                AddService(services, sp => new SqliteOrchestrationService(new SqliteOrchestrationServiceSettings
                {
                    DatabasePath = dataPath(options.Sqlite.Path),
                    WorkItemLockTimeout = options.Sqlite.LockTimeout,
                    SynchronousFull = options.Sqlite.SynchronousFull,
                }, sp.GetService<ILogger<SqliteOrchestrationService>>()));
                break;
            default:
                throw new InvalidOperationException(
                    $"Durable:Backend '{options.Backend}' is not a backend: use one of {string.Join(", ", Names)}");
        }
        return services;
    }

    /// <summary>Registers one object that implements the service and client interfaces under each of them.</summary>
    public static void AddService<T>(IServiceCollection services, Func<IServiceProvider, T> create)
        where T : class, IOrchestrationService, IOrchestrationServiceClient
    {
        services.AddSingleton(create);
        services.AddSingleton<IOrchestrationService>(sp => sp.GetRequiredService<T>());
        services.AddSingleton<IOrchestrationServiceClient>(sp => sp.GetRequiredService<T>());
        if (typeof(IOrchestrationServiceQueryClient).IsAssignableFrom(typeof(T)))
            services.AddSingleton(sp => (IOrchestrationServiceQueryClient)sp.GetRequiredService<T>());
        if (typeof(IOrchestrationServicePurgeClient).IsAssignableFrom(typeof(T)))
            services.AddSingleton(sp => (IOrchestrationServicePurgeClient)sp.GetRequiredService<T>());
    }

    /// <summary>The Azure Storage provider for <paramref name="o"/>: a connection string, or an account name with DefaultAzureCredential.</summary>
    public static AzureStorageOrchestrationService CreateAzureStorage(AzureStorageBackendOptions o, ILoggerFactory? loggerFactory)
    {
        StorageAccountClientProvider account;
        if (!string.IsNullOrWhiteSpace(o.AccountName))
            account = new StorageAccountClientProvider(o.AccountName, new Azure.Identity.DefaultAzureCredential());
        else
            account = new StorageAccountClientProvider(string.IsNullOrWhiteSpace(o.ConnectionString) ? "UseDevelopmentStorage=true" : o.ConnectionString);
        if (o.PartitionCount is < 1 or > 16)
            throw new InvalidOperationException($"Durable:AzureStorage:PartitionCount must be 1-16, not {o.PartitionCount}");
        var settings = new AzureStorageOrchestrationServiceSettings
        {
            StorageAccountClientProvider = account,
            TaskHubName = o.TaskHubName,
            PartitionCount = o.PartitionCount,
            MaxQueuePollingInterval = o.MaxQueuePollingInterval,
            MaxConcurrentTaskOrchestrationWorkItems = o.MaxConcurrentOrchestrations,
            MaxConcurrentTaskActivityWorkItems = o.MaxConcurrentActivities,
            WorkerId = o.WorkerId ?? $"{Environment.MachineName}:{Environment.ProcessId}",
            WorkItemQueueVisibilityTimeout = o.VisibilityTimeout,
            ControlQueueVisibilityTimeout = o.VisibilityTimeout,
            LeaseInterval = o.LeaseInterval,
            LeaseRenewInterval = o.LeaseInterval / 3,
            LeaseAcquireInterval = o.LeaseInterval / 3,
        };
        if (loggerFactory is not null) settings.LoggerFactory = loggerFactory;
        return new AzureStorageOrchestrationService(settings);
    }
}
