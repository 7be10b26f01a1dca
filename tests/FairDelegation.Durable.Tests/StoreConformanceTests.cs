using System.Collections.Concurrent;
using System.Numerics;
using FairDelegation.Durable.Client;
using FairDelegation.Durable.History;
using FairDelegation.Durable.Stores;
using FairDelegation.Durable.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using FairDelegation.Testing;

namespace FairDelegation.Durable.Tests;

/// <summary>
/// The engine's behaviour, the same for every store: each concrete subclass runs all of these against its store.
/// Every test starts a real host (worker as hosted service) on a fresh store.
/// </summary>
public abstract class StoreConformanceTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    protected abstract IStoreProvider Stores { get; }

    private Task<EngineHost> StartAsync(Action<DurableTaskRegistry> tasks, Action<DurableTaskOptions>? options = null) =>
        EngineHost.StartAsync(Stores.NewStore(), tasks, options);

    private static async Task<OrchestrationMetadata> CompleteAsync(EngineHost host, string id)
    {
        using var cts = new CancellationTokenSource(Patience);
        return await host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, cts.Token);
    }

    private sealed record Order(string Item, BigInteger PriceWei);

    private sealed class Greet : TaskActivity<string, string>
    {
        public override Task<string> RunAsync(TaskActivityContext context, string input) => Task.FromResult($"hello {input}");
    }

    private sealed class Chain : TaskOrchestrator<Order, string>
    {
        public override async Task<string> RunAsync(TaskOrchestrationContext context, Order input)
        {
            context.SetCustomStatus(new { step = "greeting" });
            var a = await context.CallActivityAsync<string>(nameof(Greet), input.Item);
            var b = await context.CallActivityAsync<string>(nameof(Greet), a);
            context.SetCustomStatus(new { step = "done" });
            return $"{b} for {input.PriceWei + 1}";
        }
    }

    [Fact]
    public async Task Sequential_activities_complete_with_output_input_status_and_timestamps()
    {
        await using var host = await StartAsync(r => r.AddOrchestrator<Chain>().AddActivity<Greet>());
        var wei = BigInteger.Parse("123456789012345678901234567890");
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(Chain), new Order("x", wei));
        var m = await CompleteAsync(host, id);
        m.RuntimeStatus.Should().Be(OrchestrationRuntimeStatus.Completed);
        m.Name.Should().Be(nameof(Chain));
        m.ReadOutputAs<string>().Should().Be("hello hello x for 123456789012345678901234567891");
        m.ReadInputAs<Order>()!.PriceWei.Should().Be(wei, "BigInteger travels as a decimal string");
        m.SerializedInput.Should().Contain("\"123456789012345678901234567890\"");
        m.ReadCustomStatusAs<System.Text.Json.JsonElement>().GetProperty("step").GetString().Should().Be("done");
        m.LastUpdatedAt.Should().BeOnOrAfter(m.CreatedAt);
        (await host.Client.GetInstanceAsync(id))!.SerializedOutput.Should().BeNull("payloads only when asked for");
    }

    [Fact]
    public async Task Activity_failure_reaches_the_orchestrator_as_TaskFailedException_with_details()
    {
        await using var host = await StartAsync(r => r
            .AddActivityFunc<string, string>("Boom", (_, s) => s.Length >= 0 ? throw new InvalidOperationException($"bad {s}") : s)
            .AddOrchestratorFunc<string, string>("Catcher", async (ctx, s) =>
            {
                try { await ctx.CallActivityAsync<string>("Boom", s); return "no"; }
                catch (TaskFailedException e) { return $"{e.TaskName}|{e.FailureDetails.ErrorType}|{e.FailureDetails.ErrorMessage}|{e.FailureDetails.IsCausedBy<InvalidOperationException>()}"; }
            }));
        var m = await CompleteAsync(host, await host.Client.ScheduleNewOrchestrationInstanceAsync("Catcher", "input"));
        m.ReadOutputAs<string>().Should().Be("Boom|System.InvalidOperationException|bad input|True");
    }

    [Fact]
    public async Task Retries_exhausted_fail_the_instance_after_every_attempt_with_one_idempotency_key()
    {
        var keys = new ConcurrentBag<string>();
        await using var host = await StartAsync(r => r
            .AddActivityFunc<string, string>("Flaky", (ctx, _) => { keys.Add(ctx.IdempotencyKey); return keys.Count >= 0 ? throw new IOException("still down") : ""; })
            .AddOrchestratorFunc<string, string>("Retrying", (ctx, _) => ctx.CallActivityAsync<string>("Flaky", null,
                TaskOptions.FromRetryPolicy(new RetryPolicy(3, TimeSpan.FromMilliseconds(50), 2.0)))));
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("Retrying", "x");
        var m = await CompleteAsync(host, id);
        m.RuntimeStatus.Should().Be(OrchestrationRuntimeStatus.Failed);
        m.FailureDetails!.ErrorType.Should().Be(typeof(TaskFailedException).FullName);
        m.FailureDetails.ErrorMessage.Should().Contain("Flaky").And.Contain("still down");
        keys.Should().HaveCount(3).And.OnlyContain(k => k == $"{id}:0");
    }

    [Fact]
    public async Task Retry_succeeds_when_a_later_attempt_works()
    {
        var attempts = 0;
        await using var host = await StartAsync(r => r
            .AddActivityFunc<int, int>("Third", (_, x) => Interlocked.Increment(ref attempts) < 3 ? throw new IOException("not yet") : x * 2)
            .AddOrchestratorFunc<int, int>("R", (ctx, x) => ctx.CallActivityAsync<int>("Third", x,
                TaskOptions.FromRetryPolicy(new RetryPolicy(5, TimeSpan.FromMilliseconds(20))))));
        var m = await CompleteAsync(host, await host.Client.ScheduleNewOrchestrationInstanceAsync("R", 21));
        m.ReadOutputAs<int>().Should().Be(42);
        attempts.Should().Be(3);
    }

    [Fact]
    public async Task Timers_fire_in_due_order_and_advance_the_orchestration_clock()
    {
        await using var host = await StartAsync(r => r.AddOrchestratorFunc<int, string>("Timers", async (ctx, _) =>
        {
            var start = ctx.CurrentUtcDateTime;
            var pending = new Dictionary<Task, int>
            {
                [ctx.CreateTimer(TimeSpan.FromMilliseconds(600), CancellationToken.None)] = 600,
                [ctx.CreateTimer(start.AddMilliseconds(200), CancellationToken.None)] = 200,
                [ctx.CreateTimer(TimeSpan.FromMilliseconds(400), CancellationToken.None)] = 400,
            };
            var order = new List<int>();
            while (pending.Count > 0)
            {
                var done = await Task.WhenAny(pending.Keys);
                order.Add(pending[done]);
                pending.Remove(done);
            }
            var elapsed = ctx.CurrentUtcDateTime - start;
            // Timers already due when created arrive together in one episode: still in due order.
            var now = ctx.CurrentUtcDateTime;
            var late = new Dictionary<Task, int>
            {
                [ctx.CreateTimer(now.AddMilliseconds(-100), CancellationToken.None)] = -100,
                [ctx.CreateTimer(now.AddMilliseconds(-300), CancellationToken.None)] = -300,
                [ctx.CreateTimer(now.AddMilliseconds(-200), CancellationToken.None)] = -200,
            };
            while (late.Count > 0)
            {
                var done = await Task.WhenAny(late.Keys);
                order.Add(late[done]);
                late.Remove(done);
            }
            return $"{string.Join(",", order)}|{elapsed >= TimeSpan.FromMilliseconds(600)}";
        }));
        var m = await CompleteAsync(host, await host.Client.ScheduleNewOrchestrationInstanceAsync("Timers", 0));
        m.ReadOutputAs<string>().Should().Be("200,400,600,-300,-200,-100|True");
    }

    [Fact]
    public async Task Events_raised_before_the_orchestrator_waits_are_buffered_first_in_first_out_by_name()
    {
        await using var host = await StartAsync(r => r.AddOrchestratorFunc<int, string>("Buffered", async (ctx, _) =>
        {
            await ctx.WaitForExternalEvent<string>("go");
            var a1 = await ctx.WaitForExternalEvent<string>("A");
            var b = await ctx.WaitForExternalEvent<int>("b"); // names are case-insensitive
            var a2 = await ctx.WaitForExternalEvent<string>("A");
            return $"{a1},{b},{a2}";
        }));
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("Buffered", 0);
        await host.Client.RaiseEventAsync(id, "A", "first");
        await host.Client.RaiseEventAsync(id, "B", 7);
        await host.Client.RaiseEventAsync(id, "A", "second");
        await host.Client.RaiseEventAsync(id, "go");
        var m = await CompleteAsync(host, id);
        m.ReadOutputAs<string>().Should().Be("first,7,second");
    }

    [Fact]
    public async Task WaitForExternalEvent_with_timeout_throws_TimeoutException_and_a_late_event_waits_for_the_next_wait()
    {
        await using var host = await StartAsync(r => r.AddOrchestratorFunc<int, string>("Timeout", async (ctx, _) =>
        {
            string first;
            try { first = await ctx.WaitForExternalEvent<string>("reply", TimeSpan.FromMilliseconds(300)); }
            catch (TimeoutException) { first = "timeout"; }
            ctx.SetCustomStatus("waiting-again");
            var second = await ctx.WaitForExternalEvent<string>("reply");
            return $"{first},{second}";
        }));
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("Timeout", 0);
        await WaitForStatusAsync(host, id, "waiting-again");
        await host.Client.RaiseEventAsync(id, "reply", "late");
        (await CompleteAsync(host, id)).ReadOutputAs<string>().Should().Be("timeout,late");
    }

    [Fact]
    public async Task An_event_beating_its_timer_completes_at_once_and_the_cancelled_timer_is_harmless()
    {
        await using var host = await StartAsync(r => r.AddOrchestratorFunc<int, string>("Race", async (ctx, _) =>
        {
            using var cts = new CancellationTokenSource();
            var deadline = ctx.CreateTimer(TimeSpan.FromHours(1), cts.Token);
            var answer = ctx.WaitForExternalEvent<string>("answer");
            ctx.SetCustomStatus("waiting");
            if (await Task.WhenAny(answer, deadline) != answer) return "deadline";
            cts.Cancel();
            var second = await ctx.WaitForExternalEvent<string>("answer", TimeSpan.FromHours(1));
            return $"{await answer}+{second}";
        }));
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("Race", 0);
        await WaitForStatusAsync(host, id, "waiting");
        await host.Client.RaiseEventAsync(id, "answer", "yes");
        await host.Client.RaiseEventAsync(id, "answer", "again");
        var m = await CompleteAsync(host, id);
        m.ReadOutputAs<string>().Should().Be("yes+again");
    }

    [Fact]
    public async Task Terminate_during_a_wait_ends_the_instance_with_the_given_output()
    {
        await using var host = await StartAsync(r => r.AddOrchestratorFunc<int, string>("Waits", async (ctx, _) =>
        {
            ctx.SetCustomStatus("waiting");
            return await ctx.WaitForExternalEvent<string>("never");
        }));
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("Waits", 0);
        await WaitForStatusAsync(host, id, "waiting");
        await host.Client.TerminateInstanceAsync(id, new { reason = "customer cancelled" });
        var m = await CompleteAsync(host, id);
        m.RuntimeStatus.Should().Be(OrchestrationRuntimeStatus.Terminated);
        m.SerializedOutput.Should().Contain("customer cancelled");
        await host.Client.RaiseEventAsync(id, "never", "too late");
        await Task.Delay(300);
        (await host.Client.GetInstanceAsync(id))!.RuntimeStatus.Should().Be(OrchestrationRuntimeStatus.Terminated);
    }

    [Fact]
    public async Task Purge_removes_a_finished_instance_and_refuses_a_running_one()
    {
        await using var host = await StartAsync(r => r
            .AddOrchestratorFunc<int, int>("Quick", (_, x) => Task.FromResult(x))
            .AddOrchestratorFunc<int, int>("Slow", (ctx, _) => ctx.WaitForExternalEvent<int>("x")));
        var done = await host.Client.ScheduleNewOrchestrationInstanceAsync("Quick", 1);
        await CompleteAsync(host, done);
        var running = await host.Client.ScheduleNewOrchestrationInstanceAsync("Slow", 1);
        await host.Client.WaitForInstanceStartAsync(running);
        (await host.Client.PurgeInstanceAsync(done)).PurgedInstanceCount.Should().Be(1);
        (await host.Client.GetInstanceAsync(done)).Should().BeNull();
        (await host.Client.PurgeInstanceAsync(done)).PurgedInstanceCount.Should().Be(0);
        var refuse = () => host.Client.PurgeInstanceAsync(running);
        (await refuse.Should().ThrowAsync<InvalidOperationException>()).WithMessage("*Running*terminate it first*");
        var extra = await host.Client.ScheduleNewOrchestrationInstanceAsync("Quick", 3);
        await CompleteAsync(host, extra);
        (await host.Client.PurgeAllInstancesAsync(new PurgeInstancesFilter(DateTimeOffset.UtcNow.AddMinutes(-5)))).PurgedInstanceCount
            .Should().Be(1, "the finished one goes, the running one stays");
        (await host.Client.GetInstanceAsync(extra)).Should().BeNull();
        (await host.Client.GetInstanceAsync(running)).Should().NotBeNull();
        // A purged id may be used again.
        await host.Client.ScheduleNewOrchestrationInstanceAsync("Quick", 2, new StartOrchestrationOptions(done));
        (await CompleteAsync(host, done)).ReadOutputAs<int>().Should().Be(2);
    }

    [Fact]
    public async Task A_duplicate_instance_id_is_rejected_and_unknown_ids_are_reported()
    {
        await using var host = await StartAsync(r => r.AddOrchestratorFunc<int, int>("Quick", (_, x) => Task.FromResult(x)));
        await host.Client.ScheduleNewOrchestrationInstanceAsync("Quick", 1, new StartOrchestrationOptions("deal-1"));
        var again = () => host.Client.ScheduleNewOrchestrationInstanceAsync("Quick", 2, new StartOrchestrationOptions("deal-1"));
        (await again.Should().ThrowAsync<OrchestrationAlreadyExistsException>()).WithMessage("*'deal-1' already exists*");
        (await CompleteAsync(host, "deal-1")).ReadOutputAs<int>().Should().Be(1);
        var raise = () => host.Client.RaiseEventAsync("nobody", "x");
        await raise.Should().ThrowAsync<OrchestrationNotFoundException>();
        (await host.Client.GetInstanceAsync("nobody")).Should().BeNull();
    }

    [Fact]
    public async Task Query_filters_by_prefix_status_and_creation_time_and_pages_with_continuation_tokens()
    {
        await using var host = await StartAsync(r => r
            .AddOrchestratorFunc<int, int>("Quick", (_, x) => Task.FromResult(x))
            .AddOrchestratorFunc<int, int>("Slow", (ctx, _) => ctx.WaitForExternalEvent<int>("x")));
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        for (var i = 0; i < 7; i++)
            await host.Client.ScheduleNewOrchestrationInstanceAsync("Quick", i, new StartOrchestrationOptions($"q-{i}"));
        await host.Client.ScheduleNewOrchestrationInstanceAsync("Slow", 0, new StartOrchestrationOptions("other-1"));
        for (var i = 0; i < 7; i++) await CompleteAsync(host, $"q-{i}");
        await host.Client.WaitForInstanceStartAsync("other-1");

        var pages = new List<Page<OrchestrationMetadata>>();
        await foreach (var p in host.Client.GetAllInstancesAsync(new OrchestrationQuery { InstanceIdPrefix = "q-", PageSize = 3 }).AsPages())
            pages.Add(p);
        pages.Select(p => p.Values.Count).Should().Equal(3, 3, 1);
        pages.SelectMany(p => p.Values.Select(v => v.InstanceId)).Should().Equal(Enumerable.Range(0, 7).Select(i => $"q-{i}"));
        pages[^1].ContinuationToken.Should().BeNull();

        var running = await host.Client.QueryInstancesAsync(new OrchestrationQuery { Statuses = [OrchestrationRuntimeStatus.Running] });
        running.Values.Select(v => v.InstanceId).Should().Equal("other-1");
        var all = new List<OrchestrationMetadata>();
        await foreach (var m in host.Client.GetAllInstancesAsync(new OrchestrationQuery { CreatedFrom = before, CreatedTo = DateTimeOffset.UtcNow.AddSeconds(1), PageSize = 2 }))
            all.Add(m);
        all.Should().HaveCount(8);
        (await host.Client.QueryInstancesAsync(new OrchestrationQuery { CreatedFrom = DateTimeOffset.UtcNow.AddMinutes(1) })).Values.Should().BeEmpty();
    }

    [Fact]
    public async Task Payloads_over_the_limit_are_refused_with_a_clear_error_at_every_boundary()
    {
        var big = new string('x', 3000);
        await using var host = await StartAsync(r => r
            .AddActivityFunc<int, string>("Huge", (_, _) => big)
            .AddOrchestratorFunc<int, string>("Big", async (ctx, _) =>
            {
                try { await ctx.CallActivityAsync<string>("Huge", 0); return "no"; }
                catch (TaskFailedException e) { return e.FailureDetails.ErrorMessage; }
            })
            .AddOrchestratorFunc<int, int>("Waits", (ctx, _) => ctx.WaitForExternalEvent<int>("x")),
            o => o.MaxPayloadBytes = 2048);
        var start = () => host.Client.ScheduleNewOrchestrationInstanceAsync("Big", big);
        (await start.Should().ThrowAsync<PayloadTooLargeException>()).WithMessage("*over the 2048-byte payload limit*large data travels by reference*");
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("Waits", 0);
        var raise = () => host.Client.RaiseEventAsync(id, "x", big);
        await raise.Should().ThrowAsync<PayloadTooLargeException>();
        var m = await CompleteAsync(host, await host.Client.ScheduleNewOrchestrationInstanceAsync("Big", 0));
        m.ReadOutputAs<string>().Should().Contain("the output of activity 'Huge'").And.Contain("by reference");
    }

    [Fact]
    public async Task Code_that_no_longer_matches_its_history_fails_with_a_non_determinism_error_naming_the_step()
    {
        var store = Stores.NewStore();
        string id;
        await using (var v1 = await EngineHost.StartAsync(store, r => r
            .AddActivityFunc<int, int>("OpenEscrow", (_, x) => x)
            .AddActivityFunc<int, int>("CheckStamp", (_, x) => x)
            .AddOrchestratorFunc<int, int>("Deal", async (ctx, x) =>
            {
                await ctx.CallActivityAsync<int>("OpenEscrow", x);
                ctx.SetCustomStatus("waiting");
                return await ctx.WaitForExternalEvent<int>("paid");
            })))
        {
            id = await v1.Client.ScheduleNewOrchestrationInstanceAsync("Deal", 1);
            await WaitForStatusAsync(v1, id, "waiting");
        }
        await using var v2 = await EngineHost.StartAsync(Stores.SameStore(), r => r
            .AddActivityFunc<int, int>("OpenEscrow", (_, x) => x)
            .AddActivityFunc<int, int>("CheckStamp", (_, x) => x)
            .AddOrchestratorFunc<int, int>("Deal", async (ctx, x) =>
            {
                await ctx.CallActivityAsync<int>("CheckStamp", x); // changed while an instance was in flight
                return await ctx.WaitForExternalEvent<int>("paid");
            }));
        await v2.Client.RaiseEventAsync(id, "paid", 5);
        var m = await CompleteAsync(v2, id);
        m.RuntimeStatus.Should().Be(OrchestrationRuntimeStatus.Failed);
        m.FailureDetails!.ErrorType.Should().Be("NonDeterminismError");
        m.FailureDetails.ErrorMessage.Should().MatchRegex("history has TaskScheduled 'OpenEscrow' at position \\d+ but the orchestrator scheduled 'CheckStamp'");
    }

    [Fact]
    public async Task ContinueAsNew_restarts_with_new_input_and_keeps_unprocessed_events()
    {
        await using var host = await StartAsync(r => r
            .AddActivityFunc<int, int>("Inc", (_, x) => x + 1)
            .AddOrchestratorFunc<int, string>("Loop", async (ctx, n) =>
            {
                var next = await ctx.CallActivityAsync<int>("Inc", n);
                if (next < 3) { ctx.ContinueAsNew(next); return "continued"; }
                var e = await ctx.WaitForExternalEvent<string>("e", TimeSpan.FromSeconds(10));
                return $"{next}:{e}";
            }));
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("Loop", 0);
        await host.Client.RaiseEventAsync(id, "e", "kept");
        var m = await CompleteAsync(host, id);
        m.ReadOutputAs<string>().Should().Be("3:kept");
        m.ReadInputAs<int>().Should().Be(2);
    }

    [Fact]
    public async Task NewGuid_and_the_clock_are_the_same_on_replay_and_events_reach_other_instances()
    {
        await using var host = await StartAsync(r => r
            .AddActivityFunc<string, string>("Echo", (_, s) => s)
            .AddOrchestratorFunc<string, string>("Sender", async (ctx, target) =>
            {
                var g = ctx.NewGuid().ToString();
                var t = ctx.CurrentUtcDateTime.ToString("O");
                var echoed = await ctx.CallActivityAsync<string>("Echo", $"{g}|{t}");
                ctx.SendEvent(target, "hello", echoed == $"{g}|{t}");
                return echoed;
            })
            .AddOrchestratorFunc<int, bool>("Receiver", (ctx, _) => ctx.WaitForExternalEvent<bool>("hello")));
        var receiver = await host.Client.ScheduleNewOrchestrationInstanceAsync("Receiver", 0);
        await host.Client.ScheduleNewOrchestrationInstanceAsync("Sender", receiver);
        (await CompleteAsync(host, receiver)).ReadOutputAs<bool>().Should().BeTrue("replayed NewGuid and clock equal the first run's");
    }

    [Fact]
    public async Task Work_made_in_this_process_wakes_the_worker_at_once_without_waiting_for_a_poll()
    {
        // Polling every 5 minutes: only the in-process wake-ups can finish this within the test's patience. Each kind of
        // work item is made here: a new instance, a delayed start, activities scheduled by an episode, their results, a
        // durable timer coming due, an event raised through the client, an event sent by another instance.
        var noPolling = (DurableTaskOptions o) => { o.MinPollInterval = TimeSpan.FromMinutes(5); o.MaxPollInterval = TimeSpan.FromMinutes(5); };
        await using var host = await StartAsync(r => r
            .AddActivityFunc<int, int>("Inc", (_, x) => x + 1)
            .AddOrchestratorFunc<string, int>("Steps", async (ctx, receiver) =>
            {
                var x = 0;
                for (var i = 0; i < 3; i++) x = await ctx.CallActivityAsync<int>("Inc", x);
                await ctx.CreateTimer(ctx.CurrentUtcDateTime.AddMilliseconds(300), CancellationToken.None);
                ctx.SetCustomStatus("waiting");
                x += await ctx.WaitForExternalEvent<int>("go");
                ctx.SendEvent(receiver, "done", x);
                return x;
            })
            .AddOrchestratorFunc<int, int>("Receiver", async (ctx, _) => await ctx.WaitForExternalEvent<int>("done"))
            .AddOrchestratorFunc<int, int>("Later", (_, x) => Task.FromResult(x)), noPolling);
        await Task.Delay(300); // the worker's first, empty polls are done: it sleeps until woken
        var receiver = await host.Client.ScheduleNewOrchestrationInstanceAsync("Receiver", 0);
        var steps = await host.Client.ScheduleNewOrchestrationInstanceAsync("Steps", receiver);
        var later = await host.Client.ScheduleNewOrchestrationInstanceAsync("Later", 7,
            new StartOrchestrationOptions(StartAt: DateTimeOffset.UtcNow.AddMilliseconds(500)));
        using (var cts = new CancellationTokenSource(Patience))
        {
            while ((await host.Client.GetInstanceAsync(steps))!.SerializedCustomStatus is null) await Task.Delay(20, cts.Token);
        }
        await host.Client.RaiseEventAsync(steps, "go", 10);
        (await CompleteAsync(host, steps)).ReadOutputAs<int>().Should().Be(13);
        (await CompleteAsync(host, receiver)).ReadOutputAs<int>().Should().Be(13);
        (await CompleteAsync(host, later)).ReadOutputAs<int>().Should().Be(7);
    }

    [Fact]
    public async Task A_fan_out_beyond_the_free_activity_slots_runs_every_activity_once_without_polling()
    {
        // Two activity slots, eight activities scheduled by one episode: the worker takes what it has room for straight
        // from the commit (SQLite), the rest wait in the queue and the activity loop is woken for them.
        var runs = new ConcurrentDictionary<string, int>();
        await using var host = await StartAsync(r => r
            .AddActivityFunc<int, int>("Square", async (ctx, x) => { runs.AddOrUpdate(ctx.IdempotencyKey, 1, (_, n) => n + 1); await Task.Delay(50); return x * x; })
            .AddOrchestratorFunc<int, int>("FanOut", async (ctx, n) =>
                (await Task.WhenAll(Enumerable.Range(1, n).Select(i => ctx.CallActivityAsync<int>("Square", i)))).Sum()),
            o => { o.MinPollInterval = TimeSpan.FromMinutes(5); o.MaxPollInterval = TimeSpan.FromMinutes(5); o.MaxConcurrentActivities = 2; });
        await Task.Delay(300);
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("FanOut", 8);
        (await CompleteAsync(host, id)).ReadOutputAs<int>().Should().Be(204);
        runs.Should().HaveCount(8).And.OnlyContain(kv => kv.Value == 1);
    }

    [Fact]
    public async Task StartAt_keeps_an_instance_pending_until_its_time()
    {
        await using var host = await StartAsync(r => r.AddOrchestratorFunc<int, int>("Quick", (_, x) => Task.FromResult(x)));
        var startAt = DateTimeOffset.UtcNow.AddMilliseconds(2500);
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("Quick", 3, new StartOrchestrationOptions(StartAt: startAt));
        (await host.Client.GetInstanceAsync(id))!.RuntimeStatus.Should().Be(OrchestrationRuntimeStatus.Pending);
        var m = await CompleteAsync(host, id);
        m.ReadOutputAs<int>().Should().Be(3);
        m.LastUpdatedAt.Should().BeOnOrAfter(startAt.AddMilliseconds(-1));
    }

    [Fact]
    public async Task Two_workers_on_one_store_run_every_activity_once_and_lose_no_history()
    {
        var executions = new ConcurrentDictionary<string, int>();
        void Tasks(DurableTaskRegistry r) => r
            .AddActivityFunc<int, int>("Step", (ctx, x) => { executions.AddOrUpdate(ctx.IdempotencyKey, 1, (_, n) => n + 1); return x + 1; })
            .AddOrchestratorFunc<int, int>("Steps", async (ctx, x) =>
            {
                for (var i = 0; i < 4; i++) x = await ctx.CallActivityAsync<int>("Step", x);
                return x;
            });
        await using var a = await EngineHost.StartAsync(Stores.NewStore(), Tasks, o => o.OrchestrationBatchSize = 4);
        await using var b = await EngineHost.StartAsync(Stores.SameStore(), Tasks, o => o.OrchestrationBatchSize = 4);
        var ids = new List<string>();
        for (var i = 0; i < 30; i++) ids.Add(await (i % 2 == 0 ? a : b).Client.ScheduleNewOrchestrationInstanceAsync("Steps", i));
        foreach (var (id, i) in ids.Select((id, i) => (id, i)))
            (await CompleteAsync(a, id)).ReadOutputAs<int>().Should().Be(i + 4);
        executions.Should().HaveCount(120);
        executions.Values.Should().OnlyContain(n => n == 1);
        (a.Worker.ActivitiesCompleted + b.Worker.ActivitiesCompleted).Should().Be(120);
        (a.Worker.EpisodesCompleted + b.Worker.EpisodesCompleted).Should().BeGreaterThanOrEqualTo(30 * 2);
    }

    [Fact]
    public async Task A_durable_timer_survives_a_worker_restart()
    {
        var store = Stores.NewStore();
        static void Tasks(DurableTaskRegistry r) => r.AddOrchestratorFunc<int, string>("Sleeper", async (ctx, _) =>
        {
            ctx.SetCustomStatus("sleeping");
            await ctx.CreateTimer(TimeSpan.FromMilliseconds(800), CancellationToken.None);
            return "woke";
        });
        string id;
        await using (var first = await EngineHost.StartAsync(store, Tasks))
        {
            id = await first.Client.ScheduleNewOrchestrationInstanceAsync("Sleeper", 0);
            await WaitForStatusAsync(first, id, "sleeping");
        }
        await using var second = await EngineHost.StartAsync(Stores.SameStore(), Tasks);
        (await CompleteAsync(second, id)).ReadOutputAs<string>().Should().Be("woke");
    }

    private sealed record Step(string Name, BigInteger Wei);

    /// <summary>Shaped like the node's customer orchestration: ten steps, peer and chain waits with deadlines.</summary>
    private sealed class DelegationLike : TaskOrchestrator<BigInteger, string>
    {
        public override async Task<string> RunAsync(TaskOrchestrationContext context, BigInteger price)
        {
            var trail = new List<string>();
            var retry = TaskOptions.FromRetryPolicy(new RetryPolicy(3, TimeSpan.FromMilliseconds(30)));
            for (var i = 1; i <= 10; i++)
            {
                context.SetCustomStatus(new { step = $"Step{i}" });
                var done = await context.CallActivityAsync<Step>("Protocol", new Step($"Step{i}", price + i), retry);
                trail.Add($"{done.Name}:{done.Wei}");
                if (i == 3)
                {
                    // Peer answer with a deadline, SDK style.
                    try { trail.Add(await context.WaitForExternalEvent<string>("PeerAccepted", TimeSpan.FromMilliseconds(300))); }
                    catch (TimeoutException) { trail.Add("peer-timeout"); }
                }
                if (i == 6)
                {
                    // Chain event or deadline, whichever first; the deadline timer is cancelled.
                    using var cts = new CancellationTokenSource();
                    var deadline = context.CreateTimer(TimeSpan.FromMinutes(30), cts.Token);
                    var escrow = context.WaitForExternalEvent<Step>("EscrowOpened");
                    context.SetCustomStatus(new { step = "AwaitingEscrow" });
                    if (await Task.WhenAny(escrow, deadline) == escrow) { cts.Cancel(); trail.Add($"escrow:{(await escrow).Wei}"); }
                    else trail.Add("escrow-deadline");
                }
            }
            return string.Join(",", trail);
        }
    }

    [Fact]
    public async Task A_delegation_shaped_orchestration_with_retries_deadlines_and_chain_events_completes()
    {
        var failures = 0;
        await using var host = await StartAsync(r => r
            .AddOrchestrator<DelegationLike>()
            .AddActivityFunc<Step, Step>("Protocol", (_, s) => s.Name == "Step5" && Interlocked.Increment(ref failures) == 1 ? throw new IOException("rpc hiccup") : s));
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(DelegationLike), new BigInteger(1_000_000_000_000_000_000), new StartOrchestrationOptions("deal-42"));
        using (var cts = new CancellationTokenSource(Patience))
            while ((await host.Client.GetInstanceAsync(id, cts.Token))?.SerializedCustomStatus?.Contains("AwaitingEscrow") != true)
                await Task.Delay(20, cts.Token);
        await host.Client.RaiseEventAsync(id, "EscrowOpened", new Step("escrow", BigInteger.Parse("1000000000000000006")));
        var m = await CompleteAsync(host, id);
        m.RuntimeStatus.Should().Be(OrchestrationRuntimeStatus.Completed, m.FailureDetails?.ToString());
        var trail = m.ReadOutputAs<string>()!.Split(',');
        trail.Should().HaveCount(12);
        trail[3].Should().Be("peer-timeout");
        trail[7].Should().Be("escrow:1000000000000000006");
        trail[^1].Should().Be("Step10:1000000000000000010");
        failures.Should().Be(2, "Step5 failed once and was retried");
        m.ReadCustomStatusAs<System.Text.Json.JsonElement>().GetProperty("step").GetString().Should().Be("Step10");
    }

    [Fact]
    public async Task The_replay_safe_logger_writes_each_line_once_although_the_code_is_replayed()
    {
        var lines = new ConcurrentQueue<string>();
        await using var host = await EngineHost.StartAsync(Stores.NewStore(), r => r
            .AddActivityFunc<int, int>("Inc", (_, x) => x + 1)
            .AddOrchestratorFunc<int, int>("Logged", async (ctx, x) =>
            {
                var log = ctx.CreateReplaySafeLogger("Deal");
                log.LogInformation("start {X}", x);
                x = await ctx.CallActivityAsync<int>("Inc", x);
                log.LogInformation("middle {X}", x);
                x = await ctx.CallActivityAsync<int>("Inc", x);
                log.LogInformation("end {X}", x);
                return x;
            }), services: s => s.AddLogging(b => b.AddProvider(new CapturingLoggerProvider(lines))));
        (await CompleteAsync(host, await host.Client.ScheduleNewOrchestrationInstanceAsync("Logged", 0))).ReadOutputAs<int>().Should().Be(2);
        lines.Where(l => l.StartsWith("Deal:", StringComparison.Ordinal)).Should().Equal("Deal: start 0", "Deal: middle 1", "Deal: end 2");
    }

    private sealed class CapturingLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Capturing(categoryName, lines);
        public void Dispose() { }

        private sealed class Capturing(string category, ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => true;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue($"{category}: {formatter(state, exception)}");
        }
    }

    [Fact]
    public async Task An_unregistered_orchestrator_fails_the_instance_with_a_clear_message()
    {
        await using var host = await StartAsync(r => r.AddOrchestratorFunc<int, int>("Quick", (_, x) => Task.FromResult(x)));
        var m = await CompleteAsync(host, await host.Client.ScheduleNewOrchestrationInstanceAsync("Missing", 0));
        m.RuntimeStatus.Should().Be(OrchestrationRuntimeStatus.Failed);
        m.FailureDetails!.ErrorMessage.Should().Contain("no orchestrator named 'Missing'");
    }

    [Fact]
    public async Task A_worker_whose_lease_expired_cannot_commit_so_history_and_results_are_written_once()
    {
        await using var host = await EngineHost.StartAsync(Stores.NewStore(), _ => { }, o => o.RunWorker = false);
        var store = host.Services.GetRequiredService<IOrchestrationStore>();
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync("Any", 1);
        var lease = TimeSpan.FromMilliseconds(150);

        var a = (await store.LockOrchestrationsAsync("worker-a", 10, lease)).Should().ContainSingle().Subject;
        (await store.LockOrchestrationsAsync("worker-b", 10, lease)).Should().BeEmpty("a holds the lease");
        await Task.Delay(300);
        var b = (await store.LockOrchestrationsAsync("worker-b", 10, lease)).Should().ContainSingle().Subject;
        b.Messages.Select(m => m.Id).Should().Equal(a.Messages.Select(m => m.Id));

        OrchestrationEpisode Episode(string label) => new()
        {
            NewHistory = [new OrchestratorStarted(), new EventRaised(label, null)], Status = OrchestrationRuntimeStatus.Running, Generation = 0,
            Tasks = [new ActivityTaskRequest(0, "Act", null, $"{id}:0")],
        };
        (await store.CompleteOrchestrationAsync(a, Episode("a"), "worker-a")).Should().BeFalse("a's lease went to b");
        (await store.CompleteOrchestrationAsync(b, Episode("b"), "worker-b")).Should().BeTrue();
        (await store.CompleteOrchestrationAsync(b, Episode("b2"), "worker-b")).Should().BeFalse("the version moved on");

        // The instance's history holds b's episode once (seen through the next claim).
        await store.SendMessageAsync(id, new EventRaised("poke", null));
        var next = (await store.LockOrchestrationsAsync("worker-c", 10, lease)).Should().ContainSingle().Subject;
        next.History.OfType<EventRaised>().Select(e => e.Name).Should().Equal("b");

        // Activities: only the current lease holder's result is saved.
        var ta = (await store.LockActivitiesAsync("worker-a", 10, lease)).Should().ContainSingle().Subject;
        ta.IdempotencyKey.Should().Be($"{id}:0");
        await Task.Delay(300);
        var tb = (await store.LockActivitiesAsync("worker-b", 10, lease)).Should().ContainSingle().Subject;
        tb.DequeueCount.Should().Be(2);
        (await store.CompleteActivitiesAsync([new ActivityResult(ta, new TaskCompleted(0, "\"a\""))])).Should().Equal(false);
        (await store.CompleteActivitiesAsync([new ActivityResult(tb, new TaskCompleted(0, "\"b\""))])).Should().Equal(true);
        (await store.LockActivitiesAsync("worker-c", 10, lease)).Should().BeEmpty();
    }

    private static async Task WaitForStatusAsync(EngineHost host, string id, string status)
    {
        using var cts = new CancellationTokenSource(Patience);
        while ((await host.Client.GetInstanceAsync(id, cts.Token))?.ReadCustomStatusAs<string>() != status)
            await Task.Delay(20, cts.Token);
    }
}

