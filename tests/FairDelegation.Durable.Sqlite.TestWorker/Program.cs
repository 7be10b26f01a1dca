using FairDelegation.Durable.Sqlite;
using FairDelegation.Durable.Sqlite.TestWorker;

// Usage: TestWorker <database file> <lock timeout ms>. Runs a worker until killed; prints "ready" once started.
if (args.Length != 2 || !int.TryParse(args[1], out var lockMs) || lockMs <= 0)
{
    Console.Error.WriteLine("usage: FairDelegation.Durable.Sqlite.TestWorker <database file> <lock timeout ms>");
    return 2;
}
var tasks = new TestTasks().Orchestrator<CrashWorkflow>().Activity<RecordEffect>();
await using var hub = await TestTaskHub.StartAsync(new SqliteOrchestrationServiceSettings
{
    DatabasePath = args[0],
    WorkItemLockTimeout = TimeSpan.FromMilliseconds(lockMs),
}, tasks);
Console.WriteLine("ready");
await Task.Delay(Timeout.Infinite);
return 0;
