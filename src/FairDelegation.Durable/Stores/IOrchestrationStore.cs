using FairDelegation.Durable.Client;
using FairDelegation.Durable.History;

namespace FairDelegation.Durable.Stores;

/// <summary>
/// Durable state of the engine: instances, histories, messages and activity tasks. Work items are claimed with
/// leases (owner + expiry); an episode commits history, outgoing work and message deletion in one transaction,
/// guarded by the instance's version. Implemented by SQLite and PostgreSQL; one conformance suite covers both.
/// </summary>
public interface IOrchestrationStore : IAsyncDisposable
{
    /// <summary>"sqlite" or "postgres".</summary>
    string Kind { get; }

    /// <summary>Pulsed when this process enqueues orchestration messages.</summary>
    WorkSignal OrchestrationWork { get; }

    /// <summary>Pulsed when this process enqueues activity tasks.</summary>
    WorkSignal ActivityWork { get; }

    /// <summary>Creates the schema if missing (idempotent, safe with concurrent callers).</summary>
    Task InitializeAsync(CancellationToken cancellationToken = default);

    /// <summary>Throws <see cref="OrchestrationAlreadyExistsException"/> for a used id.</summary>
    Task CreateInstanceAsync(NewInstance instance, CancellationToken cancellationToken = default);

    Task<InstanceRecord?> GetInstanceAsync(string instanceId, bool includePayloads, CancellationToken cancellationToken = default);

    Task<Page<InstanceRecord>> QueryInstancesAsync(OrchestrationQuery query, CancellationToken cancellationToken = default);

    /// <summary>Queues an event (EventRaised, ExecutionTerminated) for an instance; throws <see cref="OrchestrationNotFoundException"/>.</summary>
    Task SendMessageAsync(string instanceId, HistoryEvent message, CancellationToken cancellationToken = default);

    /// <summary>Deletes a terminal instance with its history and pending work; returns 0 if it does not exist.</summary>
    Task<int> PurgeInstanceAsync(string instanceId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Claims up to <paramref name="max"/> instances with due messages. <paramref name="cachedHistory"/> (instance id,
    /// incarnation, version) may return a history the worker still holds for exactly that state; it is then not re-read.
    /// </summary>
    Task<IReadOnlyList<OrchestrationWorkItem>> LockOrchestrationsAsync(string owner, int max, TimeSpan lease,
        Func<string, long, long, IReadOnlyList<HistoryEvent>?>? cachedHistory = null, CancellationToken cancellationToken = default);

    /// <summary>Commits an episode; false if the lease was lost or another worker committed first (nothing written).</summary>
    Task<bool> CompleteOrchestrationAsync(OrchestrationWorkItem item, OrchestrationEpisode episode, string owner, CancellationToken cancellationToken = default);

    /// <summary>
    /// Commits an episode like <see cref="CompleteOrchestrationAsync"/> and, in the same transaction, claims for
    /// <paramref name="owner"/> (leased for <paramref name="lease"/>) up to <paramref name="claimActivities"/> of the activity
    /// tasks it schedules, so the worker runs them at once without a separate claim; the others stay queued for any worker.
    /// Null when the commit lost (nothing written). A store that cannot claim in the commit claims none (the default).
    /// </summary>
    async Task<IReadOnlyList<ActivityWorkItem>?> CompleteOrchestrationAndClaimAsync(OrchestrationWorkItem item, OrchestrationEpisode episode,
        string owner, int claimActivities, TimeSpan lease, CancellationToken cancellationToken = default) =>
        await CompleteOrchestrationAsync(item, episode, owner, cancellationToken) ? [] : null;

    /// <summary>Releases the instance's lease so its messages are retried after <paramref name="delay"/>.</summary>
    Task AbandonOrchestrationAsync(OrchestrationWorkItem item, string owner, TimeSpan delay, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<ActivityWorkItem>> LockActivitiesAsync(string owner, int max, TimeSpan lease, CancellationToken cancellationToken = default);

    /// <summary>
    /// For each result, in one transaction: deletes the task and queues its result for the instance. Per result,
    /// false if the lease was lost (that result is dropped; the current lease holder's result counts).
    /// </summary>
    Task<IReadOnlyList<bool>> CompleteActivitiesAsync(IReadOnlyList<ActivityResult> results, CancellationToken cancellationToken = default);

    /// <summary>Extends the leases of running activities.</summary>
    Task RenewActivityLeasesAsync(string owner, IReadOnlyCollection<long> taskIds, TimeSpan lease, CancellationToken cancellationToken = default);

    /// <summary>Releases an activity's lease so it is retried after <paramref name="delay"/>.</summary>
    Task AbandonActivityAsync(ActivityWorkItem item, TimeSpan delay, CancellationToken cancellationToken = default);
}
