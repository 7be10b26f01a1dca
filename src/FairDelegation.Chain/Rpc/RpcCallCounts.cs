using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace FairDelegation.Chain.Rpc;

/// <summary>
/// How many JSON-RPC calls a client made, by method (a batch counts each call it carries), and how many round trips
/// carried them. Cheap enough to stay on: tests assert bounds on it, the delegations benchmark reports it.
/// </summary>
public sealed class RpcCallCounts
{
    /// <summary>Process-wide: every client's calls as the counter "fairdelegation.rpc.calls" tagged with "method" and "transport".</summary>
    public static readonly Meter Meter = new("FairDelegation.Chain.Rpc");

    /// <summary>The instrument behind <see cref="Meter"/>.</summary>
    public static readonly Counter<long> CallsInstrument = Meter.CreateCounter<long>("fairdelegation.rpc.calls", description: "JSON-RPC calls by method");

    private readonly ConcurrentDictionary<string, long> _byMethod = new();
    private long _roundTrips;

    /// <summary>Calls so far, by method.</summary>
    public IReadOnlyDictionary<string, long> ByMethod => new Dictionary<string, long>(_byMethod);

    /// <summary>All calls so far.</summary>
    public long Total => _byMethod.Values.Sum();

    /// <summary>HTTP requests (or WebSocket messages) that carried them: a batch is one round trip.</summary>
    public long RoundTrips => Interlocked.Read(ref _roundTrips);

    /// <summary>Calls of one method so far.</summary>
    public long this[string method] => _byMethod.GetValueOrDefault(method);

    /// <summary>Starts counting from zero again.</summary>
    public void Reset()
    {
        _byMethod.Clear();
        Interlocked.Exchange(ref _roundTrips, 0);
    }

    internal void Count(string method, string transport)
    {
        _byMethod.AddOrUpdate(method, 1, (_, n) => n + 1);
        CallsInstrument.Add(1, new KeyValuePair<string, object?>("method", method), new KeyValuePair<string, object?>("transport", transport));
    }

    internal void CountRoundTrip() => Interlocked.Increment(ref _roundTrips);

    /// <summary>"eth_call 3, eth_getLogs 2, ..." (most frequent first).</summary>
    public override string ToString() =>
        string.Join(", ", _byMethod.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key).Select(kv => $"{kv.Key} {kv.Value}"));
}
