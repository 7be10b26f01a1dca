namespace FairDelegation.Durable.Client;

/// <summary>Where an orchestration instance is in its life.</summary>
public enum OrchestrationRuntimeStatus
{
    /// <summary>Scheduled, not yet started (or waiting for its StartAt).</summary>
    Pending = 0,
    Running = 1,
    Completed = 2,
    /// <summary>Internal: an execution ended with ContinueAsNew; the instance shows Running.</summary>
    ContinuedAsNew = 3,
    Failed = 4,
    Terminated = 5,
}

internal static class OrchestrationRuntimeStatusExtensions
{
    public static bool IsTerminal(this OrchestrationRuntimeStatus s) =>
        s is OrchestrationRuntimeStatus.Completed or OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated;
}
