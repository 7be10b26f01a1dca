namespace FairDelegation.Durable;

/// <summary>What is known about a failure: recorded in history and returned by the client.</summary>
public sealed record TaskFailureDetails(string ErrorType, string ErrorMessage, string? StackTrace, TaskFailureDetails? InnerFailure = null)
{
    public static TaskFailureDetails FromException(Exception e) => new(
        e.GetType().FullName ?? e.GetType().Name, e.Message, e.StackTrace,
        e.InnerException is null ? null : FromException(e.InnerException));

    /// <summary>True if the failure was caused by an exception of type <typeparamref name="T"/> (or a subclass, by name).</summary>
    public bool IsCausedBy<T>() where T : Exception =>
        ErrorType == typeof(T).FullName || (Type.GetType(ErrorType, throwOnError: false) is { } t && typeof(T).IsAssignableFrom(t));

    public override string ToString() => $"{ErrorType}: {ErrorMessage}";
}
