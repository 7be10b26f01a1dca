using FairDelegation.Durable.History;
using FairDelegation.Durable.Stores;
using Microsoft.Extensions.Options;

namespace FairDelegation.Durable.Client;

/// <summary>
/// Starts, queries, signals and ends orchestration instances. Shaped like Microsoft.DurableTask.Client.DurableTaskClient;
/// usable from any process that can reach the store (no worker needed).
/// </summary>
public sealed class DurableTaskClient
{
    private const int MaxInstanceIdLength = 256;
    private readonly IOrchestrationStore _store;
    private readonly DurableTaskOptions _options;
    private Task? _initialized;

    public DurableTaskClient(IOrchestrationStore store, IOptions<DurableTaskOptions> options)
    {
        _store = store;
        _options = options.Value;
    }

    /// <summary>Creates the store's schema on first use; a failed attempt (database down) is retried next call.</summary>
    private Task ReadyAsync()
    {
        var t = _initialized;
        if (t is null || t.IsFaulted || t.IsCanceled)
        {
            t = _store.InitializeAsync();
            _initialized = t;
        }
        return t;
    }

    public Task<string> ScheduleNewOrchestrationInstanceAsync(TaskName orchestratorName, CancellationToken cancellation) =>
        ScheduleNewOrchestrationInstanceAsync(orchestratorName, null, null, cancellation);

    public Task<string> ScheduleNewOrchestrationInstanceAsync(TaskName orchestratorName, object? input, CancellationToken cancellation) =>
        ScheduleNewOrchestrationInstanceAsync(orchestratorName, input, null, cancellation);

    public Task<string> ScheduleNewOrchestrationInstanceAsync(TaskName orchestratorName, StartOrchestrationOptions options, CancellationToken cancellation = default) =>
        ScheduleNewOrchestrationInstanceAsync(orchestratorName, null, options, cancellation);

    /// <summary>
    /// Creates an instance (Pending until a worker starts it). A caller-chosen <see cref="StartOrchestrationOptions.InstanceId"/>
    /// that is already used throws <see cref="OrchestrationAlreadyExistsException"/>. Returns the instance id.
    /// </summary>
    public async Task<string> ScheduleNewOrchestrationInstanceAsync(TaskName orchestratorName, object? input = null,
        StartOrchestrationOptions? options = null, CancellationToken cancellation = default)
    {
        if (string.IsNullOrWhiteSpace(orchestratorName.Name)) throw new ArgumentException("an orchestrator name is required", nameof(orchestratorName));
        var id = options?.InstanceId ?? Guid.NewGuid().ToString("N");
        ValidateInstanceId(id);
        var json = _options.DataConverter.Serialize(input);
        _options.CheckPayload(json, $"the input of orchestration '{id}'");
        var now = DateTimeOffset.UtcNow;
        var startAt = options?.StartAt is { } at && at > now ? at : now;
        await ReadyAsync();
        await _store.CreateInstanceAsync(new NewInstance(id, orchestratorName.Name, json, now, startAt), cancellation);
        return id;
    }

    private static void ValidateInstanceId(string id)
    {
        if (string.IsNullOrWhiteSpace(id)) throw new ArgumentException("an instance id must not be empty", nameof(id));
        if (id.Length > MaxInstanceIdLength) throw new ArgumentException($"an instance id is at most {MaxInstanceIdLength} characters", nameof(id));
        if (id.Any(char.IsControl)) throw new ArgumentException("an instance id must not contain control characters", nameof(id));
    }

    public Task<OrchestrationMetadata?> GetInstanceAsync(string instanceId, CancellationToken cancellation) =>
        GetInstanceAsync(instanceId, false, cancellation);

