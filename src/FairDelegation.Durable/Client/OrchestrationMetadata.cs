using FairDelegation.Durable;

namespace FairDelegation.Durable.Client;

/// <summary>A snapshot of one orchestration instance, as returned by the client.</summary>
public sealed record OrchestrationMetadata(string Name, string InstanceId)
{
    public OrchestrationRuntimeStatus RuntimeStatus { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset LastUpdatedAt { get; init; }
    /// <summary>Null unless the instance was read with getInputsAndOutputs.</summary>
    public string? SerializedInput { get; init; }
    public string? SerializedOutput { get; init; }
    public string? SerializedCustomStatus { get; init; }
    public TaskFailureDetails? FailureDetails { get; init; }

    /// <summary>Set by the client so the Read* helpers use the engine's serializer.</summary>
    internal DataConverter DataConverter { get; init; } = JsonDataConverter.Default;

    public bool IsRunning => RuntimeStatus == OrchestrationRuntimeStatus.Running;
    public bool IsCompleted => RuntimeStatus.IsTerminal();

    public T? ReadInputAs<T>() => DataConverter.Deserialize<T>(SerializedInput);
    public T? ReadOutputAs<T>() => DataConverter.Deserialize<T>(SerializedOutput);
    public T? ReadCustomStatusAs<T>() => DataConverter.Deserialize<T>(SerializedCustomStatus);
}
