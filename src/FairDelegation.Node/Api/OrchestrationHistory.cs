using System.Text.Json;
using System.Text.Json.Serialization;
using DurableTask.Core.History;

namespace FairDelegation.Node.Api;

/// <summary>
/// One entry of <c>historyEvents</c>, in the shape Durable Functions' status route gives with <c>showHistory=true</c>:
/// PascalCase fields, the event type as a name, an activity's completion or failure carrying the activity's name
/// (<c>FunctionName</c>) and when it was scheduled (<c>ScheduledTime</c>); fields an event does not have are left out.
/// </summary>
public sealed record HistoryEventView
{
    [JsonPropertyName("EventType")] public required string EventType { get; init; }

    [JsonPropertyName("FunctionName"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? FunctionName { get; init; }

    /// <summary>An external event's or a sent event's name.</summary>
    [JsonPropertyName("Name"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Name { get; init; }

    [JsonPropertyName("Timestamp")] public required DateTimeOffset Timestamp { get; init; }

    [JsonPropertyName("ScheduledTime"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public DateTimeOffset? ScheduledTime { get; init; }

    /// <summary>A timer's due time.</summary>
    [JsonPropertyName("FireAt"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public DateTimeOffset? FireAt { get; init; }

    /// <summary>ExecutionCompleted: how the orchestration ended.</summary>
    [JsonPropertyName("OrchestrationStatus"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? OrchestrationStatus { get; init; }

    /// <summary>A failure's message (TaskFailed, SubOrchestrationInstanceFailed, a failed ExecutionCompleted).</summary>
    [JsonPropertyName("Reason"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Reason { get; init; }

    /// <summary>A failure's type and message (never its stack trace).</summary>
    [JsonPropertyName("FailureDetails"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public HistoryFailureView? FailureDetails { get; init; }

    /// <summary>An activity's or the orchestration's result: only with <c>showHistoryOutput=true</c>.</summary>
    [JsonPropertyName("Result"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public JsonElement? Result { get; init; }

    /// <summary>
    /// ExecutionStarted's input (only with <c>showInput=true</c>), an external event's payload (only with
    /// <c>showHistoryOutput=true</c>), a termination's reason (always).
    /// </summary>
    [JsonPropertyName("Input"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public JsonElement? Input { get; init; }
}

/// <summary>A failure in a history event: the error's type and message.</summary>
public sealed record HistoryFailureView([property: JsonPropertyName("ErrorType")] string ErrorType, [property: JsonPropertyName("ErrorMessage")] string ErrorMessage);

/// <summary>
/// Turns the engine's history (<see cref="DurableTaskClient.GetOrchestrationHistoryAsync"/>) into Durable Functions'
/// <c>historyEvents</c>: the replay bookkeeping (OrchestratorStarted/Completed) and the scheduling events are left
/// out, each completion or failure names its activity (or sub-orchestration) and its scheduling time; payloads only
/// when asked for. Failures carry their type and message, never a stack trace or the serialized exception.
/// </summary>
public static class OrchestrationHistory
{
    public static IReadOnlyList<HistoryEventView> Project(IEnumerable<HistoryEvent> history, bool showInput, bool showHistoryOutput)
    {
        var events = history.ToList();
        // Completions point at their scheduling event by its EventId: the activity's (or sub-orchestration's) name and time.
        var scheduled = events.Where(e => e is TaskScheduledEvent or SubOrchestrationInstanceCreatedEvent).GroupBy(e => e.EventId)
            .ToDictionary(g => g.Key, g => (Name: g.First() is TaskScheduledEvent ts ? ts.Name : ((SubOrchestrationInstanceCreatedEvent)g.First()).Name, At: Utc(g.First().Timestamp)));
        HistoryEventView From(HistoryEventView view, int scheduledId) => scheduled.TryGetValue(scheduledId, out var s)
            ? view with { FunctionName = s.Name, ScheduledTime = s.At }
            : view;
        var views = new List<HistoryEventView>();
        foreach (var e in events)
        {
            var view = new HistoryEventView { EventType = e.EventType.ToString(), Timestamp = Utc(e.Timestamp) };
            switch (e)
            {
                case ExecutionStartedEvent s:
                    views.Add(view with { FunctionName = s.Name, Input = showInput ? Json(s.Input) : null });
                    break;
                case TaskCompletedEvent c:
                    views.Add(From(view, c.TaskScheduledId) with
                    {
                        Result = showHistoryOutput ? Json(c.Result) : null,
                    });
                    break;
                case TaskFailedEvent f:
                    views.Add(From(view, f.TaskScheduledId) with
                    {
                        Reason = f.FailureDetails?.ErrorMessage ?? f.Reason,
                        FailureDetails = Failure(f.FailureDetails, f.Reason),
                    });
                    break;
                case SubOrchestrationInstanceCompletedEvent c:
                    views.Add(From(view, c.TaskScheduledId) with
                    {
                        Result = showHistoryOutput ? Json(c.Result) : null,
                    });
                    break;
                case SubOrchestrationInstanceFailedEvent f:
                    views.Add(From(view, f.TaskScheduledId) with
                    {
                        Reason = f.FailureDetails?.ErrorMessage ?? f.Reason,
                        FailureDetails = Failure(f.FailureDetails, f.Reason),
                    });
                    break;
                case TimerFiredEvent timer:
                    views.Add(view with { FireAt = Utc(timer.FireAt) });
                    break;
                case EventRaisedEvent r:
                    views.Add(view with { Name = r.Name, Input = showHistoryOutput ? Json(r.Input) : null });
                    break;
                case EventSentEvent s:
                    views.Add(view with { Name = s.Name, Input = showHistoryOutput ? Json(s.Input) : null });
                    break;
                case ContinueAsNewEvent: // an ExecutionCompletedEvent too: the new execution's input is its Result
                    views.Add(view with { Result = showHistoryOutput ? Json(((ExecutionCompletedEvent)e).Result) : null });
                    break;
                case ExecutionCompletedEvent c:
                    var failed = c.OrchestrationStatus == DurableTask.Core.OrchestrationStatus.Failed;
                    views.Add(view with
                    {
                        OrchestrationStatus = c.OrchestrationStatus.ToString(),
                        Result = showHistoryOutput && !failed ? Json(c.Result) : null,
                        Reason = failed ? c.FailureDetails?.ErrorMessage ?? c.Result : null,
                        FailureDetails = failed ? Failure(c.FailureDetails, c.Result) : null,
                    });
                    break;
                case ExecutionTerminatedEvent terminated:
                    views.Add(view with { Input = Json(terminated.Input) });
                    break;
                case ExecutionSuspendedEvent s:
                    views.Add(view with { Reason = s.Reason });
                    break;
                case ExecutionResumedEvent r:
                    views.Add(view with { Reason = r.Reason });
                    break;
                // OrchestratorStarted/Completed (replay bookkeeping), TaskScheduled and SubOrchestrationInstanceCreated
                // (folded into their completions), TimerCreated (its TimerFired says when), GenericEvent, HistoryState:
                // Durable Functions leaves them out too.
            }
        }
        return views;
    }

    private static HistoryFailureView? Failure(DurableTask.Core.FailureDetails? details, string? reason)
    {
        if (details is not null)
        {
            var innermost = details;
            while (innermost.InnerFailure is { } inner) innermost = inner;
            return new HistoryFailureView(innermost.ErrorType, details.ErrorMessage);
        }
        return reason is null ? null : new HistoryFailureView("", reason);
    }

    private static DateTimeOffset Utc(DateTime t) => new(DateTime.SpecifyKind(t.Kind == DateTimeKind.Local ? t.ToUniversalTime() : t, DateTimeKind.Utc));

    private static JsonElement? Json(string? serialized)
    {
        if (string.IsNullOrEmpty(serialized)) return null;
        try { return JsonDocument.Parse(serialized).RootElement.Clone(); }
        catch (JsonException) { return JsonSerializer.SerializeToElement(serialized); }
    }
}