    /// <summary>The instance's status, timestamps, custom status and failure (and input/output if asked); null if unknown.</summary>
    public async Task<OrchestrationMetadata?> GetInstanceAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(instanceId);
        await ReadyAsync();
        var r = await _store.GetInstanceAsync(instanceId, getInputsAndOutputs, cancellation);
        return r is null ? null : ToMetadata(r);
    }

    private OrchestrationMetadata ToMetadata(InstanceRecord r) => new(r.Name, r.InstanceId)
    {
        RuntimeStatus = r.Status == OrchestrationRuntimeStatus.ContinuedAsNew ? OrchestrationRuntimeStatus.Running : r.Status,
        CreatedAt = r.CreatedAt, LastUpdatedAt = r.LastUpdatedAt,
        SerializedInput = r.Input, SerializedOutput = r.Output, SerializedCustomStatus = r.CustomStatus,
        FailureDetails = r.Failure, DataConverter = _options.DataConverter,
    };

    /// <summary>Waits until the instance has left Pending.</summary>
    public Task<OrchestrationMetadata> WaitForInstanceStartAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) =>
        WaitAsync(instanceId, getInputsAndOutputs, m => m.RuntimeStatus != OrchestrationRuntimeStatus.Pending, cancellation);

    public Task<OrchestrationMetadata> WaitForInstanceStartAsync(string instanceId, CancellationToken cancellation) =>
        WaitForInstanceStartAsync(instanceId, false, cancellation);

    /// <summary>Waits until the instance is Completed, Failed or Terminated (cancel the token to give up).</summary>
    public Task<OrchestrationMetadata> WaitForInstanceCompletionAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) =>
        WaitAsync(instanceId, getInputsAndOutputs, m => m.RuntimeStatus.IsTerminal(), cancellation);

    public Task<OrchestrationMetadata> WaitForInstanceCompletionAsync(string instanceId, CancellationToken cancellation) =>
        WaitForInstanceCompletionAsync(instanceId, false, cancellation);

    private async Task<OrchestrationMetadata> WaitAsync(string instanceId, bool payloads, Func<OrchestrationMetadata, bool> done, CancellationToken ct)
    {
        var delay = TimeSpan.FromMilliseconds(5);
        while (true)
        {
            var m = await GetInstanceAsync(instanceId, payloads, ct) ?? throw new OrchestrationNotFoundException(instanceId);
            if (done(m)) return m;
            await Task.Delay(delay, ct);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 1.5, 250));
        }
    }

    /// <summary>Delivers an event; if the orchestrator is not waiting for it yet, it is buffered until it does.</summary>
    public async Task RaiseEventAsync(string instanceId, string eventName, object? eventPayload = null, CancellationToken cancellation = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(instanceId);
        ArgumentException.ThrowIfNullOrWhiteSpace(eventName);
        var json = _options.DataConverter.Serialize(eventPayload);
        _options.CheckPayload(json, $"the payload of event '{eventName}'");
        await ReadyAsync();
        await _store.SendMessageAsync(instanceId, new EventRaised(eventName, json) { Timestamp = DateTime.UtcNow }, cancellation);
    }

    /// <summary>Ends a running or pending instance with status Terminated and the given output (no effect once finished).</summary>
    public async Task TerminateInstanceAsync(string instanceId, object? output = null, CancellationToken cancellation = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(instanceId);
        var json = _options.DataConverter.Serialize(output);
        _options.CheckPayload(json, $"the termination output of '{instanceId}'");
        await ReadyAsync();
        await _store.SendMessageAsync(instanceId, new ExecutionTerminated(json) { Timestamp = DateTime.UtcNow }, cancellation);
    }

    public Task TerminateInstanceAsync(string instanceId, CancellationToken cancellation) =>
        TerminateInstanceAsync(instanceId, null, cancellation);

    /// <summary>Deletes a finished instance and its history; a running one is refused with a clear error.</summary>
    public async Task<PurgeResult> PurgeInstanceAsync(string instanceId, CancellationToken cancellation = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(instanceId);
        await ReadyAsync();
        return new PurgeResult(await _store.PurgeInstanceAsync(instanceId, cancellation));
    }

    /// <summary>Purges every finished instance matching the filter (Completed, Failed, Terminated by default): retention.</summary>
    public async Task<PurgeResult> PurgeAllInstancesAsync(PurgeInstancesFilter filter, CancellationToken cancellation = default)
    {
        var statuses = (filter.Statuses ?? [OrchestrationRuntimeStatus.Completed, OrchestrationRuntimeStatus.Failed, OrchestrationRuntimeStatus.Terminated])
            .Where(s => s.IsTerminal()).ToList();
        if (statuses.Count == 0) throw new ArgumentException("only finished instances (Completed, Failed, Terminated) can be purged", nameof(filter));
        var query = new OrchestrationQuery { CreatedFrom = filter.CreatedFrom, CreatedTo = filter.CreatedTo, Statuses = statuses, PageSize = 500 };
        var ids = new List<string>();
        await foreach (var m in GetAllInstancesAsync(query).WithCancellation(cancellation)) ids.Add(m.InstanceId);
        var purged = 0;
        foreach (var id in ids) purged += (await PurgeInstanceAsync(id, cancellation)).PurgedInstanceCount;
        return new PurgeResult(purged);
    }

    /// <summary>Instances matching the filter, ordered by id, fetched a page at a time.</summary>
    public AsyncPageable<OrchestrationMetadata> GetAllInstancesAsync(OrchestrationQuery? filter = null)
    {
        var q = filter ?? new OrchestrationQuery();
        return new AsyncPageable<OrchestrationMetadata>((token, size, ct) =>
            QueryInstancesAsync(q with { ContinuationToken = token ?? q.ContinuationToken, PageSize = size ?? q.PageSize }, ct));
    }

    /// <summary>One page of instances matching the query (its ContinuationToken leads to the next page).</summary>
    public async Task<Page<OrchestrationMetadata>> QueryInstancesAsync(OrchestrationQuery query, CancellationToken cancellation = default)
    {
        await ReadyAsync();
        var page = await _store.QueryInstancesAsync(query, cancellation);
        return new Page<OrchestrationMetadata>(page.Values.Select(ToMetadata).ToList(), page.ContinuationToken);
    }
}
