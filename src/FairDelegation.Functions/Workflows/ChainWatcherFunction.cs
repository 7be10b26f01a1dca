using FairDelegation.Node.Chain;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace FairDelegation.Functions.Workflows;

/// <summary>
/// The chain watcher as a timer function rather than a hosted service: a hosted service would run on every instance
/// the platform scales out to (each raising the same events) and not at all while the app is scaled to zero; a timer
/// trigger runs on one instance at a time (the host holds a lease on it) and wakes a scaled-in app. Each tick is the
/// node's <see cref="ChainWatcher.CatchUpAsync"/>: from the stored cursor to the head, so a missed tick loses nothing.
/// </summary>
public sealed class ChainWatcherFunction(IServiceProvider services)
{
    /// <summary>Every 5 seconds (a new block on most chains takes longer).</summary>
    public const string Schedule = "*/5 * * * * *";

    [Function(nameof(WatchChain))]
    public Task<int> WatchChain([TimerTrigger(Schedule)] TimerInfo timer, [DurableClient] DurableTaskClient client, FunctionContext context) =>
        ActivatorUtilities.CreateInstance<ChainWatcher>(services, client).CatchUpAsync(context.CancellationToken);
}
