using System.Text.Json;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace FairDelegation.Functions.Tests.Doubles;

/// <summary>
/// A DurableTaskClient that keeps instances in memory. The real one of a Functions app talks gRPC to the Functions
/// host, which cannot run here; this double records what the HTTP functions ask of the client.
/// </summary>
public sealed class FakeDurableTaskClient(JsonSerializerOptions json) : DurableTaskClient("fake")
{
    private readonly Dictionary<string, OrchestrationMetadata> _instances = new(StringComparer.Ordinal);

    /// <summary>Every scheduled start, in order: orchestrator name, instance id, input.</summary>
    public List<(string Name, string InstanceId, object? Input)> Started { get; } = [];

    /// <summary>Every raised event: instance id, event name, payload.</summary>
    public List<(string InstanceId, string EventName, object? Payload)> Raised { get; } = [];

    public override Task<string> ScheduleNewOrchestrationInstanceAsync(TaskName orchestratorName, object? input = null,
        StartOrchestrationOptions? options = null, CancellationToken cancellation = default)
    {
        var id = options?.InstanceId ?? Guid.NewGuid().ToString("N");
        Started.Add((orchestratorName.Name, id, input));
        _instances[id] = new OrchestrationMetadata(orchestratorName.Name, id)
        {
            RuntimeStatus = OrchestrationRuntimeStatus.Pending, CreatedAt = DateTimeOffset.UtcNow, LastUpdatedAt = DateTimeOffset.UtcNow,
            SerializedInput = input is null ? null : JsonSerializer.Serialize(input, input.GetType(), json),
        };
        return Task.FromResult(id);
    }

    /// <summary>Sets an instance as the engine would have left it.</summary>
    public void Put(OrchestrationMetadata metadata) => _instances[metadata.InstanceId] = metadata;

    public override Task RaiseEventAsync(string instanceId, string eventName, object? eventPayload = null, CancellationToken cancellation = default)
    {
        Raised.Add((instanceId, eventName, eventPayload));
        return Task.CompletedTask;
    }

    public override Task<OrchestrationMetadata?> GetInstancesAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) =>
        Task.FromResult(_instances.GetValueOrDefault(instanceId));

    public override AsyncPageable<OrchestrationMetadata> GetAllInstancesAsync(OrchestrationQuery? filter = null) =>
        Pageable.Create((string? token, int? size, CancellationToken _) =>
        {
            var all = _instances.Values.Where(m => filter?.InstanceIdPrefix is not { } p || m.InstanceId.StartsWith(p, StringComparison.Ordinal))
                .Where(m => filter?.Statuses is not { } s || s.Contains(m.RuntimeStatus)).OrderBy(m => m.InstanceId, StringComparer.Ordinal).ToList();
            var skip = token is null ? 0 : int.Parse(token);
            var take = size ?? filter?.PageSize ?? 100;
            var page = all.Skip(skip).Take(take).ToList();
            return Task.FromResult(new Page<OrchestrationMetadata>(page, skip + take < all.Count ? (skip + take).ToString() : null));
        });

    public override Task<OrchestrationMetadata> WaitForInstanceStartAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) =>
        throw new NotSupportedException();

    public override Task<OrchestrationMetadata> WaitForInstanceCompletionAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) =>
        throw new NotSupportedException();

    public override Task SuspendInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) => throw new NotSupportedException();

    public override Task ResumeInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) => throw new NotSupportedException();

    public override Task TerminateInstanceAsync(string instanceId, TerminateInstanceOptions? options = null, CancellationToken cancellation = default) =>
        throw new NotSupportedException();

    public override Task<PurgeResult> PurgeInstanceAsync(string instanceId, PurgeInstanceOptions? options = null, CancellationToken cancellation = default) =>
        Task.FromResult(new PurgeResult(_instances.Remove(instanceId) ? 1 : 0));

    public override Task<PurgeResult> PurgeAllInstancesAsync(PurgeInstancesFilter filter, PurgeInstanceOptions? options = null, CancellationToken cancellation = default) =>
        throw new NotSupportedException();

    public override ValueTask DisposeAsync() => default;
}
