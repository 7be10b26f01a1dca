namespace FairDelegation.Durable.Sqlite;

/// <summary>
/// Wakes every dispatcher of this process that waits for work, at once (a commit that enqueued work calls
/// <see cref="Notify"/>) or at a known time (a timer message). Waiters that miss a pulse are bounded by the poll.
/// </summary>
internal sealed class WorkSignal
{
    private TaskCompletionSource _pulse = NewPulse();
    private readonly object _gate = new();
    private long _earliestTimerTicks = long.MaxValue;
    private Timer? _timer;

    private static TaskCompletionSource NewPulse() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Current
    {
        get { lock (_gate) return _pulse.Task; }
    }

    public void Notify()
    {
        TaskCompletionSource fired;
        lock (_gate)
        {
            fired = _pulse;
            _pulse = NewPulse();
        }
        fired.TrySetResult();
    }

    /// <summary>Pulses at <paramref name="dueUtc"/> unless an earlier pulse is already scheduled.</summary>
    public void NotifyAt(DateTime dueUtc)
    {
        var delay = dueUtc - DateTime.UtcNow;
        if (delay <= TimeSpan.Zero) { Notify(); return; }
        lock (_gate)
        {
            var now = DateTime.UtcNow.Ticks;
            if (_earliestTimerTicks > now && _earliestTimerTicks <= dueUtc.Ticks) return;
            _earliestTimerTicks = dueUtc.Ticks;
            _timer ??= new Timer(_ => { lock (_gate) _earliestTimerTicks = long.MaxValue; Notify(); });
            // A little late rather than early: a pulse before the due time finds nothing visible and waits a poll.
            _timer.Change(delay + TimeSpan.FromMilliseconds(2), Timeout.InfiniteTimeSpan);
        }
    }
}
