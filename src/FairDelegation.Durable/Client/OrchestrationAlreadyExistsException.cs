namespace FairDelegation.Durable.Client;

/// <summary>ScheduleNewOrchestrationInstanceAsync was given an instance id that is already in use.</summary>
public sealed class OrchestrationAlreadyExistsException(string instanceId)
    : InvalidOperationException($"an orchestration instance with id '{instanceId}' already exists; instance ids are never reused (purge the old one first)")
{
    public string InstanceId { get; } = instanceId;
}

/// <summary>The instance id names no orchestration instance.</summary>
public sealed class OrchestrationNotFoundException(string instanceId)
    : InvalidOperationException($"no orchestration instance with id '{instanceId}'")
{
    public string InstanceId { get; } = instanceId;
}
