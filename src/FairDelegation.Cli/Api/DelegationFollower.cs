using System.Diagnostics;
using System.Text.Json;

namespace FairDelegation.Cli.Api;

/// <summary>
/// Follows a delegation through the customer node's API until it ends, printing one line per step as it changes
/// (the current step is polled, so a step shorter than the poll interval may not get a line of its own)
/// ("  +1.42s  customer (8) OpenEscrow"), which reads the same in a terminal and in a log.
/// </summary>
public static class DelegationFollower
{
    /// <summary>Polls GET /api/delegations/{id} until the runtime status is final; returns the last view.</summary>
    public static async Task<JsonElement> FollowAsync(NodeApiClient client, string id, TimeSpan timeout, CancellationToken ct,
        Func<JsonElement, CancellationToken, Task<string?>>? providerStep = null, TextWriter? output = null, TimeSpan? pollInterval = null)
    {
        output ??= Console.Out;
        var watch = Stopwatch.StartNew();
        string? lastCustomer = null, lastExtra = null;
        while (true)
        {
            var view = await client.GetAsync(id, ct);
            var step = Describe(view);
            if (step != lastCustomer)
            {
                await output.WriteLineAsync($"  +{watch.Elapsed.TotalSeconds,6:0.00}s  customer  {step}");
                lastCustomer = step;
            }
            if (providerStep is not null && await providerStep(view, ct) is { } extra && extra != lastExtra)
            {
                await output.WriteLineAsync($"  +{watch.Elapsed.TotalSeconds,6:0.00}s  provider  {extra}");
                lastExtra = extra;
            }
            var runtime = view.GetProperty("runtimeStatus").GetString();
            if (runtime is not ("Pending" or "Running")) return view;
            if (watch.Elapsed > timeout) throw new CliException($"delegation {id} did not end within {timeout.TotalSeconds:0} s (still {step})");
            await Task.Delay(pollInterval ?? TimeSpan.FromMilliseconds(100), ct);
        }
    }

    /// <summary>"(8) OpenEscrow: waiting for confirmations", or the runtime status before the first step.</summary>
    public static string Describe(JsonElement view)
    {
        if (view.TryGetProperty("step", out var step) && step.ValueKind == JsonValueKind.Object)
        {
            var number = step.GetProperty("number").GetString();
            var name = step.GetProperty("name").GetString();
            var detail = step.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String ? ": " + d.GetString() : "";
            return number == "end" ? $"ended {name}{detail}" : $"({number}) {name}{detail}";
        }
        return view.GetProperty("runtimeStatus").GetString() ?? "?";
    }
}
