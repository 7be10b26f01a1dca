using Microsoft.Extensions.Logging;

namespace FairDelegation.Durable;

/// <summary>
/// The orchestrator's only window on the world: every wait, clock read and identifier goes through it so that
/// replaying the history gives the same decisions. Shaped like Microsoft.DurableTask.TaskOrchestrationContext.
/// </summary>
public abstract class TaskOrchestrationContext
{
    /// <summary>The orchestrator's registered name.</summary>
    public abstract TaskName Name { get; }

    public abstract string InstanceId { get; }

    /// <summary>The time this episode started, from history: the same on every replay.</summary>
    public abstract DateTime CurrentUtcDateTime { get; }

    /// <summary>True while the code re-runs steps already in history (suppress logs and metrics then).</summary>
    public abstract bool IsReplaying { get; }

    /// <summary>The orchestration's input, deserialized.</summary>
    public abstract T? GetInput<T>();

    /// <summary>Schedules an activity and waits for its result; a failure throws <see cref="TaskFailedException"/>.</summary>
    public abstract Task<TResult> CallActivityAsync<TResult>(TaskName name, object? input = null, TaskOptions? options = null);

    /// <summary>Schedules an activity and waits for it to finish.</summary>
    public virtual Task CallActivityAsync(TaskName name, object? input = null, TaskOptions? options = null) =>
        CallActivityAsync<object?>(name, input, options);

    public Task CallActivityAsync(TaskName name, TaskOptions options) => CallActivityAsync(name, null, options);

    /// <summary>A durable timer: survives restarts. Cancelling the token abandons the wait (the task is cancelled).</summary>
    public abstract Task CreateTimer(DateTime fireAt, CancellationToken cancellationToken);

    public virtual Task CreateTimer(TimeSpan delay, CancellationToken cancellationToken) =>
        CreateTimer(CurrentUtcDateTime.Add(delay), cancellationToken);

    /// <summary>Waits for an event raised with <c>DurableTaskClient.RaiseEventAsync</c>; earlier events are buffered.</summary>
    public abstract Task<T> WaitForExternalEvent<T>(string eventName, CancellationToken cancellationToken = default);

    /// <summary>As above, with a durable timer: throws <see cref="TimeoutException"/> if the event does not come in time.</summary>
    public virtual Task<T> WaitForExternalEvent<T>(string eventName, TimeSpan timeout) =>
        WaitForExternalEvent<T>(eventName, timeout, CancellationToken.None);

    public abstract Task<T> WaitForExternalEvent<T>(string eventName, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>Raises an event on another orchestration instance (dropped if that instance does not exist).</summary>
    public abstract void SendEvent(string instanceId, string eventName, object? payload);

    /// <summary>JSON-serializable status shown by <c>GetInstanceAsync</c>; use it for the current protocol step.</summary>
    public abstract void SetCustomStatus(object? customStatus);

    /// <summary>A GUID that is the same on every replay.</summary>
    public abstract Guid NewGuid();

    /// <summary>Restarts the orchestration with a new input and an empty history once the code returns.</summary>
    public abstract void ContinueAsNew(object? newInput = null, bool preserveUnprocessedEvents = true);

    /// <summary>A logger that writes nothing while replaying.</summary>
    public abstract ILogger CreateReplaySafeLogger(string categoryName);

    public ILogger CreateReplaySafeLogger(Type type) => CreateReplaySafeLogger(type.FullName ?? type.Name);

    public ILogger CreateReplaySafeLogger<T>() => CreateReplaySafeLogger(typeof(T));
}
