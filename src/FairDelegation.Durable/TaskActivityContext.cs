namespace FairDelegation.Durable;

/// <summary>What an activity knows about the call that scheduled it.</summary>
public abstract class TaskActivityContext
{
    /// <summary>The activity's registered name.</summary>
    public abstract TaskName Name { get; }

    /// <summary>The orchestration instance that scheduled this activity.</summary>
    public abstract string InstanceId { get; }

    /// <summary>
    /// Stable per scheduled call ("{instanceId}:{taskScheduledId}"): the same across retries and across
    /// re-executions after a crash, so side effects keyed by it happen once.
    /// </summary>
    public abstract string IdempotencyKey { get; }

    /// <summary>Signalled when the worker shuts down; the activity will run again elsewhere.</summary>
    public virtual CancellationToken CancellationToken => CancellationToken.None;
}
