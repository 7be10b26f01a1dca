using System.Diagnostics;
using System.Text;

namespace FairDelegation.Node.Services;

/// <summary>
/// A program the provider registered: it reads the input file and writes the output file. Arguments may use
/// {input}, {output} and {attempt}; the program is killed (with its children) at the time limit.
/// </summary>
public sealed class ExternalCommandService(string name, string command, IReadOnlyList<string> arguments) : IDelegationService
{
    public string Name { get; } = name;

    public async Task ProduceAsync(ServiceRun run, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo(command)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(run.OutputPath)!,
        };
        foreach (var a in arguments)
        {
            psi.ArgumentList.Add(a.Replace("{input}", run.InputPath).Replace("{output}", run.OutputPath)
                .Replace("{attempt}", run.Attempt.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        using var process = new Process { StartInfo = psi };
        var stderr = new StringBuilder();
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) if (stderr.Length < 4000) stderr.AppendLine(e.Data); };
        process.OutputDataReceived += (_, _) => { };
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw new ServiceFailedException($"service {Name}: cannot start '{command}': {e.Message}");
        }
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(run.TimeLimit);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            cancellationToken.ThrowIfCancellationRequested();
            throw new ServiceFailedException($"service {Name} exceeded its time limit of {run.TimeLimit}");
        }
        if (process.ExitCode != 0)
        {
            string tail;
            lock (stderr) tail = stderr.ToString().Trim();
            throw new ServiceFailedException($"service {Name} exited with code {process.ExitCode}: {tail}");
        }
        if (!File.Exists(run.OutputPath)) throw new ServiceFailedException($"service {Name} wrote no output file");
    }
}
