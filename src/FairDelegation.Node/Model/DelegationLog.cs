using Microsoft.Extensions.Logging;

namespace FairDelegation.Node.Model;

/// <summary>
/// How an orchestration's end reaches the logs (issue 11 #3): every end other than Completed at Error with the
/// instance id, the step and the reason, so an operator sees a failure without asking the API. Called with the
/// orchestration's replay-safe logger, so each end is logged once. Reasons are the steps' messages, which never hold
/// a key.
/// </summary>
public static partial class DelegationLog
{
    public static void Ended(ILogger log, string instanceId, DelegationStatus status, DelegationFailure? failure)
    {
        if (failure is null) Completed(log, instanceId);
        else NotCompleted(log, instanceId, status, failure.Step, failure.ErrorType, failure.Message);
    }

    /// <summary>Logs an exception leaving the orchestration (the engine then marks it Failed); returns false so it propagates.</summary>
    public static bool Crashed(ILogger log, string instanceId, string step, Exception e)
    {
        var message = e is TaskFailedException t ? $"{t.TaskName} failed: {t.FailureDetails.ErrorMessage}" : e.Message;
        OrchestrationFailed(log, instanceId, step, e.GetType().Name, message);
        return false;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Delegation {InstanceId} completed")]
    private static partial void Completed(ILogger log, string instanceId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Delegation {InstanceId} ended {Status} at step {Step} ({ErrorType}): {Reason}")]
    private static partial void NotCompleted(ILogger log, string instanceId, DelegationStatus status, string? step, string errorType, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Delegation {InstanceId} failed at step {Step} ({ErrorType}): {Reason}")]
    private static partial void OrchestrationFailed(ILogger log, string instanceId, string step, string errorType, string reason);
}
