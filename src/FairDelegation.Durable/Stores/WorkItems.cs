using FairDelegation.Durable.Client;
using FairDelegation.Durable.History;

namespace FairDelegation.Durable.Stores;

/// <summary>The stored row of an orchestration instance.</summary>
public sealed record InstanceRecord(
    string InstanceId, string Name, OrchestrationRuntimeStatus Status, DateTimeOffset CreatedAt, DateTimeOffset LastUpdatedAt,
    string? Input, string? Output, string? CustomStatus, TaskFailureDetails? Failure);

/// <summary>A new instance: its row and its ExecutionStarted message (visible at StartAt).</summary>
public sealed record NewInstance(string InstanceId, string Name, string? Input, DateTimeOffset CreatedAt, DateTimeOffset StartAt);

/// <summary>
/// A message waiting for an instance: it becomes history when an episode consumes it. Generation is the
/// execution it belongs to (activity results, timers), null for external events.
/// </summary>
public sealed record InboundMessage(long Id, int? Generation, HistoryEvent Event);

/// <summary>An instance claimed (leased) by a worker, with its history and due messages.</summary>
public sealed class OrchestrationWorkItem
{
    public required string InstanceId { get; init; }
    public required string Name { get; init; }
    public required OrchestrationRuntimeStatus Status { get; init; }
    public required int Generation { get; init; }
    /// <summary>Optimistic-concurrency token: the commit succeeds only if it is unchanged.</summary>
    public required long Version { get; init; }
    /// <summary>The instance's creation time (ms): tells a re-created instance (same id, after a purge) from the old one.</summary>
    public required long Incarnation { get; init; }
    public string? CustomStatus { get; init; }
    public required IReadOnlyList<HistoryEvent> History { get; set; }
    public required IReadOnlyList<InboundMessage> Messages { get; init; }
}

/// <summary>An activity to run (TaskScheduledId is the history event id of the first attempt's scheduling).</summary>
public sealed record ActivityTaskRequest(int TaskScheduledId, string Name, string? Input, string IdempotencyKey);

/// <summary>A message to an instance (itself for timers, another for events).</summary>
public sealed record OutboundMessage(string InstanceId, int? Generation, HistoryEvent Event, DateTime VisibleAtUtc);

/// <summary>Everything one episode commits atomically.</summary>
public sealed class OrchestrationEpisode
{
    public required IReadOnlyList<HistoryEvent> NewHistory { get; init; }
    /// <summary>Nothing changes but the consumed messages are deleted (messages for a finished instance).</summary>
    public bool OnlyConsumeMessages { get; init; }
    /// <summary>ContinueAsNew: drop the history before appending (NewHistory is then empty).</summary>
    public bool ResetHistory { get; init; }
    public required OrchestrationRuntimeStatus Status { get; init; }
    public required int Generation { get; init; }
    /// <summary>Set when the input changes (first episode; ContinueAsNew).</summary>
    public string? NewInput { get; init; }
    public bool InputChanged { get; init; }
    public string? Output { get; init; }
    public string? CustomStatus { get; init; }
    public TaskFailureDetails? Failure { get; init; }
    public IReadOnlyList<ActivityTaskRequest> Tasks { get; init; } = [];
    public IReadOnlyList<OutboundMessage> Messages { get; init; } = [];
}

/// <summary>An activity task claimed by a worker.</summary>
public sealed record ActivityWorkItem(long Id, string InstanceId, int Generation, int TaskScheduledId, string Name, string? Input,
    string IdempotencyKey, string LockOwner, int DequeueCount);

/// <summary>The outcome of one activity execution (TaskCompleted or TaskFailed), to be saved.</summary>
public sealed record ActivityResult(ActivityWorkItem Item, HistoryEvent Result);
