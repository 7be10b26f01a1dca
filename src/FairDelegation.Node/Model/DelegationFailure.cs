namespace FairDelegation.Node.Model;

/// <summary>
/// Why a delegation did not complete, in the shape of Durable Functions' failureDetails: the message, the step (the
/// activity's name, or the wait the orchestration was in) and the error's type (the activity exception's type when a
/// step threw, else the protocol's ending: Cancelled, Refunded, Abandoned, Failed). Messages are the steps' own
/// reasons, which never hold a key.
/// </summary>
public sealed record DelegationFailure(string Message, string? Step, string ErrorType)
{
    /// <summary>From a step that failed for good: its task name, its exception's type (innermost) and message.</summary>
    public static DelegationFailure FromTask(TaskFailedException e, string message)
    {
        var details = e.FailureDetails;
        while (details.InnerFailure is { } inner) details = inner;
        return new DelegationFailure(message, e.TaskName, details.ErrorType);
    }
}
