namespace FairDelegation.Durable;

/// <summary>Engine settings: payload limit, leases, polling and concurrency of the worker.</summary>
public sealed class DurableTaskOptions
{
    /// <summary>Largest serialized input, output, event payload or custom status, in bytes (UTF-8).</summary>
    public int MaxPayloadBytes { get; set; } = 256 * 1024;

    /// <summary>How long a claimed work item stays invisible to other workers; renewed while an activity runs.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The first poll delay after an empty poll; doubled up to <see cref="MaxPollInterval"/>.</summary>
    public TimeSpan MinPollInterval { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>The longest wait between polls when there is nothing to do and no wake-up arrives.</summary>
    public TimeSpan MaxPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Orchestration instances claimed per poll (their episodes run one after another).</summary>
    public int OrchestrationBatchSize { get; set; } = 32;

    /// <summary>Orchestration episodes running at once in this worker.</summary>
    public int MaxConcurrentOrchestrations { get; set; } = 8;

    /// <summary>Activities running at once in this worker.</summary>
    public int MaxConcurrentActivities { get; set; } = 32;

    /// <summary>Identifies this worker in leases (lock owner); unique per process by default.</summary>
    public string WorkerId { get; set; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";

    /// <summary>False for a client-only host (it schedules and queries but runs nothing).</summary>
    public bool RunWorker { get; set; } = true;

    /// <summary>The serializer of every payload.</summary>
    public DataConverter DataConverter { get; set; } = JsonDataConverter.Default;

    internal void Validate()
    {
        if (MaxPayloadBytes < 1024) throw new ArgumentOutOfRangeException(nameof(MaxPayloadBytes), MaxPayloadBytes, "at least 1024 bytes");
        if (LeaseDuration < TimeSpan.FromMilliseconds(200)) throw new ArgumentOutOfRangeException(nameof(LeaseDuration), LeaseDuration, "at least 200 ms");
        if (MinPollInterval <= TimeSpan.Zero || MaxPollInterval < MinPollInterval)
            throw new ArgumentOutOfRangeException(nameof(MaxPollInterval), MaxPollInterval, "poll intervals must be positive with max >= min");
        if (OrchestrationBatchSize < 1 || MaxConcurrentOrchestrations < 1 || MaxConcurrentActivities < 1)
            throw new ArgumentOutOfRangeException(nameof(OrchestrationBatchSize), "batch size and concurrency must be at least 1");
    }

    /// <summary>Checks a serialized payload against the limit; the message names what was too large.</summary>
    public void CheckPayload(string? serialized, string what)
    {
        if (serialized is null) return;
        // Fast path: a UTF-8 byte count is at most 3 per UTF-16 char.
        if (serialized.Length * 3 <= MaxPayloadBytes) return;
        var size = System.Text.Encoding.UTF8.GetByteCount(serialized);
        if (size > MaxPayloadBytes) throw new PayloadTooLargeException(what, size, MaxPayloadBytes);
    }
}
