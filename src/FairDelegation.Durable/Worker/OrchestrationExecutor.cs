using FairDelegation.Durable.Client;
using FairDelegation.Durable.History;
using FairDelegation.Durable.Stores;
using Microsoft.Extensions.Logging;

namespace FairDelegation.Durable.Worker;

/// <summary>
/// Runs one episode of an orchestration: replays its history through the orchestrator code (IsReplaying),
/// checks that the code schedules exactly what history recorded, feeds the new messages, and returns what
/// to commit. Deterministic: everything runs on one thread under <see cref="OrchestrationSynchronizationContext"/>.
/// </summary>
internal static class OrchestrationExecutor
{
    public static OrchestrationEpisode Execute(OrchestrationWorkItem item, IReadOnlyList<InboundMessage> messages,
        Func<ITaskOrchestrator> createOrchestrator, DurableTaskOptions options, ILoggerFactory loggerFactory, DateTime nowUtc)
    {
        var ctx = new ReplayOrchestrationContext(item.InstanceId, item.Name, item.Generation, options, loggerFactory, item.CustomStatus);
        var sync = new OrchestrationSynchronizationContext();
        var newHistory = new List<HistoryEvent>();
        Task<object?>? run = null;
        var previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(sync);
        var consumed = 0;
        try
        {
            void Start(ExecutionStarted started)
            {
                ctx.SerializedInput = started.Input;
                ITaskOrchestrator orchestrator;
                object? input;
                try
                {
                    orchestrator = createOrchestrator();
                    input = options.DataConverter.Deserialize(started.Input, orchestrator.InputType);
                }
                catch (Exception e)
                {
                    run = Task.FromException<object?>(e);
                    return;
                }
                try
                {
                    run = orchestrator.RunAsync(ctx, input);
                }
                catch (Exception e)
                {
                    run = Task.FromException<object?>(e);
                }
            }

            void Apply(HistoryEvent e, int position, bool recorded)
            {
                switch (e)
                {
                    case OrchestratorStarted:
                        ctx.CurrentTime = e.Timestamp;
                        break;
                    case ExecutionStarted started:
                        if (run is null) Start(started);
                        break;
                    case TaskScheduled or TimerCreated or EventSent when recorded:
                        MatchRecordedAction(ctx, e, position);
                        break;
                    case TaskCompleted c:
                        ctx.CompleteTask(c.TaskScheduledId, c.Result);
                        break;
                    case TaskFailed f:
                        ctx.FailTask(f.TaskScheduledId, f.Failure);
                        break;
                    case TimerFired t:
                        ctx.CompleteTask(t.TimerId, null);
                        break;
                    case EventRaised r:
                        ctx.RaiseEvent(r.Name, r.Input);
                        break;
                }
                sync.RunPending();
            }

            ctx.Replaying = true;
            for (var i = 0; i < item.History.Count; i++) Apply(item.History[i], i, recorded: true);
            if (item.History.Count > 0 && run is { IsCompleted: true })
            {
                // History says the instance is still running, yet the code already returned: it changed.
                throw new NonDeterministicOrchestrationException(
                    $"orchestration '{item.InstanceId}' ({item.Name}): the orchestrator returned while replaying its {item.History.Count} history events, " +
                    "but history shows it still running (the code changed)");
            }
            ctx.Replaying = false;

            var begin = new OrchestratorStarted { Timestamp = nowUtc };
            newHistory.Add(begin);
            Apply(begin, item.History.Count, recorded: false);
            foreach (var m in messages)
            {
                if (run is { IsCompleted: true }) break;
                var e = m.Event.Timestamp == default ? m.Event with { Timestamp = nowUtc } : m.Event;
                newHistory.Add(e);
                consumed++;
                Apply(e, item.History.Count + newHistory.Count - 1, recorded: false);
            }
        }
        catch (NonDeterministicOrchestrationException e)
        {
            var failure = new TaskFailureDetails(NonDeterministicOrchestrationException.ErrorTypeName, e.Message, null);
            return Failed(item, newHistory.Count == 0 ? [new OrchestratorStarted { Timestamp = nowUtc }] : newHistory, failure, ctx.CustomStatus, nowUtc);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }

        // New actions, in the order the code scheduled them.
        var tasks = new List<ActivityTaskRequest>();
        var outbound = new List<OutboundMessage>();
        foreach (var (_, action) in ctx.PendingActions)
        {
            var stamped = action with { Timestamp = nowUtc };
            newHistory.Add(stamped);
            switch (stamped)
            {
                case TaskScheduled s:
                    tasks.Add(new ActivityTaskRequest(s.EventId, s.Name, s.Input, s.IdempotencyKey));
                    break;
                case TimerCreated t:
                    outbound.Add(new OutboundMessage(item.InstanceId, item.Generation, new TimerFired(t.EventId, t.FireAt), t.FireAt));
                    break;
                case EventSent s:
                    outbound.Add(new OutboundMessage(s.InstanceId, null, new EventRaised(s.Name, s.Input) { Timestamp = nowUtc }, nowUtc));
                    break;
            }
        }

        if (run is null || !run.IsCompleted)
        {
            return new OrchestrationEpisode
            {
                NewHistory = newHistory, Status = OrchestrationRuntimeStatus.Running, Generation = item.Generation,
                CustomStatus = ctx.CustomStatus, Tasks = tasks, Messages = outbound,
            };
        }

        // The code returned (or threw): only events to other instances still go out.
        var eventsOut = outbound.Where(m => m.Event is EventRaised).ToList();
        if (run.IsFaulted || run.IsCanceled)
        {
            var error = run.Exception?.InnerException ?? (Exception?)run.Exception ?? new TaskCanceledException("the orchestrator's task was cancelled");
            return Failed(item, newHistory, TaskFailureDetails.FromException(error), ctx.CustomStatus, nowUtc, eventsOut);
        }

        if (ctx.ContinueAsNewRequest is { } can)
        {
            // New execution: empty history, ExecutionStarted (and carried-over events) queued as messages.
            var next = item.Generation + 1;
            var carry = new List<OutboundMessage>(eventsOut)
            {
                new(item.InstanceId, next, new ExecutionStarted(item.Name, can.Input, next) { Timestamp = nowUtc }, nowUtc),
            };
            if (can.PreserveEvents)
            {
                foreach (var (name, input) in ctx.UnconsumedEvents)
                    carry.Add(new OutboundMessage(item.InstanceId, next, new EventRaised(name, input) { Timestamp = nowUtc }, nowUtc));
                foreach (var m in messages.Skip(consumed))
                    if (m.Event is EventRaised r) carry.Add(new OutboundMessage(item.InstanceId, next, r, nowUtc));
            }
            return new OrchestrationEpisode
            {
                NewHistory = [], ResetHistory = true, Status = OrchestrationRuntimeStatus.Running, Generation = next,
                InputChanged = true, NewInput = can.Input, CustomStatus = ctx.CustomStatus, Messages = carry,
            };
        }

        string? output;
        try
        {
            output = options.DataConverter.Serialize(run.Result);
            options.CheckPayload(output, $"the output of orchestration '{item.InstanceId}'");
        }
        catch (Exception e)
        {
            return Failed(item, newHistory, TaskFailureDetails.FromException(e), ctx.CustomStatus, nowUtc, eventsOut);
        }
        newHistory.Add(new ExecutionCompleted(OrchestrationRuntimeStatus.Completed, output, null) { Timestamp = nowUtc });
        return new OrchestrationEpisode
        {
            NewHistory = newHistory, Status = OrchestrationRuntimeStatus.Completed, Generation = item.Generation,
            Output = output, CustomStatus = ctx.CustomStatus, Messages = eventsOut,
        };
    }

