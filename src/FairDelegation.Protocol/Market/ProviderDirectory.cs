using System.Numerics;
using FairDelegation.Chain.Crypto;

namespace FairDelegation.Protocol.Market;

/// <summary>
/// A provider as the registry's events describe it. <c>Serving</c>: registered and not left (customers may delegate
/// to it); <c>UnlocksAt</c>: once left, when its stake unlocks (unix seconds), null while serving.
/// </summary>
public sealed record DirectoryEntry(EthereumAddress Provider, string Endpoint, EthereumAddress Payee, IReadOnlyList<MarketOffer> Offers,
    BigInteger Stake, bool Serving, long? UnlocksAt)
{
    /// <summary>The provider's offer for a service in a currency, if any (one per service and currency: the registry enforces it).</summary>
    public MarketOffer? OfferFor(string service, EthereumAddress currency) =>
        Offers.FirstOrDefault(o => o.Service == service && o.Token == currency);
}

/// <summary>
/// The market's directory, rebuilt from the registry's events alone (any node can, no trust in anyone). Events are
/// appended in chain order as the reorg-aware watcher delivers them; on a reorganisation the watcher names the common
/// ancestor and <see cref="RewindTo"/> drops every event of a later block, so the next batches replay the new chain.
/// The entries are a fold over the kept events (a few per provider: cheap to recompute).
/// </summary>
public sealed class ProviderDirectory
{
    private readonly List<RegistryEvent> _events = [];
    private readonly object _gate = new();

    /// <summary>Appends events in chain order. An event at or before the last one kept is a replay and is ignored.</summary>
    public void Apply(IEnumerable<RegistryEvent> events)
    {
        lock (_gate)
        {
            foreach (var e in events)
            {
                if (_events.Count > 0 && e.Position.CompareTo(_events[^1].Position) <= 0) continue;
                _events.Add(e);
            }
        }
    }

    /// <summary>Forgets every event of a block after <paramref name="commonAncestorBlock"/> (a reorganisation).</summary>
    public void RewindTo(long commonAncestorBlock)
    {
        lock (_gate) _events.RemoveAll(e => e.Position.BlockNumber > commonAncestorBlock);
    }

    /// <summary>The newest position applied, if any (where a watcher resumes).</summary>
    public LogPosition? LastPosition
    {
        get { lock (_gate) return _events.Count == 0 ? null : _events[^1].Position; }
    }

    /// <summary>Every provider the events know and that has not withdrawn, serving or not.</summary>
    public IReadOnlyList<DirectoryEntry> All()
    {
        List<RegistryEvent> events;
        lock (_gate) events = [.. _events];
        var entries = new Dictionary<EthereumAddress, DirectoryEntry>();
        foreach (var e in events)
        {
            entries.TryGetValue(e.Provider, out var current);
            switch (e)
            {
                case ProviderRegistered r:
                    entries[e.Provider] = new DirectoryEntry(r.Provider, r.Endpoint, r.Payee, r.Offers, r.Stake, Serving: true, UnlocksAt: null);
                    break;
                case ProviderUpdated u when current is not null:
                    entries[e.Provider] = current with { Endpoint = u.Endpoint, Payee = u.Payee, Offers = u.Offers };
                    break;
                case StakeAdded s when current is not null:
                    entries[e.Provider] = current with { Stake = s.Stake };
                    break;
                case ProviderLeft l when current is not null:
                    entries[e.Provider] = current with { Serving = false, UnlocksAt = l.UnlocksAt };
                    break;
                case StakeWithdrawn:
                    entries.Remove(e.Provider);
                    break;
            }
        }
        return [.. entries.Values.OrderBy(x => x.Provider.ToLowerHex(), StringComparer.Ordinal)];
    }

    /// <summary>The providers serving now, optionally only those offering <paramref name="service"/>.</summary>
    public IReadOnlyList<DirectoryEntry> Serving(string? service = null) =>
        [.. All().Where(e => e.Serving && (service is null || e.Offers.Any(o => o.Service == service)))];
}
