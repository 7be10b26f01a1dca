using System.Collections.Concurrent;
using System.Numerics;
using FairDelegation.Testing;
using FairDelegation.Workflows;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FairDelegation.Workflows.Tests;

/// <summary>
/// What the node's orchestrations rely on, run on each backend through the real stack: Microsoft.DurableTask
/// orchestrators and activities in the Durable Task Framework's TaskHubWorker, driven by our DurableTaskClient.
/// </summary>
public abstract class ConformanceTests : IAsyncLifetime
{
    private IHost _host = null!;
    protected DurableTaskClient Client = null!;

    /// <summary>Side effects of the test activities, per test instance (several hosts never share a test).</summary>
    private static readonly ConcurrentDictionary<string, int> Attempts = new();
    private static readonly ConcurrentDictionary<string, bool> Flags = new();

    protected abstract DurableOptions Backend();

    /// <summary>Whether the backend answers history reads (the in-process test host's in-memory service does not).</summary>
    protected virtual bool KeepsHistory => true;

    public async Task InitializeAsync()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddDurableWorkflows(Backend(), r => r
            .AddOrchestrator<Chain>().AddActivity<Add>()
            .AddOrchestrator<TimerThenEvent>()
            .AddOrchestrator<WaitForGo>()
            .AddOrchestrator<WaitWithTimeout>()
            .AddOrchestrator<RetryThenFail>().AddActivity<AlwaysFails>()
            .AddOrchestrator<Wage>().AddActivity<DoubleWage>()
            .AddOrchestrator<Drifting>());
        _host = builder.Build();
        await _host.StartAsync();
        Client = _host.Services.GetRequiredService<DurableTaskClient>();
    }

    public async Task DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try { await _host.StopAsync(cts.Token); } catch (OperationCanceledException) { }
        await ((IAsyncDisposable)_host).DisposeAsync(); // the backends are IAsyncDisposable
    }

    private static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    private async Task<OrchestrationMetadata> CompletionAsync(string id)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        return await Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, cts.Token);
    }

    // Orchestrators and activities of the suite ------------------------------------------------------------

    public sealed class Chain : TaskOrchestrator<int, int>
    {
        public override async Task<int> RunAsync(TaskOrchestrationContext context, int input)
        {
            for (var i = 1; i <= 5; i++)
            {
                input = await context.CallActivityAsync<int>(nameof(Add), new AddInput(input, i));
                context.SetCustomStatus(new { step = i });
            }
            return input;
        }
    }

    public sealed record AddInput(int Value, int By);

    public sealed class Add : TaskActivity<AddInput, int>
    {
        public override Task<int> RunAsync(TaskActivityContext context, AddInput input) => Task.FromResult(input.Value + input.By);
    }

    public sealed class TimerThenEvent : TaskOrchestrator<string?, string>
    {
        public override async Task<string> RunAsync(TaskOrchestrationContext context, string? input)
        {
            // Azure Storage queues count visibility in whole seconds: a timer may fire up to a second early there.
            await context.CreateTimer(TimeSpan.FromSeconds(2), CancellationToken.None);
            var e = await context.WaitForExternalEvent<string>("Go");
            return $"{e} after the timer";
        }
    }

    public sealed class WaitForGo : TaskOrchestrator<string?, string>
    {
        public override async Task<string> RunAsync(TaskOrchestrationContext context, string? input) =>
            await context.WaitForExternalEvent<string>("Go");
    }

    public sealed class WaitWithTimeout : TaskOrchestrator<int, string>
    {
        public override async Task<string> RunAsync(TaskOrchestrationContext context, int seconds)
        {
            try
            {
                return await context.WaitForExternalEvent<string>("Never", TimeSpan.FromSeconds(seconds));
            }
            catch (TaskCanceledException)
            {
                return "timed out";
            }
        }
    }

    public sealed class RetryThenFail : TaskOrchestrator<string, string>
    {
        public override async Task<string> RunAsync(TaskOrchestrationContext context, string key)
        {
            try
            {
                await context.CallActivityAsync(nameof(AlwaysFails), key,
                    TaskOptions.FromRetryPolicy(new RetryPolicy(3, TimeSpan.FromMilliseconds(100), 2.0)));
                return "no failure?";
            }
            catch (TaskFailedException e)
            {
                return $"{e.TaskName}|{e.FailureDetails.ErrorType}|{e.FailureDetails.ErrorMessage}";
            }
        }
    }

    public sealed class AlwaysFails : TaskActivity<string, object?>
    {
        public override Task<object?> RunAsync(TaskActivityContext context, string key)
        {
            var n = Attempts.AddOrUpdate(key, 1, (_, v) => v + 1);
            throw new InvalidOperationException($"attempt {n} failed");
        }
    }

    public sealed record WageInput(BigInteger Wei);

    public sealed class Wage : TaskOrchestrator<WageInput, WageInput>
    {
        public override Task<WageInput> RunAsync(TaskOrchestrationContext context, WageInput input) =>
            context.CallActivityAsync<WageInput>(nameof(DoubleWage), input);
    }

    public sealed class DoubleWage : TaskActivity<WageInput, WageInput>
    {
        public override Task<WageInput> RunAsync(TaskActivityContext context, WageInput input) => Task.FromResult(new WageInput(input.Wei * 2));
    }

    /// <summary>Schedules Add first; once its flag is set (a code change between episodes) it schedules DoubleWage instead.</summary>
    public sealed class Drifting : TaskOrchestrator<string, string>
    {
        public override async Task<string> RunAsync(TaskOrchestrationContext context, string key)
        {
            if (Flags.ContainsKey(key)) await context.CallActivityAsync<WageInput>(nameof(DoubleWage), new WageInput(1));
            else await context.CallActivityAsync<int>(nameof(Add), new AddInput(1, 1));
            await context.WaitForExternalEvent<string>("Continue");
            return "done";
        }
    }

    // The cases --------------------------------------------------------------------------------------------

    [Fact]
    public async Task A_chain_of_activities_replays_to_its_result_with_custom_status()
    {
        var id = await Client.ScheduleNewOrchestrationInstanceAsync(nameof(Chain), 10, new StartOrchestrationOptions(NewId("chain")));
        var done = await CompletionAsync(id);
        done.RuntimeStatus.Should().Be(OrchestrationRuntimeStatus.Completed);
        done.ReadOutputAs<int>().Should().Be(10 + 1 + 2 + 3 + 4 + 5);
        done.ReadInputAs<int>().Should().Be(10);
        done.ReadCustomStatusAs<System.Text.Json.JsonElement>().GetProperty("step").GetInt32().Should().Be(5);
        done.Name.Should().Be(nameof(Chain));
    }

    [Fact]
    public async Task The_history_reads_back_as_the_framework_events_with_names_times_and_failures()
    {
        var id = await Client.ScheduleNewOrchestrationInstanceAsync(nameof(Chain), 10, new StartOrchestrationOptions(NewId("history")));
        await CompletionAsync(id);
        if (!KeepsHistory)
        {
            await FluentActions.Awaiting(() => Client.GetOrchestrationHistoryAsync(id)).Should().ThrowAsync<NotSupportedException>();
            return;
        }
        var history = await Client.GetOrchestrationHistoryAsync(id);
        history.OfType<DurableTask.Core.History.ExecutionStartedEvent>().Should().ContainSingle().Which.Name.Should().Be(nameof(Chain));
        history.OfType<DurableTask.Core.History.TaskScheduledEvent>().Select(e => e.Name).Should().Equal(Enumerable.Repeat(nameof(Add), 5));
        var completed = history.OfType<DurableTask.Core.History.TaskCompletedEvent>().ToList();
        completed.Should().HaveCount(5);
        completed.Select(e => e.TaskScheduledId).Should().Equal(history.OfType<DurableTask.Core.History.TaskScheduledEvent>().Select(e => e.EventId));
        completed.Should().OnlyContain(e => e.Timestamp > DateTime.UtcNow.AddHours(-1) && e.Timestamp <= DateTime.UtcNow.AddMinutes(1));
        history.OfType<DurableTask.Core.History.ExecutionCompletedEvent>().Should().ContainSingle()
            .Which.OrchestrationStatus.Should().Be(DurableTask.Core.OrchestrationStatus.Completed);

        // A failed activity's event keeps its failure's type and message.
        var failing = await Client.ScheduleNewOrchestrationInstanceAsync(nameof(RetryThenFail), NewId("history-retry"));
        await CompletionAsync(failing);
        var failed = (await Client.GetOrchestrationHistoryAsync(failing)).OfType<DurableTask.Core.History.TaskFailedEvent>().ToList();
        failed.Should().HaveCount(3);
        failed.Last().FailureDetails!.ErrorType.Should().Be("System.InvalidOperationException");
        failed.Last().FailureDetails!.ErrorMessage.Should().Be("attempt 3 failed");

        await FluentActions.Awaiting(() => Client.GetOrchestrationHistoryAsync("no-such-" + Guid.NewGuid().ToString("N"))).Should().ThrowAsync<ArgumentException>();
    }

    [Fact]
    public async Task A_BigInteger_wage_travels_exactly_through_client_orchestrator_and_activity()
    {
        var wei = BigInteger.Parse("123456789012345678901234567890");
        var id = await Client.ScheduleNewOrchestrationInstanceAsync(nameof(Wage), new WageInput(wei));
        var done = await CompletionAsync(id);
        done.ReadOutputAs<WageInput>()!.Wei.Should().Be(wei * 2);
        done.SerializedInput.Should().Contain("\"123456789012345678901234567890\"", "wei travel as decimal strings");
    }

    [Fact]
    public async Task A_durable_timer_fires_and_an_event_raised_before_the_wait_is_kept_for_it()
    {
        var started = DateTime.UtcNow;
        var id = await Client.ScheduleNewOrchestrationInstanceAsync(nameof(TimerThenEvent), null, new StartOrchestrationOptions(NewId("timer")));
        await Client.WaitForInstanceStartAsync(id);
        await Client.RaiseEventAsync(id, "Go", "event"); // while the orchestrator still waits on its timer
        var done = await CompletionAsync(id);
        done.ReadOutputAs<string>().Should().Be("event after the timer");
        (DateTime.UtcNow - started).Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(1), "the 2 s timer held the instance (at whole-second granularity)");
    }

    [Fact]
    public async Task Events_raised_right_after_scheduling_reach_instances_that_had_not_started_yet()
    {
        // A provider's Quote orchestration is scheduled and the customer's request raised on it moments later: on the
        // Azure Storage backend an event dequeued before its instance's ExecutionStarted was discarded (the client now
        // waits for the instance to leave Pending). Many at once, so that some are raised while still Pending.
        var ids = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            Client.ScheduleNewOrchestrationInstanceAsync(nameof(WaitForGo), null, new StartOrchestrationOptions(NewId($"early-{i}")))));
        await Task.WhenAll(ids.Select(id => Client.RaiseEventAsync(id, "Go", id)));
        foreach (var id in ids)
        {
            var done = await CompletionAsync(id);
            done.RuntimeStatus.Should().Be(OrchestrationRuntimeStatus.Completed, $"{id} should have received its event");
            done.ReadOutputAs<string>().Should().Be(id);
        }
    }

    [Fact]
    public async Task WaitForExternalEvent_with_a_timeout_ends_with_TaskCanceledException()
    {
        var id = await Client.ScheduleNewOrchestrationInstanceAsync(nameof(WaitWithTimeout), 1);
        var done = await CompletionAsync(id);
        done.RuntimeStatus.Should().Be(OrchestrationRuntimeStatus.Completed);
        done.ReadOutputAs<string>().Should().Be("timed out");
    }

    [Fact]
    public async Task Retries_exhausted_reach_the_orchestrator_as_TaskFailedException_with_the_activity_error()
    {
        var key = NewId("retry");
        var id = await Client.ScheduleNewOrchestrationInstanceAsync(nameof(RetryThenFail), key);
        var done = await CompletionAsync(id);
        done.ReadOutputAs<string>().Should().Be($"{nameof(AlwaysFails)}|System.InvalidOperationException|attempt 3 failed");
        Attempts[key].Should().Be(3);
    }

    [Fact]
    public async Task Terminate_during_a_wait_ends_the_instance_with_the_given_output()
    {
        var id = await Client.ScheduleNewOrchestrationInstanceAsync(nameof(WaitWithTimeout), 3600);
        await Client.WaitForInstanceStartAsync(id);
        await Client.TerminateInstanceAsync(id, "stopped by the test");
        var done = await CompletionAsync(id);
        done.RuntimeStatus.Should().Be(OrchestrationRuntimeStatus.Terminated);
        done.ReadOutputAs<string>().Should().Be("stopped by the test");
    }

    [Fact]
    public async Task An_event_for_an_unknown_instance_and_a_second_start_with_the_same_id_are_refused()
    {
        await Client.Invoking(c => c.RaiseEventAsync(NewId("nobody"), "Go", "x")).Should().ThrowAsync<InstanceNotFoundException>();
        var id = await Client.ScheduleNewOrchestrationInstanceAsync(nameof(Chain), 1, new StartOrchestrationOptions(NewId("twice")));
        await CompletionAsync(id);
        await Client.Invoking(c => c.ScheduleNewOrchestrationInstanceAsync(nameof(Chain), 1, new StartOrchestrationOptions(id)))
            .Should().ThrowAsync<DurableTask.Core.Exceptions.OrchestrationAlreadyExistsException>();
    }

    [Fact]
    public async Task Purge_removes_a_finished_instance_and_refuses_a_running_one()
    {
        var running = await Client.ScheduleNewOrchestrationInstanceAsync(nameof(WaitWithTimeout), 3600);
        await Client.WaitForInstanceStartAsync(running);
        await Client.Invoking(c => c.PurgeInstanceAsync(running)).Should().ThrowAsync<InvalidOperationException>();

        var id = await Client.ScheduleNewOrchestrationInstanceAsync(nameof(Chain), 1);
        await CompletionAsync(id);
        (await Client.PurgeInstanceAsync(id)).PurgedInstanceCount.Should().Be(1);
        (await Client.GetInstanceAsync(id)).Should().BeNull();
        await Client.TerminateInstanceAsync(running);
    }

    [Fact]
    public async Task Queries_filter_by_prefix_and_status_and_page()
    {
        var prefix = NewId("query");
        var ids = new List<string>();
        for (var i = 0; i < 3; i++) ids.Add(await Client.ScheduleNewOrchestrationInstanceAsync(nameof(Chain), i, new StartOrchestrationOptions($"{prefix}-{i}")));
        foreach (var id in ids) await CompletionAsync(id);
        var waiting = await Client.ScheduleNewOrchestrationInstanceAsync(nameof(WaitWithTimeout), 3600, new StartOrchestrationOptions($"{prefix}-w"));
        await Client.WaitForInstanceStartAsync(waiting);

        var all = new List<OrchestrationMetadata>();
        await foreach (var m in Client.GetAllInstancesAsync(new OrchestrationQuery { InstanceIdPrefix = prefix })) all.Add(m);
        all.Select(m => m.InstanceId).Should().BeEquivalentTo([.. ids, waiting]);

        var completed = new List<string>();
        await foreach (var m in Client.GetAllInstancesAsync(new OrchestrationQuery { InstanceIdPrefix = prefix, Statuses = [OrchestrationRuntimeStatus.Completed] }))
            completed.Add(m.InstanceId);
        completed.Should().BeEquivalentTo(ids);

        var page = await Client.QueryInstancesAsync(new OrchestrationQuery { InstanceIdPrefix = prefix, PageSize = 2 });
        page.Values.Should().HaveCountLessThanOrEqualTo(2);
        await Client.TerminateInstanceAsync(waiting);
    }

    [Fact]
    public async Task A_code_change_under_a_running_instance_fails_it_with_the_step_named()
    {
        var key = NewId("drift");
        var id = await Client.ScheduleNewOrchestrationInstanceAsync(nameof(Drifting), key, new StartOrchestrationOptions(key));
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
            while ((await Client.GetInstanceAsync(id))?.RuntimeStatus != OrchestrationRuntimeStatus.Running) await Task.Delay(50, cts.Token);
        // Let the first episode's activity finish, then "deploy" the changed code and wake the instance.
        await Task.Delay(TimeSpan.FromSeconds(2));
        Flags[key] = true;
        await Client.RaiseEventAsync(id, "Continue", "go");
        var done = await CompletionAsync(id);
        done.RuntimeStatus.Should().Be(OrchestrationRuntimeStatus.Failed);
        done.FailureDetails!.ErrorMessage.Should().Contain(nameof(Add), "the message names the step that no longer matches the history");
    }
}

