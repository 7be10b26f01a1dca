using System.Globalization;
using DurableTask.Core;
using DurableTask.Core.Exceptions;
using DurableTask.Core.History;
using DurableTask.Core.Query;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;
using Core = DurableTask.Core;
using CoreQuery = DurableTask.Core.Query.OrchestrationQuery;
using OrchestrationQuery = Microsoft.DurableTask.Client.OrchestrationQuery;
using PurgeResult = Microsoft.DurableTask.Client.PurgeResult;

namespace FairDelegation.Workflows;

/// <summary>
/// <see cref="DurableTaskClient"/> over the Durable Task Framework's client interfaces of the configured backend
/// (<see cref="IOrchestrationServiceClient"/>, <see cref="IOrchestrationServiceQueryClient"/>,
/// <see cref="IOrchestrationServicePurgeClient"/>): what the HTTP API, the CLI and the tests talk to. No published
/// package has one (the SDK's own is internal). Payloads go through the worker's <see cref="DataConverter"/>
/// (<see cref="DurableJson"/>), never through the framework's Newtonsoft-based <c>TaskHubClient</c>, so a value
/// reads back as it was written on both sides.
/// </summary>
public sealed class TaskHubDurableTaskClient : DurableTaskClient
{
    private static readonly Core.OrchestrationStatus[] AnyStatus = Enum.GetValues<Core.OrchestrationStatus>();

    private static readonly Core.OrchestrationStatus[] Finished =
        [Core.OrchestrationStatus.Completed, Core.OrchestrationStatus.Failed, Core.OrchestrationStatus.Terminated, Core.OrchestrationStatus.Canceled];

    private readonly IOrchestrationServiceClient _client;
    private readonly DataConverter _converter;

    public TaskHubDurableTaskClient(string name, IOrchestrationServiceClient client, IOptionsMonitor<DurableTaskClientOptions> options)
        : base(name)
    {
        _client = client;
        _converter = options.Get(name).DataConverter;
    }

    /// <summary>Longest pause between two reads while waiting for an instance to start or finish.</summary>
    public TimeSpan MaxPollInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    public override async Task<string> ScheduleNewOrchestrationInstanceAsync(TaskName orchestratorName, object? input = null,
        StartOrchestrationOptions? options = null, CancellationToken cancellation = default)
    {
        cancellation.ThrowIfCancellationRequested();
        var instance = new OrchestrationInstance
        {
            InstanceId = options?.InstanceId ?? Guid.NewGuid().ToString("N"),
            ExecutionId = Guid.NewGuid().ToString("N"),
        };
        var tags = options?.Tags?.ToDictionary(t => t.Key, t => t.Value) ?? [];
        var message = new TaskMessage
        {
            OrchestrationInstance = instance,
            Event = new ExecutionStartedEvent(-1, _converter.Serialize(input))
            {
                Name = orchestratorName.Name,
                Version = options?.Version?.Version ?? string.Empty,
                OrchestrationInstance = instance,
                ScheduledStartTime = options?.StartAt?.UtcDateTime,
                Tags = tags,
            },
        };
        // An instance id is never reused until purged: a second start with the same id is refused whatever its state.
        // The backends check the dedupe statuses themselves, but not all of them (Azure Storage accepted a second start
        // of a completed instance): look first.
        if (await GetStateAsync(instance.InstanceId, cancellation) is { } existing)
            throw new OrchestrationAlreadyExistsException($"an orchestration instance '{instance.InstanceId}' already exists ({existing.OrchestrationStatus})");
        await _client.CreateTaskOrchestrationAsync(message, AnyStatus);
        return instance.InstanceId;
    }

    public override async Task RaiseEventAsync(string instanceId, string eventName, object? eventPayload = null,
        CancellationToken cancellation = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        ArgumentException.ThrowIfNullOrEmpty(eventName);
        // The framework would accept a message for no instance and drop it; tell the caller instead.
        var state = await GetStateAsync(instanceId, cancellation) ?? throw new InstanceNotFoundException(instanceId);
        await WaitUntilStartedAsync(instanceId, state, cancellation);
        await SendAsync(instanceId, new EventRaisedEvent(-1, _converter.Serialize(eventPayload)) { Name = eventName }, cancellation);
    }

