using FairDelegation.Node.Hosting;

/// <summary>
/// The fault suite's crash: when the step reaches the point named by FAIRDELEGATION_TEST_KILL_AT (e.g.
/// "OpenEscrow:after-mined"), the process kills itself with SIGKILL: no finally blocks, no flush, no saved activity
/// result, exactly like a power cut at that instant. Only this test host reads the variable.
/// </summary>
internal sealed class KillAtFaultPoint(string point) : IFaultPoints
{
    public const string Variable = "FAIRDELEGATION_TEST_KILL_AT";

    public void Reach(string name)
    {
        if (!string.Equals(name, point, StringComparison.Ordinal)) return;
        Console.Out.WriteLine($"fault point {name} reached: SIGKILL");
        Console.Out.Flush();
        System.Diagnostics.Process.GetCurrentProcess().Kill();
    }
}