public sealed class SqliteConformanceTests : ConformanceTests, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fd-workflows-").FullName;

    protected override DurableOptions Backend() => new() { Backend = DurableBackend.Sqlite, Sqlite = { Path = Path.Combine(_dir, "durable.db") } };

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}

public sealed class InMemoryConformanceTests : ConformanceTests
{
    protected override DurableOptions Backend() => new() { Backend = DurableBackend.InMemory };

    protected override bool KeepsHistory => false;
}

/// <summary>One Azurite (blob, queue, table) per class; a fresh task hub per test.</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    public AzuriteProcess Azurite { get; private set; } = null!;
    public async Task InitializeAsync() => Azurite = await AzuriteProcess.StartAsync(inMemory: true, queuesAndTables: true);
    public async Task DisposeAsync() => await Azurite.DisposeAsync();
}

public sealed class AzureStorageConformanceTests(AzuriteFixture fixture) : ConformanceTests, IClassFixture<AzuriteFixture>
{
    protected override DurableOptions Backend() => new()
    {
        Backend = DurableBackend.AzureStorage,
        AzureStorage = new AzureStorageBackendOptions
        {
            ConnectionString = fixture.Azurite.StorageConnectionString,
            TaskHubName = "conf" + Guid.NewGuid().ToString("N")[..12],
            PartitionCount = 1,
            MaxQueuePollingInterval = TimeSpan.FromMilliseconds(200),
        },
    };
}
