using Microsoft.DurableTask;

namespace FairDelegation.Durable.Sqlite.Tests;

public sealed class Sequence : TaskOrchestrator<string, string>
{
    public override async Task<string> RunAsync(TaskOrchestrationContext context, string name)
    {
        var s = name;
        for (var i = 0; i < 5; i++) s = await context.CallActivityAsync<string>(nameof(Append), s + i);
        return s;
    }
}

public sealed class Append : TaskActivity<string, string>
{
    public override Task<string> RunAsync(TaskActivityContext context, string s) => Task.FromResult(s + ".");
}

/// <summary>A durable timer, then the time the orchestration saw when it resumed.</summary>
public sealed class Sleep : TaskOrchestrator<int, string>
{
    public override async Task<string> RunAsync(TaskOrchestrationContext context, int ms)
    {
        var fireAt = context.CurrentUtcDateTime.AddMilliseconds(ms);
        await context.CreateTimer(fireAt, CancellationToken.None);
        return fireAt.ToString("O");
    }
}

/// <summary>Starts, sleeps a little (while the test raises the event), then waits for it.</summary>
public sealed class LateWait : TaskOrchestrator<int, string>
{
    public override async Task<string> RunAsync(TaskOrchestrationContext context, int ms)
    {
        context.SetCustomStatus("sleeping");
        await context.CreateTimer(context.CurrentUtcDateTime.AddMilliseconds(ms), CancellationToken.None);
        context.SetCustomStatus("waiting");
        return await context.WaitForExternalEvent<string>("go");
    }
}

/// <summary>Waits for an event with a timeout; the SDK signals the timeout with TaskCanceledException.</summary>
public sealed class WaitWithTimeout : TaskOrchestrator<int, string>
{
    public override async Task<string> RunAsync(TaskOrchestrationContext context, int ms)
    {
        try
        {
            return await context.WaitForExternalEvent<string>("never", TimeSpan.FromMilliseconds(ms));
        }
        catch (TaskCanceledException)
        {
            return "timed out";
        }
    }
}

/// <summary>Waits forever (until terminated), with a custom status so a test knows it is waiting.</summary>
public sealed class WaitForever : TaskOrchestrator<string, string>
{
    public override async Task<string> RunAsync(TaskOrchestrationContext context, string input)
    {
        context.SetCustomStatus("waiting");
        return await context.WaitForExternalEvent<string>("never");
    }
}

/// <summary>An activity that always fails, called with three attempts; reports what the orchestrator saw.</summary>
public sealed class RetriesExhausted : TaskOrchestrator<string, string>
{
    public override async Task<string> RunAsync(TaskOrchestrationContext context, string key)
    {
        try
        {
            await context.CallActivityAsync(nameof(AlwaysFails), key,
                TaskOptions.FromRetryPolicy(new RetryPolicy(3, TimeSpan.FromMilliseconds(50), backoffCoefficient: 1)));
            return "succeeded?";
        }
        catch (TaskFailedException e)
        {
            return $"{e.FailureDetails.ErrorType}: {e.FailureDetails.ErrorMessage}";
        }
    }
}

public sealed class AlwaysFails : TaskActivity<string, string>
{
    public static readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> Attempts = new();

    public override Task<string> RunAsync(TaskActivityContext context, string key)
    {
        var n = Attempts.AddOrUpdate(key, 1, (_, v) => v + 1);
        throw new InvalidOperationException($"attempt {n} failed");
    }
}

/// <summary>
/// Calls a step whose name depends on a flag the test flips between episodes: code that is not deterministic
/// across a replay, which the framework must report naming the step.
/// </summary>
public sealed class ChangesItsMind : TaskOrchestrator<string, string>
{
    public static volatile bool UseOtherStep;

    public override async Task<string> RunAsync(TaskOrchestrationContext context, string input)
    {
        await context.CallActivityAsync<string>(UseOtherStep ? "OtherStep" : nameof(Append), input);
        context.SetCustomStatus("called");
        return await context.WaitForExternalEvent<string>("go");
    }
}

/// <summary>Continues as new until its counter reaches 3: each execution replaces the last one's history.</summary>
public sealed class CountsOnAsNew : TaskOrchestrator<int, int>
{
    public override async Task<int> RunAsync(TaskOrchestrationContext context, int n)
    {
        await context.CallActivityAsync<string>(nameof(Append), n.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (n < 3)
        {
            context.ContinueAsNew(n + 1);
            return -1;
        }
        return n;
    }
}

/// <summary>Runs Sequence as a sub-orchestration.</summary>
public sealed class Parent : TaskOrchestrator<string, string>
{
    public override async Task<string> RunAsync(TaskOrchestrationContext context, string input) =>
        "parent:" + await context.CallSubOrchestratorAsync<string>(nameof(Sequence), input);
}
