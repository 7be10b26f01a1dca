namespace FairDelegation.Durable;

/// <summary>Options of a new orchestration instance: a caller-chosen id and an optional start time.</summary>
public record StartOrchestrationOptions(string? InstanceId = null, DateTimeOffset? StartAt = null);
