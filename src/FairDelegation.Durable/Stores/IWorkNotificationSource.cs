namespace FairDelegation.Durable.Stores;

/// <summary>
/// A store that can tell this process about work other processes enqueued (PostgreSQL LISTEN/NOTIFY), so a
/// worker reacts at once instead of at its next poll. The worker runs <see cref="ListenAsync"/> while started.
/// </summary>
public interface IWorkNotificationSource
{
    /// <summary>Pulses the store's signals on notifications until cancelled; reconnects after failures.</summary>
    Task ListenAsync(CancellationToken cancellationToken);
}
