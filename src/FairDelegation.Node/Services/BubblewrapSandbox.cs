using System.Diagnostics;
using System.Globalization;
using FairDelegation.Node.Configuration;
using FairDelegation.Protocol.Sla;

namespace FairDelegation.Node.Services;

/// <summary>
/// The provider's sandbox for customers' command checkers (issue 11 #5), with bubblewrap (Debian's bubblewrap package,
/// installed by infra/ensure-bubblewrap.sh): every namespace unshared (no network, its own PID and IPC space), user
/// nobody (65534), a new session, no environment but PATH, a read-only /usr (and the /bin, /lib links to it), the work
/// file and the checker bound read-only, a fresh tmpfs as the checker's own (and only writable) folder, and prlimit's
/// address-space, CPU-time and process-count limits; the wall-time limit is the SLA's own timeout. Nothing of the node
/// (its data directory, key store, wallet file, configuration) is visible inside.
/// </summary>
public sealed class BubblewrapSandbox(CommandSlaOptions options) : CommandSandbox
{
    /// <summary>Where bwrap is looked for, in order.</summary>
    public static readonly string[] Locations = ["/usr/bin/bwrap", "/bin/bwrap", "/usr/local/bin/bwrap"];

    public override string WorkPath => "/sandbox/work";

    public override string CheckerPath => "/sandbox/checker";

    /// <summary>The bwrap executable (the configured one, else the first of <see cref="Locations"/>), or null when it is missing.</summary>
    public static string? Find(CommandSlaOptions options) =>
        options.BubblewrapPath is { Length: > 0 } configured ? (File.Exists(configured) ? configured : null) : Locations.FirstOrDefault(File.Exists);

    /// <summary>Null when the sandbox can run here; otherwise why not (the node then refuses command SLAs).</summary>
    public static string? Problem(CommandSlaOptions options) => Find(options) is null
        ? options.BubblewrapPath is { Length: > 0 } configured
            ? $"bubblewrap is not at {configured} (Provider:CommandSlas:BubblewrapPath)"
            : "bubblewrap (bwrap) is not installed: install Debian's bubblewrap (infra/ensure-bubblewrap.sh)"
        : !File.Exists(Prlimit) ? "prlimit (util-linux) is not installed" : null;

    /// <summary>prlimit, run inside the sandbox from the read-only /usr it binds.</summary>
    private const string Prlimit = "/usr/bin/prlimit";

    public override ProcessStartInfo Start(IReadOnlyList<string> argv, string hostWorkPath, string? hostCheckerPath)
    {
        var bwrap = Find(options) ?? throw new InvalidOperationException(Problem(options));
        var psi = new ProcessStartInfo(bwrap) { WorkingDirectory = "/" };
        var a = psi.ArgumentList;
        void Add(params string[] items) { foreach (var i in items) a.Add(i); }
        // No --die-with-parent: its PR_SET_PDEATHSIG fires when the .NET thread that started bwrap ends, which kills
        // healthy checkers at random (exit 137). A timed-out checker is killed with its whole process tree instead, and
        // ending bwrap's PID-namespace init ends everything inside.
        Add("--unshare-all", "--new-session", "--uid", "65534", "--gid", "65534");
        Add("--ro-bind", "/usr", "/usr");
        foreach (var top in new[] { "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32" })
        {
            var info = new FileInfo(top);
            if (info.LinkTarget is { } target) Add("--symlink", target, top);
            else if (Directory.Exists(top)) Add("--ro-bind", top, top);
        }
        Add("--proc", "/proc", "--dev", "/dev", "--dir", "/sandbox");
        Add("--ro-bind", hostWorkPath, WorkPath);
        if (hostCheckerPath is not null) Add("--ro-bind", hostCheckerPath, CheckerPath);
        Add("--tmpfs", "/sandbox/scratch", "--chdir", "/sandbox/scratch");
        Add("--clearenv", "--setenv", "PATH", "/usr/bin:/bin", "--setenv", "HOME", "/sandbox/scratch");
        Add("--", Prlimit,
            "--as=" + options.MemoryBytes.ToString(CultureInfo.InvariantCulture),
            "--cpu=" + ((long)options.CpuTime.TotalSeconds).ToString(CultureInfo.InvariantCulture),
            "--nproc=" + options.MaxProcesses.ToString(CultureInfo.InvariantCulture),
            "--");
        foreach (var arg in argv) a.Add(arg);
        return psi;
    }
}
