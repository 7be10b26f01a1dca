namespace FairDelegation.Chain.Escrow;

/// <summary>Limits the escrow contract enforces, mirrored here so the nodes refuse terms the contract would revert.</summary>
public static class EscrowLimits
{
    /// <summary>
    /// MAX_ESCROW_DURATION of contracts/FairDelegationEscrow.sol: open rejects a deadline later than this after the
    /// opening block (DeadlineTooFar), so a griefer cannot lock somebody else's work key forever.
    /// </summary>
    public static readonly TimeSpan MaxEscrowDuration = TimeSpan.FromDays(30);
}
