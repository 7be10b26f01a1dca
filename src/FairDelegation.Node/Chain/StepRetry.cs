
namespace FairDelegation.Node.Chain;

/// <summary>
/// Retry policies of the steps' activities. Activities retry transient failures (a peer or the RPC node briefly
/// unreachable); a protocol answer (a refusal, a mismatch) is a result, not an exception, so it is never retried.
/// </summary>
public static class StepRetry
{
    /// <summary>Local work (key store, blob store, crypto): a couple of quick retries.</summary>
    public static TaskOptions Local { get; } = TaskOptions.FromRetryPolicy(new RetryPolicy(3, TimeSpan.FromMilliseconds(200), 2.0));

    /// <summary>Calls to the peer: patient, the peer may be restarting.</summary>
    public static TaskOptions Network { get; } = TaskOptions.FromRetryPolicy(new RetryPolicy(8, TimeSpan.FromMilliseconds(500), 2.0, TimeSpan.FromSeconds(15)));

    /// <summary>Calls to the chain: patient too; sends are idempotent (same signed transaction, same hash).</summary>
    public static TaskOptions Chain { get; } = TaskOptions.FromRetryPolicy(new RetryPolicy(8, TimeSpan.FromMilliseconds(500), 2.0, TimeSpan.FromSeconds(15)));
}
