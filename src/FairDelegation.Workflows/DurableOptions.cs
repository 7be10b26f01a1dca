namespace FairDelegation.Workflows;

/// <summary>
/// Which backend stores the task hub ("Durable" section; in a node "FairDelegation:Durable"). See docs/durable.md.
/// </summary>
public sealed class DurableOptions
{
    public const string SectionName = "Durable";

    /// <summary><c>sqlite</c> (embedded, one file), <c>azure-storage</c> (scale-out), or <c>in-memory</c> (tests only: nothing survives the process).</summary>
    public string Backend { get; set; } = DurableBackend.Default;

    /// <summary>The sqlite backend's settings.</summary>
    public SqliteBackendOptions Sqlite { get; set; } = new();

    /// <summary>The azure-storage backend's settings.</summary>
    public AzureStorageBackendOptions AzureStorage { get; set; } = new();
}

/// <summary>The embedded backend: one SQLite file (FairDelegation.Durable.Sqlite, docs/durable-sqlite.md).</summary>
public sealed class SqliteBackendOptions
{
    /// <summary>The database file; a relative path is under the node's data directory.</summary>
    public string Path { get; set; } = "durable.db";

    /// <summary>How long a killed worker's episode or activity stays locked before a worker (this node restarted) takes it.</summary>
    public TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>PRAGMA synchronous=FULL: commits survive power loss, not only a process crash (slower).</summary>
    public bool SynchronousFull { get; set; }
}

/// <summary>
/// Microsoft.Azure.DurableTask.AzureStorage: queues, tables and blobs of one storage account (Azurite locally).
/// Defaults are for one machine; see docs/durable.md for a real account.
/// </summary>
public sealed class AzureStorageBackendOptions
{
    /// <summary>A storage connection string (Azurite: <c>UseDevelopmentStorage=true</c> or explicit endpoints).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Instead of a connection string: the account name, signed in with Azure.Identity's DefaultAzureCredential.</summary>
    public string? AccountName { get; set; }

    /// <summary>The task hub (prefix of the queues and tables); workers that share it share the work.</summary>
    public string TaskHubName { get; set; } = "fairdelegation";

    /// <summary>Control-queue partitions (1-16): the most workers that can share orchestrations. Fixed once the hub exists.</summary>
    public int PartitionCount { get; set; } = 4;

    /// <summary>The longest pause between polls of an empty queue (the framework's default is 30 s; lower reacts faster, costs more transactions).</summary>
    public TimeSpan MaxQueuePollingInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Orchestration work items one worker runs at once.</summary>
    public int MaxConcurrentOrchestrations { get; set; } = 16;

    /// <summary>Activities one worker runs at once.</summary>
    public int MaxConcurrentActivities { get; set; } = 16;

    /// <summary>
    /// How long a dequeued message stays hidden from other workers (the framework renews it while an activity runs). After a
    /// worker dies its work items come back after this; the framework's default is 5 minutes.
    /// </summary>
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// A partition lease's length: after a worker dies, another takes its partitions over within about this. Renewed and
    /// re-acquired every third of it.
    /// </summary>
    public TimeSpan LeaseInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>This worker's name in partition leases (default machine name and process id).</summary>
    public string? WorkerId { get; set; }
}
