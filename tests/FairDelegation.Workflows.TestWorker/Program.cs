using FairDelegation.Workflows;
using FairDelegation.Workflows.TestWorker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// Usage: TestWorker azure-storage <connection string> <task hub> | sqlite <file>. Runs a worker until killed; prints "ready".
var options = args switch
{
    [DurableBackend.AzureStorage, var cs, var hub] => new DurableOptions
    {
        Backend = DurableBackend.AzureStorage,
        AzureStorage = new AzureStorageBackendOptions
        {
            ConnectionString = cs, TaskHubName = hub, PartitionCount = 4,
            MaxQueuePollingInterval = TimeSpan.FromMilliseconds(200),
            // A killed worker's partitions and messages come back within seconds.
            LeaseInterval = TimeSpan.FromSeconds(6), VisibilityTimeout = TimeSpan.FromSeconds(10),
        },
    },
    [DurableBackend.Sqlite, var file] => new DurableOptions { Backend = DurableBackend.Sqlite, Sqlite = { Path = file, LockTimeout = TimeSpan.FromSeconds(3) } },
    _ => null,
};
if (options is null)
{
    Console.Error.WriteLine("usage: FairDelegation.Workflows.TestWorker azure-storage <connection string> <task hub> | sqlite <file>");
    return 2;
}
var builder = Host.CreateApplicationBuilder();
builder.Logging.ClearProviders();
builder.Services.AddDurableWorkflows(options, r => r.AddOrchestrator<CrashFlow>().AddActivity<SideEffect>());
var host = builder.Build();
await host.StartAsync();
Console.WriteLine("ready");
await Task.Delay(Timeout.Infinite);
return 0;
