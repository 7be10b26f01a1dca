namespace FairDelegation.Durable;

/// <summary>Untyped view of an activity, used by the worker to execute it.</summary>
public interface ITaskActivity
{
    Type InputType { get; }
    Type OutputType { get; }
    Task<object?> RunAsync(TaskActivityContext context, object? input);
}

/// <summary>
/// An activity: one unit of real work (I/O allowed). Runs at least once per scheduling, so make its side
/// effects idempotent with <see cref="TaskActivityContext.IdempotencyKey"/>.
/// </summary>
public abstract class TaskActivity<TInput, TOutput> : ITaskActivity
{
    Type ITaskActivity.InputType => typeof(TInput);
    Type ITaskActivity.OutputType => typeof(TOutput);

    public abstract Task<TOutput> RunAsync(TaskActivityContext context, TInput input);

    async Task<object?> ITaskActivity.RunAsync(TaskActivityContext context, object? input) =>
        await RunAsync(context, input is null ? default! : (TInput)input);
}
