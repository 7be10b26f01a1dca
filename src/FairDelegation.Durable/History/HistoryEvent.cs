using System.Text.Json.Serialization;
using FairDelegation.Durable.Client;

namespace FairDelegation.Durable.History;

/// <summary>
/// One entry of an instance's event-sourced history (or a message that becomes one). Payloads are stored
/// already serialized, so replay never re-serializes user objects.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "t")]
[JsonDerivedType(typeof(OrchestratorStarted), nameof(OrchestratorStarted))]
[JsonDerivedType(typeof(ExecutionStarted), nameof(ExecutionStarted))]
[JsonDerivedType(typeof(TaskScheduled), nameof(TaskScheduled))]
[JsonDerivedType(typeof(TaskCompleted), nameof(TaskCompleted))]
[JsonDerivedType(typeof(TaskFailed), nameof(TaskFailed))]
[JsonDerivedType(typeof(TimerCreated), nameof(TimerCreated))]
[JsonDerivedType(typeof(TimerFired), nameof(TimerFired))]
[JsonDerivedType(typeof(EventRaised), nameof(EventRaised))]
[JsonDerivedType(typeof(EventSent), nameof(EventSent))]
[JsonDerivedType(typeof(ExecutionCompleted), nameof(ExecutionCompleted))]
[JsonDerivedType(typeof(ExecutionTerminated), nameof(ExecutionTerminated))]
[JsonDerivedType(typeof(ContinuedAsNew), nameof(ContinuedAsNew))]
public abstract record HistoryEvent
{
    public DateTime Timestamp { get; init; }

    /// <summary>Short description for error messages ("TaskScheduled 'OpenEscrow'").</summary>
    public virtual string Describe() => GetType().Name;
}

/// <summary>Starts every episode; its timestamp is the episode's CurrentUtcDateTime.</summary>
public sealed record OrchestratorStarted : HistoryEvent;

/// <summary>First event of an execution: the orchestrator's name and input.</summary>
public sealed record ExecutionStarted(string Name, string? Input, int Generation) : HistoryEvent
{
    public override string Describe() => $"ExecutionStarted '{Name}'";
}

/// <summary>The orchestrator scheduled an activity (EventId is the task's sequence number).</summary>
public sealed record TaskScheduled(int EventId, string Name, string? Input, string IdempotencyKey) : HistoryEvent
{
    public override string Describe() => $"TaskScheduled '{Name}'";
}

public sealed record TaskCompleted(int TaskScheduledId, string? Result) : HistoryEvent;

public sealed record TaskFailed(int TaskScheduledId, TaskFailureDetails Failure) : HistoryEvent;

/// <summary>The orchestrator created a durable timer.</summary>
public sealed record TimerCreated(int EventId, DateTime FireAt) : HistoryEvent
{
    public override string Describe() => $"TimerCreated (fires {FireAt:O})";
}

public sealed record TimerFired(int TimerId, DateTime FireAt) : HistoryEvent;

/// <summary>An external event arrived (from the client or another instance).</summary>
public sealed record EventRaised(string Name, string? Input) : HistoryEvent
{
    public override string Describe() => $"EventRaised '{Name}'";
}

/// <summary>The orchestrator sent an event to another instance.</summary>
public sealed record EventSent(int EventId, string InstanceId, string Name, string? Input) : HistoryEvent
{
    public override string Describe() => $"EventSent '{Name}' to '{InstanceId}'";
}

public sealed record ExecutionCompleted(OrchestrationRuntimeStatus Status, string? Result, TaskFailureDetails? Failure) : HistoryEvent;

/// <summary>Terminate request (as a message) and terminal record (in history).</summary>
public sealed record ExecutionTerminated(string? Output) : HistoryEvent;

/// <summary>Last event of an execution that continued as new.</summary>
public sealed record ContinuedAsNew(string? Input) : HistoryEvent;