    private static OrchestrationEpisode Failed(OrchestrationWorkItem item, List<HistoryEvent> newHistory, TaskFailureDetails failure,
        string? customStatus, DateTime nowUtc, IReadOnlyList<OutboundMessage>? messages = null)
    {
        newHistory.Add(new ExecutionCompleted(OrchestrationRuntimeStatus.Failed, null, failure) { Timestamp = nowUtc });
        return new OrchestrationEpisode
        {
            NewHistory = newHistory, Status = OrchestrationRuntimeStatus.Failed, Generation = item.Generation,
            Failure = failure, CustomStatus = customStatus, Messages = messages ?? [],
        };
    }

    /// <summary>A recorded action must be what the code scheduled under the same sequence number.</summary>
    private static void MatchRecordedAction(ReplayOrchestrationContext ctx, HistoryEvent recorded, int position)
    {
        var id = recorded switch
        {
            TaskScheduled s => s.EventId,
            TimerCreated t => t.EventId,
            EventSent s => s.EventId,
            _ => throw new InvalidOperationException("not an action"),
        };
        if (!ctx.PendingActions.Remove(id, out var scheduled))
            throw new NonDeterministicOrchestrationException(
                $"orchestration '{ctx.InstanceId}' ({ctx.Name}): history has {recorded.Describe()} at position {position} " +
                "but the orchestrator scheduled nothing there (the code changed, or it awaits something that is not the context's)");
        var same = (recorded, scheduled) switch
        {
            (TaskScheduled a, TaskScheduled b) => string.Equals(a.Name, b.Name, StringComparison.OrdinalIgnoreCase),
            (TimerCreated, TimerCreated) => true,
            (EventSent a, EventSent b) => a.InstanceId == b.InstanceId && string.Equals(a.Name, b.Name, StringComparison.OrdinalIgnoreCase),
            _ => false,
        };
        if (!same)
            throw new NonDeterministicOrchestrationException(
                $"orchestration '{ctx.InstanceId}' ({ctx.Name}): history has {recorded.Describe()} at position {position} " +
                $"but the orchestrator scheduled {Describe(scheduled)}");
    }

    private static string Describe(HistoryEvent action) => action switch
    {
        TaskScheduled s => $"'{s.Name}'",
        TimerCreated => "a timer",
        EventSent s => $"event '{s.Name}' to '{s.InstanceId}'",
        _ => action.Describe(),
    };
}
