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
/// the outcome.
/// </summary>
public sealed record StepStatus(string Step, string Name, string? AgreementId = null, string? Detail = null,
    IReadOnlyList<ChainTransaction>? Transactions = null)
{
    public override string ToString() => $"({Step}) {Name}";
}
