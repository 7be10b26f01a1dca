namespace FairDelegation.Durable.Client;

/// <summary>Filters and paging of an instance query. Results are ordered by instance id.</summary>
public sealed record OrchestrationQuery
{
    public const int DefaultPageSize = 100;

    /// <summary>Only instances created at or after this time.</summary>
    public DateTimeOffset? CreatedFrom { get; init; }

    /// <summary>Only instances created before this time.</summary>
    public DateTimeOffset? CreatedTo { get; init; }

    /// <summary>Only instances in one of these statuses (all when null or empty).</summary>
    public IReadOnlyCollection<OrchestrationRuntimeStatus>? Statuses { get; init; }

    public string? InstanceIdPrefix { get; init; }

    public int PageSize { get; init; } = DefaultPageSize;

    /// <summary>From a previous page; null for the first page.</summary>
    public string? ContinuationToken { get; init; }

    public bool FetchInputsAndOutputs { get; init; }
}
