namespace FairDelegation.Durable.TestWorker;

/// <summary>Input of <see cref="CrashFlow"/>: how long its durable timer waits.</summary>
public sealed record CrashFlowInput(int TimerMilliseconds);

/// <summary>
/// Side effect "a", then the gated activity "b" (blocks until the test creates the gate file), then a durable
/// timer, then side effect "c". Custom status names the step so the test knows where to kill the worker.
/// </summary>
public sealed class CrashFlow : TaskOrchestrator<CrashFlowInput, string>
{
    public override async Task<string> RunAsync(TaskOrchestrationContext context, CrashFlowInput input)
    {
        context.SetCustomStatus("a");
        await context.CallActivityAsync(nameof(SideEffect), "a");
        context.SetCustomStatus("gate");
        await context.CallActivityAsync(nameof(Gate), "b");
        context.SetCustomStatus("timer");
        await context.CreateTimer(TimeSpan.FromMilliseconds(input.TimerMilliseconds), CancellationToken.None);
        await context.CallActivityAsync(nameof(SideEffect), "c");
        context.SetCustomStatus("done");
        return "ok";
    }
}

/// <summary>Folder shared with the test (side-effect database, markers, gate file).</summary>
public sealed record WorkDirectory(string Path);

public sealed class SideEffect(WorkDirectory dir) : TaskActivity<string, string>
{
    public override Task<string> RunAsync(TaskActivityContext context, string input)
    {
        SideEffects.Record(dir.Path, context.IdempotencyKey, input);
        SideEffects.Apply(dir.Path, context.IdempotencyKey, input);
        return Task.FromResult(input);
    }
}

/// <summary>Marks that it started (file named by key and process id), then waits for the gate file.</summary>
public sealed class Gate(WorkDirectory dir) : TaskActivity<string, string>
{
    public override async Task<string> RunAsync(TaskActivityContext context, string input)
    {
        SideEffects.Record(dir.Path, context.IdempotencyKey, input);
        var safe = context.IdempotencyKey.Replace(':', '_');
        await File.WriteAllTextAsync(System.IO.Path.Combine(dir.Path, $"started-{safe}-{Environment.ProcessId}"), "");
        while (!File.Exists(System.IO.Path.Combine(dir.Path, "gate")))
            await Task.Delay(20, context.CancellationToken);
        SideEffects.Apply(dir.Path, context.IdempotencyKey, input);
        return input;
    }
}
