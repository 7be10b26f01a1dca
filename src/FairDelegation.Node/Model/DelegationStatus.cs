namespace FairDelegation.Node.Model;

/// <summary>How a delegation ended. Every end except Completed leaves nobody out of pocket (gas aside).</summary>
public enum DelegationStatus
{
    /// <summary>Work delivered and paid for.</summary>
    Completed,

    /// <summary>The customer stopped before paying (no delivery, bad stamp, terms refused).</summary>
    Cancelled,

    /// <summary>The escrow was opened but never claimed; the customer took its money back after the deadline.</summary>
    Refunded,

    /// <summary>The provider stopped before revealing its key (no request, no escrow, escrow not matching).</summary>
    Abandoned,

    /// <summary>The provider could not produce compliant work within its retry budget, or a step failed for good.</summary>
    Failed,
}

/// <summary>
/// The step an orchestration is at: shown as its custom status ("(8) OpenEscrow"). It also carries the transactions
/// sent so far (hash, block, gas used), so a delegation in flight shows each one as soon as it is mined, not only in
/// the outcome. <see cref="Timeline"/> lists the steps reached so far with the orchestration's time at each (what the
/// dashboard draws as a timeline: the custom status is the one place every Durable backend shows while running), and
/// once known the verifier's stamp (JSON) and H(w'). A delegation whose provider the market chose carries that choice
/// (<see cref="Market"/>: the provider, its quote and every quote considered) from then on.
/// </summary>
public sealed record StepStatus(string Step, string Name, string? AgreementId = null, string? Detail = null,
    IReadOnlyList<ChainTransaction>? Transactions = null, IReadOnlyList<StepMark>? Timeline = null, string? Stamp = null, string? WorkHash = null,
    MarketChoice? Market = null)
{
    public override string ToString() => $"({Step}) {Name}";
}

/// <summary>A step reached at <see cref="At"/> (the orchestration's replay-safe UTC time), with its detail then.</summary>
public sealed record StepMark(string Step, string Name, string? Detail, DateTime At)
{
    /// <summary>The timeline with <paramref name="step"/> appended, unless it only repeats the last mark.</summary>
    public static List<StepMark> Append(List<StepMark> timeline, string step, string name, string? detail, DateTime at)
    {
        if (timeline.Count == 0 || timeline[^1] is not { } last || last.Step != step || last.Name != name || last.Detail != detail)
            timeline.Add(new StepMark(step, name, detail, at));
        return timeline;
    }
}