    /// <summary>How long an event waits for its instance's first episode before it is sent anyway.</summary>
    public static readonly TimeSpan PendingEventWait = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Waits while the instance is Pending (its ExecutionStarted message not yet processed). The Azure Storage backend's
    /// control queues are not FIFO: an event dequeued before its instance's ExecutionStarted finds no orchestration to run
    /// and is discarded ("Discarding dequeued history event(s)"), so a provider's request raised right after its Quote
    /// orchestration was scheduled was lost under load and both sides waited out their timeouts (bench delegations
    /// --backend azure-storage). Once the instance has run an episode, its events are buffered until it waits for them.
    /// </summary>
    private async Task WaitUntilStartedAsync(string instanceId, OrchestrationState state, CancellationToken cancellation)
    {
        var delay = TimeSpan.FromMilliseconds(10);
        var deadline = DateTime.UtcNow + PendingEventWait;
        while (state.OrchestrationStatus == Core.OrchestrationStatus.Pending && DateTime.UtcNow < deadline)
        {
            await Task.Delay(delay, cancellation);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromMilliseconds(250).Ticks));
            state = await GetStateAsync(instanceId, cancellation) ?? state;
        }
    }

    public override Task SuspendInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) =>
        SendAsync(instanceId, new ExecutionSuspendedEvent(-1, reason), cancellation);

    public override Task ResumeInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) =>
        SendAsync(instanceId, new ExecutionResumedEvent(-1, reason), cancellation);

    public override Task TerminateInstanceAsync(string instanceId, TerminateInstanceOptions? options = null, CancellationToken cancellation = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        cancellation.ThrowIfCancellationRequested();
        return _client.ForceTerminateTaskOrchestrationAsync(instanceId, _converter.Serialize(options?.Output));
    }

    public override async Task<OrchestrationMetadata?> GetInstancesAsync(string instanceId, bool getInputsAndOutputs = false,
        CancellationToken cancellation = default) =>
        await GetStateAsync(instanceId, cancellation) is { } state ? ToMetadata(state, getInputsAndOutputs) : null;

    public override Task<OrchestrationMetadata> WaitForInstanceStartAsync(string instanceId, bool getInputsAndOutputs = false,
        CancellationToken cancellation = default) =>
        PollAsync(instanceId, getInputsAndOutputs, s => s != Core.OrchestrationStatus.Pending, cancellation);

    public override Task<OrchestrationMetadata> WaitForInstanceCompletionAsync(string instanceId, bool getInputsAndOutputs = false,
        CancellationToken cancellation = default) =>
        PollAsync(instanceId, getInputsAndOutputs, Finished.Contains, cancellation);

    public override AsyncPageable<OrchestrationMetadata> GetAllInstancesAsync(OrchestrationQuery? filter = null)
    {
        var queries = Cast<IOrchestrationServiceQueryClient>();
        return Pageable.Create(async (continuation, pageSize, cancellation) =>
        {
            var query = new CoreQuery
            {
                RuntimeStatus = filter?.Statuses?.Select(ToCore).ToList(),
                CreatedTimeFrom = filter?.CreatedFrom?.UtcDateTime,
                CreatedTimeTo = filter?.CreatedTo?.UtcDateTime,
                TaskHubNames = filter?.TaskHubNames?.ToList(),
                PageSize = pageSize ?? filter?.PageSize ?? OrchestrationQuery.DefaultPageSize,
                ContinuationToken = continuation ?? filter?.ContinuationToken,
                InstanceIdPrefix = filter?.InstanceIdPrefix,
                FetchInputsAndOutputs = filter?.FetchInputsAndOutputs ?? false,
            };
            var result = await queries.GetOrchestrationWithQueryAsync(query, cancellation);
            return new Page<OrchestrationMetadata>(
                [.. result.OrchestrationState.Select(s => ToMetadata(s, query.FetchInputsAndOutputs))],
                string.IsNullOrEmpty(result.ContinuationToken) ? null : result.ContinuationToken);
        });
    }

    public override async Task<PurgeResult> PurgeInstanceAsync(string instanceId, PurgeInstanceOptions? options = null,
        CancellationToken cancellation = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        var state = await GetStateAsync(instanceId, cancellation);
        if (state is null) return new PurgeResult(0);
        if (!Finished.Contains(state.OrchestrationStatus))
            throw new InvalidOperationException($"instance '{instanceId}' is {state.OrchestrationStatus}: only finished instances can be purged (terminate it first)");
        var result = await Cast<IOrchestrationServicePurgeClient>().PurgeInstanceStateAsync(instanceId);
        return new PurgeResult(result.DeletedInstanceCount);
    }

    public override async Task<PurgeResult> PurgeAllInstancesAsync(PurgeInstancesFilter filter, PurgeInstanceOptions? options = null,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        cancellation.ThrowIfCancellationRequested();
        // Retention, not a reset: without statuses only finished instances go; a running one is never purged.
        var statuses = filter.Statuses?.Select(ToCore).Where(Finished.Contains).ToList() ?? [.. Finished];
        if (statuses.Count == 0) return new PurgeResult(0);
        var result = await Cast<IOrchestrationServicePurgeClient>().PurgeInstanceStateAsync(
            new PurgeInstanceFilter(filter.CreatedFrom?.UtcDateTime ?? DateTime.MinValue, filter.CreatedTo?.UtcDateTime, statuses));
        return new PurgeResult(result.DeletedInstanceCount);
    }

    public override async Task<string> RestartAsync(string instanceId, bool restartWithNewInstanceId = false, CancellationToken cancellation = default)
    {
        var old = await GetInstancesAsync(instanceId, true, cancellation) ?? throw new InstanceNotFoundException(instanceId);
        if (!restartWithNewInstanceId)
        {
            if (!old.IsCompleted) throw new InvalidOperationException($"instance '{instanceId}' is {old.RuntimeStatus}: terminate it before restarting it under the same id");
            await PurgeInstanceAsync(instanceId, cancellation: cancellation);
        }
        var instance = new OrchestrationInstance
        {
            InstanceId = restartWithNewInstanceId ? Guid.NewGuid().ToString("N") : instanceId,
            ExecutionId = Guid.NewGuid().ToString("N"),
        };
        await _client.CreateTaskOrchestrationAsync(new TaskMessage
        {
            OrchestrationInstance = instance,
            Event = new ExecutionStartedEvent(-1, old.SerializedInput) { Name = old.Name, OrchestrationInstance = instance },
        }, AnyStatus);
        return instance.InstanceId;
    }

    /// <summary>
    /// The instance's history as the backend stores it (<see cref="IOrchestrationServiceClient.GetOrchestrationHistoryAsync"/>:
    /// the current execution's events, oldest first). Backends answer with the framework's Newtonsoft JSON of the
    /// events, some with type names (SQLite), some without (Azure Storage): each event is read as the type its
    /// EventType names.
    /// </summary>
    public override async Task<IList<HistoryEvent>> GetOrchestrationHistoryAsync(string instanceId, CancellationToken cancellation = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        var state = await GetStateAsync(instanceId, cancellation) ?? throw new ArgumentException($"no orchestration instance '{instanceId}'", nameof(instanceId));
        string json;
        try
        {
            json = await _client.GetOrchestrationHistoryAsync(instanceId, state.OrchestrationInstance.ExecutionId);
        }
        catch (NotImplementedException e) // the in-process test host's in-memory service keeps no readable history
        {
            throw new NotSupportedException($"this backend's client ({_client.GetType().Name}) does not read orchestration history", e);
        }
        cancellation.ThrowIfCancellationRequested();
        return HistoryJson.Read(json);
    }

    public override ValueTask DisposeAsync() => default;

    private async Task<OrchestrationState?> GetStateAsync(string instanceId, CancellationToken cancellation)
    {
        cancellation.ThrowIfCancellationRequested();
        var states = await _client.GetOrchestrationStateAsync(instanceId, allExecutions: false);
        return states?.FirstOrDefault(s => s is not null);
    }

    private async Task<OrchestrationMetadata> PollAsync(string instanceId, bool getInputsAndOutputs,
        Func<Core.OrchestrationStatus, bool> done, CancellationToken cancellation)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        var pause = TimeSpan.FromMilliseconds(10);
        while (true)
        {
            var state = await GetStateAsync(instanceId, cancellation);
            if (state is not null && done(state.OrchestrationStatus)) return ToMetadata(state, getInputsAndOutputs);
            await Task.Delay(pause, cancellation);
            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, MaxPollInterval.Ticks));
        }
    }

    private Task SendAsync(string instanceId, HistoryEvent e, CancellationToken cancellation)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        cancellation.ThrowIfCancellationRequested();
        return _client.SendTaskOrchestrationMessageAsync(new TaskMessage { OrchestrationInstance = new OrchestrationInstance { InstanceId = instanceId }, Event = e });
    }

    private OrchestrationMetadata ToMetadata(OrchestrationState s, bool getInputsAndOutputs) =>
        new(s.Name, s.OrchestrationInstance.InstanceId)
        {
            DataConverter = _converter,
            RuntimeStatus = FromCore(s.OrchestrationStatus),
            CreatedAt = new DateTimeOffset(DateTime.SpecifyKind(s.CreatedTime, DateTimeKind.Utc)),
            LastUpdatedAt = new DateTimeOffset(DateTime.SpecifyKind(s.LastUpdatedTime, DateTimeKind.Utc)),
            SerializedInput = getInputsAndOutputs ? s.Input : null,
            SerializedOutput = getInputsAndOutputs ? s.Output : null,
            SerializedCustomStatus = s.Status,
            FailureDetails = ToDetails(s.FailureDetails) ?? FailureFromOutput(s),
        };

    /// <summary>
    /// The Azure Storage backend keeps a failed instance's failure details only as its output (the framework's JSON
    /// of FailureDetails, or a plain message): read them from there.
    /// </summary>
    private static TaskFailureDetails? FailureFromOutput(OrchestrationState s)
    {
        if (s.OrchestrationStatus != Core.OrchestrationStatus.Failed || string.IsNullOrEmpty(s.Output)) return null;
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(s.Output);
            if (doc.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
                && doc.RootElement.TryGetProperty("ErrorMessage", out var message))
                return new TaskFailureDetails(
                    doc.RootElement.TryGetProperty("ErrorType", out var type) ? type.GetString() ?? "" : "",
                    message.GetString() ?? "", null, null, null);
        }
        catch (System.Text.Json.JsonException)
        {
        }
        return new TaskFailureDetails("OrchestrationFailure", s.Output, null, null, null);
    }

    private static TaskFailureDetails? ToDetails(FailureDetails? d) =>
        d is null ? null : new TaskFailureDetails(d.ErrorType, d.ErrorMessage, d.StackTrace, ToDetails(d.InnerFailure), null);

    private T Cast<T>() where T : class =>
        _client as T ?? throw new NotSupportedException($"this backend's client ({_client.GetType().Name}) does not implement {typeof(T).Name}");

