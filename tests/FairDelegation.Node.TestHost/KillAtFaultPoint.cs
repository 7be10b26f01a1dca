using System.Runtime.InteropServices;
using FairDelegation.Node.Hosting;

/// <summary>
/// The fault suite's crash: when the step reaches the point named by FAIRDELEGATION_TEST_KILL_AT (e.g.
/// "OpenEscrow:after-mined"), the process kills itself with SIGKILL: no finally blocks, no flush, no saved activity
/// result, exactly like a power cut at that instant. FAIRDELEGATION_TEST_FREEZE_AT instead stops the process
/// (SIGSTOP) at the point: a node that stops answering, which the test later resumes (SIGCONT) or kills. Only this test
/// host reads the variables.
/// </summary>
internal sealed class KillAtFaultPoint(string? killAt, string? freezeAt) : IFaultPoints
{
    public const string KillVariable = "FAIRDELEGATION_TEST_KILL_AT";
    public const string FreezeVariable = "FAIRDELEGATION_TEST_FREEZE_AT";
    private const int SigStop = 19; // Linux

    private int _frozen;

    public void Reach(string name)
    {
        if (string.Equals(name, killAt, StringComparison.Ordinal))
        {
            Console.Out.WriteLine($"fault point {name} reached: SIGKILL");
            Console.Out.Flush();
            System.Diagnostics.Process.GetCurrentProcess().Kill();
        }
        // Once: after the test resumed it, the node runs on (a re-run of the step must not freeze it again).
        if (string.Equals(name, freezeAt, StringComparison.Ordinal) && Interlocked.Exchange(ref _frozen, 1) == 0)
        {
            Console.Out.WriteLine($"fault point {name} reached: SIGSTOP");
            Console.Out.Flush();
            _ = Kill(Environment.ProcessId, SigStop);
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
