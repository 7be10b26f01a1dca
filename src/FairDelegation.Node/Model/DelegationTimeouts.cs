using FairDelegation.Node.Configuration;

namespace FairDelegation.Node.Model;

/// <summary>
/// The waits of one delegation, fixed when it starts (so a configuration change never makes a running
/// orchestration replay differently).
/// </summary>
public sealed record DelegationTimeouts
{
    public TimeSpan WorkDelivery { get; init; }
    public TimeSpan Request { get; init; }
    public TimeSpan EscrowOpen { get; init; }
    public TimeSpan DeadlineMargin { get; init; }
    public TimeSpan Confirmation { get; init; }
    public TimeSpan PollInterval { get; init; }
    public TimeSpan DeadlineCheck { get; init; }
    public int Confirmations { get; init; }

    public static DelegationTimeouts From(NodeOptions o) => new()
    {
        WorkDelivery = o.Timeouts.WorkDelivery,
        Request = o.Timeouts.Request,
        EscrowOpen = o.Timeouts.EscrowOpen,
        DeadlineMargin = o.Timeouts.DeadlineMargin,
        Confirmation = o.Timeouts.Confirmation,
        PollInterval = o.Chain.PollInterval,
        DeadlineCheck = o.Timeouts.DeadlineCheck,
        Confirmations = Math.Max(1, o.Chain.Confirmations),
    };
}
