namespace FairDelegation.Node.Hosting;

/// <summary>
/// Named points inside the chain-writing steps ("OpenEscrow:before-send", "OpenEscrow:after-mined", ...) where the
/// fault-injection suite stops a node with SIGKILL, to prove the step is safe to run again after a crash at exactly that
/// point. The node registers <see cref="NoFaultPoints"/>; only the test host (tests/FairDelegation.Node.TestHost)
/// registers one that reads an environment variable, so a production build has no way to be stopped by it.
/// </summary>
public interface IFaultPoints
{
    /// <summary>Called when the step reaches <paramref name="point"/>.</summary>
    void Reach(string point);
}

/// <summary>The production implementation: nothing happens at any point.</summary>
public sealed class NoFaultPoints : IFaultPoints
{
    public void Reach(string point) { }
}

/// <summary>The points the chain-writing steps announce (the fault suite names them).</summary>
public static class FaultPoint
{
    public const string OpenBeforeSend = "OpenEscrow:before-send";
    public const string OpenAfterMined = "OpenEscrow:after-mined";
    public const string ClaimBeforeSend = "RevealKey:before-send";
    public const string ClaimAfterMined = "RevealKey:after-mined";
    public const string RefundBeforeSend = "RefundEscrow:before-send";
    public const string RefundAfterMined = "RefundEscrow:after-mined";

    /// <summary>
    /// "{activity}:before-save" (e.g. "OpenEscrow:before-save"): the activity returned, the backend has not saved its
    /// result. The activity cannot announce it; the test host reaches it from an <c>FairDelegation.Workflows.ActivityMiddleware</c>
    /// after the activity's <c>next()</c>.
    /// </summary>
    public static string BeforeSave(string activity) => activity + ":before-save";
}
