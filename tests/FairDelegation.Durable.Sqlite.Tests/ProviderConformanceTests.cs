using DurableTask.Core;
using DurableTask.Core.Exceptions;
using DurableTask.Core.History;
using DurableTask.Core.Query;

namespace FairDelegation.Durable.Sqlite.Tests;

/// <summary>Real orchestrations through the framework's TaskHubWorker and TaskHubClient on the SQLite provider.</summary>
public sealed class ProviderConformanceTests : IAsyncLifetime
{
    private TaskHubFixture _f = null!;

    public async Task InitializeAsync() => _f = await TaskHubFixture.StartAsync();
    public async Task DisposeAsync() => await _f.DisposeAsync();

    [Fact]
    public async Task Five_activities_in_a_row_replay_to_the_result()
    {
        var instance = await _f.StartAsync(nameof(Sequence), "x");
        var state = await _f.WaitAsync(instance);
        state.OrchestrationStatus.Should().Be(OrchestrationStatus.Completed);
        state.Output.Should().Be("\"x0.1.2.3.4.\"");
        var history = await _f.Client.GetOrchestrationHistoryAsync(instance);
        history.Should().Contain("TaskCompleted");
        // Every episode appended to one history: 5 scheduled, 5 completed, one start, one end.
        var events = Newtonsoft.Json.Linq.JArray.Parse(history);
        events.Count(e => (string?)e["EventType"] == "TaskScheduled" || (int?)e["EventType"] == (int)EventType.TaskScheduled).Should().Be(5);
    }

    [Fact]
    public async Task A_fresh_provider_on_the_same_file_reloads_the_history()
    {
        var instance = await _f.StartAsync(nameof(LateWait), 1);
        await _f.WaitForStateAsync(instance.InstanceId, s => s.Status == "\"waiting\"");
        await _f.Hub.DisposeAsync();
        // A new worker knows nothing of the old one's cached history: it must replay from the file.
        await using var second = await FairDelegation.Durable.Sqlite.TestWorker.TestTaskHub.StartAsync(
            new SqliteOrchestrationServiceSettings { DatabasePath = _f.DatabasePath }, TaskHubFixture.AllTasks());
        await second.Client.RaiseEventAsync(instance, "go", "from the second worker");
        var state = await second.Client.WaitForOrchestrationAsync(instance, TimeSpan.FromSeconds(60));
        state.OrchestrationStatus.Should().Be(OrchestrationStatus.Completed);
        state.Output.Should().Be("\"from the second worker\"");
    }

    [Fact]
    public async Task A_timer_fires_no_earlier_than_its_time()
    {
        var instance = await _f.StartAsync(nameof(Sleep), 700);
        var state = await _f.WaitAsync(instance);
        state.OrchestrationStatus.Should().Be(OrchestrationStatus.Completed);
        var fireAt = DateTime.Parse(Newtonsoft.Json.JsonConvert.DeserializeObject<string>(state.Output)!, null, System.Globalization.DateTimeStyles.RoundtripKind);
        state.CompletedTime.Should().BeOnOrAfter(fireAt);
    }

    [Fact]
    public async Task An_event_raised_before_the_wait_is_delivered()
    {
        var instance = await _f.StartAsync(nameof(LateWait), 1500);
        await _f.WaitForStateAsync(instance.InstanceId, s => s.Status == "\"sleeping\"");
        await _f.Client.RaiseEventAsync(instance, "go", "early");
        var state = await _f.WaitAsync(instance);
        state.OrchestrationStatus.Should().Be(OrchestrationStatus.Completed);
        state.Output.Should().Be("\"early\"");
    }

    [Fact]
    public async Task WaitForExternalEvent_times_out()
    {
        var state = await _f.WaitAsync(await _f.StartAsync(nameof(WaitWithTimeout), 300));
        state.OrchestrationStatus.Should().Be(OrchestrationStatus.Completed);
        state.Output.Should().Be("\"timed out\"");
    }

    [Fact]
    public async Task Retries_run_out_and_the_orchestrator_sees_the_failure()
    {
        var key = Guid.NewGuid().ToString("N");
        var state = await _f.WaitAsync(await _f.StartAsync(nameof(RetriesExhausted), key));
        state.OrchestrationStatus.Should().Be(OrchestrationStatus.Completed);
        state.Output.Should().Contain("InvalidOperationException").And.Contain("attempt 3 failed");
        AlwaysFails.Attempts[key].Should().Be(3);
    }

    [Fact]
    public async Task Terminate_during_a_wait_ends_the_instance()
    {
        var instance = await _f.StartAsync(nameof(WaitForever), "");
        await _f.WaitForStateAsync(instance.InstanceId, s => s.Status == "\"waiting\"");
        await _f.Client.TerminateInstanceAsync(instance, "enough");
        var state = await _f.WaitAsync(instance);
        state.OrchestrationStatus.Should().Be(OrchestrationStatus.Terminated);
        state.Output.Should().Contain("enough");
    }

