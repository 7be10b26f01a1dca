namespace FairDelegation.Durable.Stores;

/// <summary>
/// An in-process wake-up: the store pulses it when it enqueues work, so a worker in the same process does not
/// wait for its next poll. Missed pulses are harmless: the worker also polls.
/// </summary>
public sealed class WorkSignal
{
    private TaskCompletionSource _pulse = NewSource();

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Notify() => Volatile.Read(ref _pulse).TrySetResult();

    /// <summary>Waits for a pulse or the timeout; returns true if pulsed.</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var current = Volatile.Read(ref _pulse);
        if (current.Task.IsCompleted)
        {
            Interlocked.CompareExchange(ref _pulse, NewSource(), current);
            return true;
        }
        var delay = Task.Delay(timeout, cancellationToken);
        var first = await Task.WhenAny(current.Task, delay);
        if (first == current.Task)
        {
            Interlocked.CompareExchange(ref _pulse, NewSource(), current);
            return true;
        }
        cancellationToken.ThrowIfCancellationRequested();
        return false;
    }

    /// <summary>Pulses at <paramref name="dueUtc"/> (for a timer this process just created).</summary>
    public void NotifyAt(DateTime dueUtc)
    {
        var wait = dueUtc - DateTime.UtcNow;
        if (wait <= TimeSpan.Zero) { Notify(); return; }
        if (wait > TimeSpan.FromHours(1)) return; // polling covers far timers
        _ = Task.Delay(wait + TimeSpan.FromMilliseconds(2)).ContinueWith(_ => Notify(), TaskScheduler.Default);
    }
}
