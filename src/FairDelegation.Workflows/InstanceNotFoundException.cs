namespace FairDelegation.Workflows;

/// <summary>An event was raised for an orchestration instance that does not exist (or was purged).</summary>
public sealed class InstanceNotFoundException(string instanceId)
    : InvalidOperationException($"no orchestration instance '{instanceId}'")
{
    public string InstanceId { get; } = instanceId;
}
