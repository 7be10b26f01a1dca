using System.Globalization;
using FairDelegation.Durable.History;
using Microsoft.Extensions.Logging;

namespace FairDelegation.Durable.Worker;

/// <summary>
/// The context given to orchestrator code during one episode. Every call that schedules something (activity,
/// timer, event sent) takes the next sequence number and becomes a pending action; the executor matches pending
/// actions against the history's recorded ones and turns the unmatched rest into new work.
/// </summary>
internal sealed class ReplayOrchestrationContext : TaskOrchestrationContext
{
    private readonly DurableTaskOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly Dictionary<int, OpenTask> _open = new();
    private readonly SortedDictionary<int, HistoryEvent> _pending = new();
    private readonly Dictionary<string, LinkedList<EventWaiter>> _waiters = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Queue<string?>> _buffered = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<(string Name, string? Input)> _bufferedInOrder = new();
    private int _nextId;
    private int _guidCounter;

    public ReplayOrchestrationContext(string instanceId, TaskName name, int generation, DurableTaskOptions options,
        ILoggerFactory loggerFactory, string? customStatus)
    {
        InstanceId = instanceId;
        Name = name;
        Generation = generation;
        _options = options;
        _loggerFactory = loggerFactory;
        CustomStatus = customStatus;
    }

    public override TaskName Name { get; }
    public override string InstanceId { get; }
    public int Generation { get; }
    public override DateTime CurrentUtcDateTime => CurrentTime;
    public DateTime CurrentTime { get; set; }
    public override bool IsReplaying => Replaying;
    public bool Replaying { get; set; }
    public string? SerializedInput { get; set; }
    public string? CustomStatus { get; private set; }
    public (string? Input, bool PreserveEvents)? ContinueAsNewRequest { get; private set; }

    private DataConverter Converter => _options.DataConverter;

    public override T? GetInput<T>() where T : default => Converter.Deserialize<T>(SerializedInput);

    // ---- actions ---------------------------------------------------------------------------------------

    public override async Task<TResult> CallActivityAsync<TResult>(TaskName name, object? input = null, TaskOptions? options = null)
    {
        if (string.IsNullOrWhiteSpace(name.Name)) throw new ArgumentException("an activity name is required", nameof(name));
        var inputJson = Serialize(input, $"the input of activity '{name}'");
        var policy = options?.Retry?.Policy;
        var firstId = -1;
        var started = CurrentUtcDateTime;
        for (var attempt = 1; ; attempt++)
        {
            var id = _nextId++;
            if (firstId < 0) firstId = id;
            var key = Generation == 0
                ? string.Create(CultureInfo.InvariantCulture, $"{InstanceId}:{firstId}")
                : string.Create(CultureInfo.InvariantCulture, $"{InstanceId}:{Generation}:{firstId}");
            var tcs = new TaskCompletionSource<string?>();
            _open[id] = new OpenTask(OpenTaskKind.Activity, name.Name, tcs);
            _pending[id] = new TaskScheduled(id, name.Name, inputJson, key);
            try
            {
                var result = await tcs.Task;
                return Converter.Deserialize<TResult>(result)!;
            }
            catch (TaskFailedException e) when (policy is not null && attempt < policy.MaxNumberOfAttempts
                                                && (policy.HandleFailure?.Invoke(e.FailureDetails) ?? true)
                                                && (policy.RetryTimeout == Timeout.InfiniteTimeSpan
                                                    || CurrentUtcDateTime + policy.DelayBefore(attempt + 1) - started <= policy.RetryTimeout))
            {
                await CreateTimer(CurrentUtcDateTime + policy.DelayBefore(attempt + 1), CancellationToken.None);
            }
        }
    }

    public override Task CreateTimer(DateTime fireAt, CancellationToken cancellationToken)
    {
        var fireAtUtc = fireAt.Kind == DateTimeKind.Local ? fireAt.ToUniversalTime() : DateTime.SpecifyKind(fireAt, DateTimeKind.Utc);
        var id = _nextId++;
        var tcs = new TaskCompletionSource<string?>();
        _open[id] = new OpenTask(OpenTaskKind.Timer, "timer", tcs);
        _pending[id] = new TimerCreated(id, fireAtUtc);
        if (cancellationToken.CanBeCanceled)
            cancellationToken.Register(() => tcs.TrySetCanceled(cancellationToken));
        return tcs.Task;
    }

