using DurableTask.Core;

namespace FairDelegation.Durable.Sqlite;

/// <summary>An orchestration episode locked by this process: which messages it consumes and the lock it holds.</summary>
internal sealed class SqliteOrchestrationWorkItem : TaskOrchestrationWorkItem
{
    public required string LockToken { get; init; }
    public required long[] MessageIds { get; init; }
    /// <summary>Set once the episode's commit released the lock, so Release has nothing left to do.</summary>
    public bool Released { get; set; }
}

/// <summary>An activity locked by this process.</summary>
internal sealed class SqliteActivityWorkItem : TaskActivityWorkItem
{
    public required string LockToken { get; init; }
    public required long TaskId { get; init; }
    /// <summary>1 once the item completed or was abandoned (its dispatcher slot is free again).</summary>
    public int FinishedFlag;
}
