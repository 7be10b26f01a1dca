namespace FairDelegation.Durable.Stores;

/// <summary>Wakes this process's dispatchers for the work a committed episode just queued.</summary>
internal static class EpisodeSignals
{
    public static void Raise(IOrchestrationStore store, OrchestrationEpisode episode)
    {
        if (episode.Tasks.Count > 0) store.ActivityWork.Notify();
        foreach (var m in episode.Messages) store.OrchestrationWork.NotifyAt(m.VisibleAtUtc);
    }
}
