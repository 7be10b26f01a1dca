using FairDelegation.Testing;

namespace FairDelegation.Api.Tests;

/// <summary>Runs the real `fairdelegation` program (dotnet fairdelegation.dll, built with this project) as a process.</summary>
public static class CliProcess
{
    /// <summary>src/FairDelegation.Cli/bin/{Debug|Release}/net10.0/fairdelegation.dll, in the configuration these tests were built in.</summary>
    public static string Dll
    {
        get
        {
            var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // bin/<configuration>/net10.0/
            var path = Path.Combine(RepoPaths.Root, "src", "FairDelegation.Cli", "bin", configuration, "net10.0", "fairdelegation.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException("build src/FairDelegation.Cli first", path);
        }
    }

    public static Task<ProcessRunner.Result> RunAsync(TimeSpan timeout, params string[] args) =>
        ProcessRunner.RunAsync("dotnet", [Dll, .. args], timeout: timeout);
}
