using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace FairDelegation.Protocol.Sla;

/// <summary>
/// An external checker supplied by the customer, run on the work file: exit code 0 means compliant. The command is
/// an argv template: "{work}" is replaced by the work file's path and "{checker}" by the path of the checker
/// program taken from the package's asset <see cref="CheckerAsset"/> (written to a private temp folder, executable).
/// Without "{work}" the path is appended as the last argument. Wall time and output size are limited; on either
/// limit the whole process tree is killed. The tail of stderr is the violation reason.
/// </summary>
public sealed record CommandSla(
    IReadOnlyList<string> Command,
    int TimeoutMilliseconds = 60_000,
    long MaxOutputBytes = 1 << 20,
    string? CheckerAsset = null,
    string? CheckerSha256 = null) : ServiceLevelAgreement
{
    private const int ReasonTailChars = 2000;

    public override async Task<SlaVerdict> CheckAsync(SlaCheckContext context)
    {
        string? folder = null;
        try
        {
            string? checkerPath = null;
            if (CheckerAsset is not null)
            {
                folder = Directory.CreateTempSubdirectory("fd-checker-").FullName;
                checkerPath = Path.Combine(folder, "checker");
                await File.WriteAllBytesAsync(checkerPath, context.Asset(CheckerAsset), context.CancellationToken);
                if (!OperatingSystem.IsWindows())
                    File.SetUnixFileMode(checkerPath, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);
            }
            // In a sandbox the checker sees the work and itself under the sandbox's paths, nothing of the host's.
            var sandbox = context.Sandbox;
            var workPath = sandbox?.WorkPath ?? context.WorkPath;
            var checkerSeen = checkerPath is null ? "{checker}" : sandbox?.CheckerPath ?? checkerPath;
            var argv = Command.Select(a => a.Replace("{work}", workPath).Replace("{checker}", checkerSeen)).ToList();
            if (!Command.Any(a => a.Contains("{work}", StringComparison.Ordinal))) argv.Add(workPath);
            var psi = sandbox?.Start(argv, context.WorkPath, checkerPath) ?? Direct(argv, folder);
            return await RunAsync(psi, argv[0], context.CancellationToken);
        }
        finally
        {
            if (folder is not null) try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }

    private static ProcessStartInfo Direct(List<string> argv, string? workingDirectory)
    {
        var psi = new ProcessStartInfo(argv[0]) { WorkingDirectory = workingDirectory ?? Path.GetTempPath() };
        foreach (var a in argv.Skip(1)) psi.ArgumentList.Add(a);
        return psi;
    }

    private async Task<SlaVerdict> RunAsync(ProcessStartInfo psi, string program, CancellationToken cancellationToken)
    {
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.RedirectStandardInput = true;
        psi.UseShellExecute = false;

        using var process = new Process { StartInfo = psi };
        try { process.Start(); }
        catch (System.ComponentModel.Win32Exception e)
        {
            return SlaVerdict.Violation($"checker could not be started ({program}): {e.Message}");
        }
        process.StandardInput.Close();

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeSpan.FromMilliseconds(TimeoutMilliseconds));
        var budget = new OutputBudget(MaxOutputBytes, limit);
        var stdout = DrainAsync(process.StandardOutput.BaseStream, budget, keepTail: false);
        var stderr = DrainAsync(process.StandardError.BaseStream, budget, keepTail: true);
        try
        {
            await process.WaitForExitAsync(limit.Token);
            await Task.WhenAll(stdout, stderr).WaitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            await process.WaitForExitAsync(CancellationToken.None);
            cancellationToken.ThrowIfCancellationRequested();
            return budget.Exceeded
                ? SlaVerdict.Violation($"checker exceeded the output limit of {MaxOutputBytes} bytes")
                : SlaVerdict.Violation($"checker timed out after {TimeoutMilliseconds} ms");
        }
        var tail = (await stderr).Trim();
        return process.ExitCode == 0
            ? SlaVerdict.Pass(tail.Length == 0 ? "checker accepted the work" : tail)
            : SlaVerdict.Violation($"checker rejected the work (exit {process.ExitCode})" + (tail.Length > 0 ? ": " + tail : ""));
    }

    private sealed class OutputBudget(long max, CancellationTokenSource limit)
    {
        private long _used;
        public bool Exceeded { get; private set; }

        public void Spend(int bytes)
        {
            if (Interlocked.Add(ref _used, bytes) > max)
            {
                Exceeded = true;
                limit.Cancel();
            }
        }
    }

    private static async Task<string> DrainAsync(Stream stream, OutputBudget budget, bool keepTail)
    {
        var buffer = new byte[8192];
        var tail = new StringBuilder();
        int read;
        try
        {
            while ((read = await stream.ReadAsync(buffer)) > 0)
            {
                budget.Spend(read);
                if (!keepTail) continue;
                tail.Append(Encoding.UTF8.GetString(buffer, 0, read));
                if (tail.Length > 2 * ReasonTailChars) tail.Remove(0, tail.Length - ReasonTailChars);
            }
        }
        catch (IOException) { }
        catch (ObjectDisposedException) { }
        var s = tail.ToString();
        return s.Length > ReasonTailChars ? s[^ReasonTailChars..] : s;
    }

    public override void Validate(IReadOnlyDictionary<string, byte[]> assets)
    {
        if (Command is null || Command.Count == 0 || string.IsNullOrWhiteSpace(Command[0])) throw new FormatException("command SLA needs a program to run");
        if (TimeoutMilliseconds <= 0) throw new FormatException("command SLA timeout must be positive");
        if (MaxOutputBytes < 0) throw new FormatException("command SLA output limit must not be negative");
        if (CheckerAsset is null) return;
        if (!assets.TryGetValue(CheckerAsset, out var checker)) throw new FormatException($"the checker asset '{CheckerAsset}' is missing");
        if (CheckerSha256 is not null && !string.Equals("0x" + Convert.ToHexStringLower(SHA256.HashData(checker)),
                CheckerSha256, StringComparison.OrdinalIgnoreCase))
            throw new FormatException($"the checker asset '{CheckerAsset}' does not match the SHA-256 the SLA commits to");
    }
}