#pragma warning disable CS0618 // ContinuedAsNew and Canceled are obsolete in the SDK but a backend may still report them
    private static OrchestrationRuntimeStatus FromCore(Core.OrchestrationStatus s) => s switch
    {
        Core.OrchestrationStatus.Running => OrchestrationRuntimeStatus.Running,
        Core.OrchestrationStatus.Completed => OrchestrationRuntimeStatus.Completed,
        Core.OrchestrationStatus.ContinuedAsNew => OrchestrationRuntimeStatus.ContinuedAsNew,
        Core.OrchestrationStatus.Failed => OrchestrationRuntimeStatus.Failed,
        Core.OrchestrationStatus.Terminated => OrchestrationRuntimeStatus.Terminated,
        Core.OrchestrationStatus.Pending => OrchestrationRuntimeStatus.Pending,
        Core.OrchestrationStatus.Suspended => OrchestrationRuntimeStatus.Suspended,
        Core.OrchestrationStatus.Canceled => OrchestrationRuntimeStatus.Canceled,
        _ => throw new ArgumentOutOfRangeException(nameof(s), s, "unknown orchestration status"),
    };

    private static Core.OrchestrationStatus ToCore(OrchestrationRuntimeStatus s) => s switch
    {
        OrchestrationRuntimeStatus.Running => Core.OrchestrationStatus.Running,
        OrchestrationRuntimeStatus.Completed => Core.OrchestrationStatus.Completed,
        OrchestrationRuntimeStatus.ContinuedAsNew => Core.OrchestrationStatus.ContinuedAsNew,
        OrchestrationRuntimeStatus.Failed => Core.OrchestrationStatus.Failed,
        OrchestrationRuntimeStatus.Terminated => Core.OrchestrationStatus.Terminated,
        OrchestrationRuntimeStatus.Pending => Core.OrchestrationStatus.Pending,
        OrchestrationRuntimeStatus.Suspended => Core.OrchestrationStatus.Suspended,
        OrchestrationRuntimeStatus.Canceled => Core.OrchestrationStatus.Canceled,
        _ => throw new ArgumentOutOfRangeException(nameof(s), s, "unknown orchestration status"),
    };
#pragma warning restore CS0618
}
