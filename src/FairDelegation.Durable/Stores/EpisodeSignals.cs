namespace FairDelegation.Durable.Stores;

/// <summary>Wakes this process's dispatchers for the work a committed episode just queued.</summary>
internal static class EpisodeSignals
{
    /// <summary>After a commit: wake the activity loop for tasks left queued, and the orchestration loop for messages (timers at their due time).</summary>
    public static void Raise(IOrchestrationStore store, OrchestrationEpisode episode, int tasksClaimed = 0)
    {
        if (episode.Tasks.Count > tasksClaimed) store.ActivityWork.Notify();
        foreach (var m in episode.Messages) store.OrchestrationWork.NotifyAt(m.VisibleAtUtc);
    }
}
