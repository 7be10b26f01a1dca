using System.Diagnostics;
using System.Reflection;

namespace FairDelegation.Cli;

/// <summary>Starts this CLI again as a child process, whether it runs as the apphost or as `dotnet fairdelegation.dll`.</summary>
public static class SelfProcess
{
    public static ProcessStartInfo CreateStartInfo(IEnumerable<string> args)
    {
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("cannot find this executable");
        var psi = new ProcessStartInfo(host) { UseShellExecute = false };
        // Under the shared `dotnet` host the process path is dotnet itself: the entry assembly must come first.
        if (Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
            psi.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        foreach (var a in args) psi.ArgumentList.Add(a);
        return psi;
    }
}