    public override Task<T> WaitForExternalEvent<T>(string eventName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(eventName);
        if (TryTakeBuffered(eventName, out var buffered)) return Task.FromResult(Converter.Deserialize<T>(buffered)!);
        var waiter = new EventWaiter(new TaskCompletionSource<string?>());
        if (!_waiters.TryGetValue(eventName, out var list)) _waiters[eventName] = list = new LinkedList<EventWaiter>();
        var node = list.AddLast(waiter);
        if (cancellationToken.CanBeCanceled)
        {
            cancellationToken.Register(() =>
            {
                // A cancelled wait must not swallow a later event: take the waiter out of the queue.
                if (node.List is not null) list.Remove(node);
                waiter.Source.TrySetCanceled(cancellationToken);
            });
        }
        return Deserialize<T>(waiter.Source.Task);
    }

    private async Task<T> Deserialize<T>(Task<string?> raw) => Converter.Deserialize<T>(await raw)!;

    public override async Task<T> WaitForExternalEvent<T>(string eventName, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(eventName);
        if (timeout < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "the timeout must not be negative");
        if (TryTakeBuffered(eventName, out var buffered)) return Converter.Deserialize<T>(buffered)!;
        using var timerCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var eventCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var timer = CreateTimer(CurrentUtcDateTime + timeout, timerCts.Token);
        var evt = WaitForExternalEvent<T>(eventName, eventCts.Token);
        var first = await Task.WhenAny(evt, timer);
        if (first == evt)
        {
            timerCts.Cancel();
            return await evt;
        }
        eventCts.Cancel();
        cancellationToken.ThrowIfCancellationRequested();
        throw new TimeoutException($"orchestration '{InstanceId}': event '{eventName}' did not arrive within {timeout}");
    }

    public override void SendEvent(string instanceId, string eventName, object? payload)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(instanceId);
        ArgumentException.ThrowIfNullOrWhiteSpace(eventName);
        var json = Serialize(payload, $"the payload of event '{eventName}'");
        var id = _nextId++;
        _pending[id] = new EventSent(id, instanceId, eventName, json);
    }

    public override void SetCustomStatus(object? customStatus) =>
        CustomStatus = Serialize(customStatus, "the custom status");

    public override Guid NewGuid() =>
        DeterministicGuid.Create(string.Create(CultureInfo.InvariantCulture, $"{InstanceId}_{Generation}_{CurrentUtcDateTime:O}_{_guidCounter++}"));

    public override void ContinueAsNew(object? newInput = null, bool preserveUnprocessedEvents = true) =>
        ContinueAsNewRequest = (Serialize(newInput, "the ContinueAsNew input"), preserveUnprocessedEvents);

    public override ILogger CreateReplaySafeLogger(string categoryName) =>
        new ReplaySafeLogger(_loggerFactory.CreateLogger(categoryName), () => Replaying);

    private string? Serialize(object? value, string what)
    {
        var json = Converter.Serialize(value);
        _options.CheckPayload(json, what);
        return json;
    }

    // ---- driven by the executor -----------------------------------------------------------------------

    /// <summary>Actions the code has scheduled and history has not (yet) confirmed, by sequence number.</summary>
    public SortedDictionary<int, HistoryEvent> PendingActions => _pending;

    public void CompleteTask(int id, string? result)
    {
        if (_open.Remove(id, out var t)) t.Source.TrySetResult(result);
    }

    public void FailTask(int id, TaskFailureDetails failure)
    {
        if (_open.Remove(id, out var t) && t.Kind == OpenTaskKind.Activity)
            t.Source.TrySetException(new TaskFailedException(t.Name, id, failure));
    }

    public void RaiseEvent(string name, string? input)
    {
        if (_waiters.TryGetValue(name, out var list) && list.First is { } node)
        {
            list.RemoveFirst();
            node.Value.Source.TrySetResult(input);
            return;
        }
        if (!_buffered.TryGetValue(name, out var q)) _buffered[name] = q = new Queue<string?>();
        q.Enqueue(input);
        _bufferedInOrder.Add((name, input));
    }

    private bool TryTakeBuffered(string name, out string? input)
    {
        if (_buffered.TryGetValue(name, out var q) && q.Count > 0)
        {
            input = q.Dequeue();
            var i = _bufferedInOrder.FindIndex(x => string.Equals(x.Name, name, StringComparison.OrdinalIgnoreCase));
            if (i >= 0) _bufferedInOrder.RemoveAt(i);
            return true;
        }
        input = null;
        return false;
    }

    /// <summary>Events received but never waited for, oldest first (carried over by ContinueAsNew).</summary>
    public IReadOnlyList<(string Name, string? Input)> UnconsumedEvents => _bufferedInOrder;

    private enum OpenTaskKind { Activity, Timer }

    private sealed record OpenTask(OpenTaskKind Kind, string Name, TaskCompletionSource<string?> Source);

    private sealed record EventWaiter(TaskCompletionSource<string?> Source);
}