public sealed class SqliteConformanceTests : StoreConformanceTests, IDisposable
{
    private readonly SqliteStoreProvider _stores = new();
    protected override IStoreProvider Stores => _stores;
    public void Dispose() => _stores.Dispose();
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresConformanceTests(PostgresCluster cluster) : StoreConformanceTests
{
    protected override IStoreProvider Stores { get; } = new PostgresStoreProvider(cluster);

    [Fact]
    public async Task A_worker_in_another_process_is_woken_by_LISTEN_NOTIFY_not_by_polling()
    {
        // Two hosts = two store instances: no shared in-process signal. Polling is set to 60 s, so only a
        // notification can make the worker see the new instance, its activity result and the event in time.
        var noPolling = (DurableTaskOptions o) => { o.MinPollInterval = TimeSpan.FromSeconds(60); o.MaxPollInterval = TimeSpan.FromSeconds(60); };
        await using var worker = await EngineHost.StartAsync(Stores.NewStore(), r => r
            .AddActivityFunc<int, int>("Inc", (_, x) => x + 1)
            .AddOrchestratorFunc<int, int>("Notified", async (ctx, x) => await ctx.CallActivityAsync<int>("Inc", x) + await ctx.WaitForExternalEvent<int>("e")), noPolling);
        await Task.Delay(300); // let the worker's first (empty) polls happen, so it is asleep
        await using var client = await EngineHost.StartAsync(Stores.SameStore(), _ => { }, o => { noPolling(o); o.RunWorker = false; });
        var id = await client.Client.ScheduleNewOrchestrationInstanceAsync("Notified", 1);
        await client.Client.RaiseEventAsync(id, "e", 10);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        (await client.Client.WaitForInstanceCompletionAsync(id, true, cts.Token)).ReadOutputAs<int>().Should().Be(12);
    }
}
