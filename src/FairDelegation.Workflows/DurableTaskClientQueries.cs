using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace FairDelegation.Workflows;

public static class DurableTaskClientQueries
{
    /// <summary>
    /// One page of <see cref="DurableTaskClient.GetAllInstancesAsync"/>: at most <see cref="OrchestrationQuery.PageSize"/>
    /// instances from <see cref="OrchestrationQuery.ContinuationToken"/> on, and the token of the next page (null at the end).
    /// </summary>
    public static async Task<Page<OrchestrationMetadata>> QueryInstancesAsync(this DurableTaskClient client, OrchestrationQuery query,
        CancellationToken cancellation = default)
    {
        await foreach (var page in client.GetAllInstancesAsync(query).AsPages(query.ContinuationToken, query.PageSize).WithCancellation(cancellation))
            return page;
        return new Page<OrchestrationMetadata>([], null);
    }
}
