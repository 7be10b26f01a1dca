namespace FairDelegation.Durable.Client;

/// <summary>Which finished instances PurgeAllInstancesAsync removes (created in [CreatedFrom, CreatedTo), in Statuses).</summary>
public sealed record PurgeInstancesFilter(DateTimeOffset? CreatedFrom = null, DateTimeOffset? CreatedTo = null,
    IEnumerable<OrchestrationRuntimeStatus>? Statuses = null);
