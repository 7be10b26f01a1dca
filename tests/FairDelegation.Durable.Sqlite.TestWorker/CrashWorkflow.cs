using Microsoft.DurableTask;

namespace FairDelegation.Durable.Sqlite.TestWorker;

/// <summary>Five steps in a row, each an activity with a side effect keyed by (instance, step).</summary>
public sealed class CrashWorkflow : TaskOrchestrator<string, int>
{
    public override async Task<int> RunAsync(TaskOrchestrationContext context, string effectsDir)
    {
        var total = 0;
        for (var step = 0; step < 5; step++)
            total += await context.CallActivityAsync<int>(nameof(RecordEffect), new EffectRequest(effectsDir, $"{context.InstanceId}.{step}", step));
        return total;
    }
}

public sealed record EffectRequest(string Dir, string Key, int Step);

/// <summary>
/// The side effect is a file named by the idempotency key, created with CreateNew: a second run of the same
/// activity (at-least-once after a crash) finds the first run's effect and returns it instead of doing it again.
/// Every run also leaves its own marker file run.{key}.{pid}.{guid}, so a test can count duplicate runs (a shared
/// append-only log loses lines when two processes append at once). Step 2 waits at a gate (a file the test
/// writes) after leaving a started-{key} marker, so a test can kill the worker while that activity runs.
/// </summary>
public sealed class RecordEffect : TaskActivity<EffectRequest, int>
{
    public override async Task<int> RunAsync(TaskActivityContext context, EffectRequest r)
    {
        File.WriteAllText(Path.Combine(r.Dir, $"run.{r.Key}.{Environment.ProcessId}.{Guid.NewGuid():N}"), "");
        if (r.Step == 2)
        {
            await File.WriteAllTextAsync(Path.Combine(r.Dir, $"started-{r.Key}"), "");
            while (!File.Exists(Path.Combine(r.Dir, "gate"))) await Task.Delay(20);
        }
        var path = Path.Combine(r.Dir, r.Key + ".effect");
        try
        {
            await using var f = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
            await f.WriteAsync(BitConverter.GetBytes(r.Step));
            return r.Step;
        }
        catch (IOException) when (File.Exists(path))
        {
            return BitConverter.ToInt32(await File.ReadAllBytesAsync(path));
        }
    }
}
