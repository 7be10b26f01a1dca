namespace FairDelegation.Durable.Sqlite;

/// <summary>How the SQLite provider stores its task hub and hands out work.</summary>
public sealed class SqliteOrchestrationServiceSettings
{
    /// <summary>The database file (created with its folder when missing). One file holds one task hub.</summary>
    public required string DatabasePath { get; init; }

    /// <summary>
    /// How long a locked orchestration episode or activity stays owned by a worker without a renewal. After a crash
    /// (kill -9) another worker takes the work once this runs out, so it bounds recovery time.
    /// </summary>
    public TimeSpan WorkItemLockTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often an idle dispatcher looks at the file for work that another process enqueued. Work enqueued by this
    /// process wakes its dispatchers at once; this only bounds the delay for other processes.
    /// </summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Orchestration episodes run at once by this process.</summary>
    public int MaxConcurrentOrchestrations { get; init; } = Math.Max(32, Environment.ProcessorCount * 16);

    /// <summary>Activities run at once by this process.</summary>
    public int MaxConcurrentActivities { get; init; } = Math.Max(64, Environment.ProcessorCount * 32);

    /// <summary>
    /// PRAGMA synchronous=FULL (a commit survives power loss) instead of NORMAL (a commit survives a process crash,
    /// which is what kill -9 tests; WAL keeps the file consistent either way).
    /// </summary>
    public bool SynchronousFull { get; init; }
}
