using Microsoft.DurableTask;

namespace FairDelegation.Workflows.TestWorker;

/// <summary>Five steps in a row, each an activity whose side effect is keyed by (instance, step).</summary>
public sealed class CrashFlow : TaskOrchestrator<string, int>
{
    public override async Task<int> RunAsync(TaskOrchestrationContext context, string effectsDir)
    {
        var total = 0;
        for (var step = 0; step < 5; step++)
            total += await context.CallActivityAsync<int>(nameof(SideEffect), new SideEffectInput(effectsDir, $"{context.InstanceId}.{step}", step));
        return total;
    }
}

public sealed record SideEffectInput(string Dir, string Key, int Step);

/// <summary>
/// The side effect is a file named by its key, created with CreateNew: a second run (at-least-once after a crash)
/// finds the first run's effect and returns it. Every run leaves its own marker file, run.{key}.{pid}.{guid} (appends
/// to one shared log from two processes and many threads lose lines: .NET appends at an offset, not with O_APPEND). Step 2 leaves a
/// started-{key} marker and waits at a gate file, so the test can kill a worker while it runs.
/// </summary>
public sealed class SideEffect : TaskActivity<SideEffectInput, int>
{
    public override async Task<int> RunAsync(TaskActivityContext context, SideEffectInput r)
    {
        File.WriteAllText(Path.Combine(r.Dir, $"run.{r.Key}.{Environment.ProcessId}.{Guid.NewGuid():N}"), "");
        if (r.Step == 2)
        {
            await File.WriteAllTextAsync(Path.Combine(r.Dir, $"started-{r.Key}"), Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
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