    [Fact]
    public async Task Suspend_holds_events_until_resume()
    {
        var instance = await _f.StartAsync(nameof(WaitForever), "");
        await _f.WaitForStateAsync(instance.InstanceId, s => s.Status == "\"waiting\"");
        await _f.Client.SuspendInstanceAsync(instance, "pause");
        await _f.WaitForStateAsync(instance.InstanceId, s => s.OrchestrationStatus == OrchestrationStatus.Suspended);
        await _f.Client.RaiseEventAsync(instance, "never", "after all");
        // The event waits while suspended: the instance is still suspended after its episode ran.
        await _f.WaitForStateAsync(instance.InstanceId, s => s.OrchestrationStatus == OrchestrationStatus.Suspended);
        await _f.Client.ResumeInstanceAsync(instance, "go on");
        var state = await _f.WaitAsync(instance);
        state.OrchestrationStatus.Should().Be(OrchestrationStatus.Completed);
        state.Output.Should().Be("\"after all\"");
    }

    [Fact]
    public async Task Purge_deletes_finished_instances_only()
    {
        var done = await _f.StartAsync(nameof(Sequence), "p");
        await _f.WaitAsync(done);
        var running = await _f.StartAsync(nameof(WaitForever), "");
        await _f.WaitForStateAsync(running.InstanceId, s => s.Status == "\"waiting\"");

        (await _f.Service.PurgeInstanceStateAsync(running.InstanceId)).DeletedInstanceCount.Should().Be(0);
        (await _f.Service.PurgeInstanceStateAsync(done.InstanceId)).DeletedInstanceCount.Should().Be(1);
        (await _f.Client.GetOrchestrationStateAsync(done.InstanceId)).Should().BeNull();
        (await _f.Client.GetOrchestrationHistoryAsync(done)).Should().Be("[]");
        (await _f.Client.GetOrchestrationStateAsync(running.InstanceId)).Should().NotBeNull();

        var another = await _f.StartAsync(nameof(Sequence), "q");
        await _f.WaitAsync(another);
        var byFilter = await _f.Service.PurgeInstanceStateAsync(new PurgeInstanceFilter(DateTime.UtcNow.AddHours(-1), DateTime.UtcNow.AddHours(1), null));
        byFilter.DeletedInstanceCount.Should().Be(1);
        (await _f.Client.GetOrchestrationStateAsync(another.InstanceId)).Should().BeNull();

        await _f.Client.TerminateInstanceAsync(running, "done");
        await _f.WaitAsync(running);
        await _f.Service.PurgeOrchestrationHistoryAsync(DateTime.UtcNow.AddMinutes(1), OrchestrationStateTimeRangeFilterType.OrchestrationCompletedTimeFilter);
        (await _f.Client.GetOrchestrationStateAsync(running.InstanceId)).Should().BeNull();
    }

    [Fact]
    public async Task Queries_page_and_filter_by_status_time_and_prefix()
    {
        var done = new List<OrchestrationInstance>();
        for (var i = 0; i < 5; i++) done.Add(await _f.StartAsync(nameof(Sequence), "q", $"q-{i}"));
        foreach (var d in done) await _f.WaitAsync(d);
        var waiting = await _f.StartAsync(nameof(WaitForever), "", "other-1");
        await _f.WaitForStateAsync(waiting.InstanceId, s => s.Status == "\"waiting\"");

        var ids = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await _f.Service.GetOrchestrationWithQueryAsync(new OrchestrationQuery { InstanceIdPrefix = "q-", PageSize = 2, ContinuationToken = token, FetchInputsAndOutputs = false }, default);
            ids.AddRange(page.OrchestrationState.Select(s => s.OrchestrationInstance.InstanceId));
            page.OrchestrationState.Should().OnlyContain(s => s.Input == null, "inputs are fetched only when asked for");
            token = page.ContinuationToken;
            pages++;
        } while (token is not null);
        ids.Should().Equal("q-0", "q-1", "q-2", "q-3", "q-4");
        pages.Should().Be(3);

        var running = await _f.Service.GetOrchestrationWithQueryAsync(new OrchestrationQuery { RuntimeStatus = [OrchestrationStatus.Running], FetchInputsAndOutputs = true }, default);
        running.OrchestrationState.Select(s => s.OrchestrationInstance.InstanceId).Should().Equal("other-1");
        running.OrchestrationState.Single().Input.Should().Be("\"\"");

