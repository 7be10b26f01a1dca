using Microsoft.DurableTask;

namespace FairDelegation.Workflows;

/// <summary>What our activities need from <see cref="TaskActivityContext"/> beyond the SDK's name and instance id.</summary>
public static class ActivityContextExtensions
{
    extension(TaskActivityContext context)
    {
        /// <summary>
        /// The same on every run of this activity for this orchestration instance: retries, and re-runs after a worker
        /// died (the framework runs activities at least once). Key side effects with it (message ids, proposal ids) so
        /// a second run finds the first run's effect. Unique per (instance, activity name): use it only in activities
        /// an orchestration calls once; an activity called several times must take its key from its input.
        /// </summary>
        public string IdempotencyKey => $"{context.InstanceId}:{context.Name.Name}";
    }
}