        var future = await _f.Service.GetOrchestrationWithQueryAsync(new OrchestrationQuery { CreatedTimeFrom = DateTime.UtcNow.AddMinutes(1) }, default);
        future.OrchestrationState.Should().BeEmpty();
        var recent = await _f.Service.GetOrchestrationWithQueryAsync(new OrchestrationQuery { CreatedTimeFrom = DateTime.UtcNow.AddMinutes(-5), CreatedTimeTo = DateTime.UtcNow.AddMinutes(1) }, default);
        recent.OrchestrationState.Should().HaveCount(6);
    }

    [Fact]
    public async Task Non_determinism_is_reported_naming_the_step()
    {
        ChangesItsMind.UseOtherStep = false;
        var instance = await _f.StartAsync(nameof(ChangesItsMind), "n");
        await _f.WaitForStateAsync(instance.InstanceId, s => s.Status == "\"called\"");
        ChangesItsMind.UseOtherStep = true;
        try
        {
            await _f.Client.RaiseEventAsync(instance, "go", "now");
            var state = await _f.WaitAsync(instance);
            state.OrchestrationStatus.Should().Be(OrchestrationStatus.Failed);
            state.FailureDetails.Should().NotBeNull();
            (state.FailureDetails!.ErrorMessage + state.FailureDetails.ErrorType).Should().Contain("OtherStep").And.Contain("Append");
        }
        finally
        {
            ChangesItsMind.UseOtherStep = false;
        }
    }

    [Fact]
    public async Task A_running_instance_id_cannot_be_reused_and_events_to_nobody_are_dropped()
    {
        var instance = await _f.StartAsync(nameof(WaitForever), "", "dup");
        var again = () => _f.StartAsync(nameof(WaitForever), "", "dup");
        await again.Should().ThrowAsync<OrchestrationAlreadyExistsException>();
        await _f.Client.RaiseEventAsync(new OrchestrationInstance { InstanceId = "nobody" }, "x", 1);
        (await _f.Client.GetOrchestrationStateAsync("nobody")).Should().BeNull();
        await _f.Client.TerminateInstanceAsync(instance, "bye");
        await _f.WaitAsync(instance);
        // A finished instance's id may be used again (a new execution).
        var reused = await _f.StartAsync(nameof(Sequence), "r", "dup");
        (await _f.WaitAsync(reused)).Output.Should().Be("\"r0.1.2.3.4.\"");
    }

    [Fact]
    public async Task Continue_as_new_starts_a_fresh_execution_with_its_own_history()
    {
        var instance = await _f.StartAsync(nameof(CountsOnAsNew), 0);
        var state = await _f.WaitForStateAsync(instance.InstanceId, s => s.OrchestrationStatus == OrchestrationStatus.Completed);
        state.Output.Should().Be("3");
        state.Input.Should().Be("3");
        state.OrchestrationInstance.ExecutionId.Should().NotBe(instance.ExecutionId);
        var history = Newtonsoft.Json.Linq.JArray.Parse(await _f.Client.GetOrchestrationHistoryAsync(instance));
        history.Count(e => (int?)e["EventType"] == (int)EventType.ExecutionStarted).Should().Be(1, "only the last execution's history is kept");
        history.Count(e => (int?)e["EventType"] == (int)EventType.TaskScheduled).Should().Be(1);
    }

    [Fact]
    public async Task A_sub_orchestration_runs_and_reports_to_its_parent()
    {
        var state = await _f.WaitAsync(await _f.StartAsync(nameof(Parent), "c"));
        state.OrchestrationStatus.Should().Be(OrchestrationStatus.Completed);
        state.Output.Should().Be("\"parent:c0.1.2.3.4.\"");
    }

    [Fact]
    public async Task An_event_for_a_finished_instance_is_consumed_and_changes_nothing()
    {
        var instance = await _f.StartAsync(nameof(Sequence), "f");
        var done = await _f.WaitAsync(instance);
        var episodes = _f.Service.EpisodesCompleted;
        await _f.Client.RaiseEventAsync(instance, "late", "x");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (_f.Service.EpisodesCompleted == episodes)
        {
            DateTime.UtcNow.Should().BeBefore(deadline, "the late event should be taken and dropped by an episode");
            await Task.Delay(20);
        }
        var after = await _f.Client.GetOrchestrationStateAsync(instance.InstanceId);
        after!.OrchestrationStatus.Should().Be(OrchestrationStatus.Completed);
        after.Output.Should().Be(done.Output);
        // Nothing is left queued for it: a second late event is consumed too (the queue does not wedge).
        episodes = _f.Service.EpisodesCompleted;
        await _f.Client.RaiseEventAsync(instance, "late", "y");
        while (_f.Service.EpisodesCompleted == episodes)
        {
            DateTime.UtcNow.Should().BeBefore(deadline);
            await Task.Delay(20);
        }
    }
}
