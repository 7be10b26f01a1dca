using FairDelegation.Testing;

namespace FairDelegation.Cli.Tests;

/// <summary>Runs the built CLI as a real process: `dotnet fairdelegation.dll ...`.</summary>
internal static class Cli
{
    /// <summary>The CLI assembly copied next to the tests by the project reference (with its runtimeconfig).</summary>
    public static string Dll
    {
        get
        {
            var path = Path.Combine(AppContext.BaseDirectory, "fairdelegation.dll");
            if (!File.Exists(path) || !File.Exists(Path.ChangeExtension(path, ".runtimeconfig.json")))
                throw new FileNotFoundException("the built CLI (fairdelegation.dll + runtimeconfig) is not next to the tests", path);
            return path;
        }
    }

    public static Task<ProcessRunner.Result> RunAsync(params string[] args) =>
        ProcessRunner.RunAsync("dotnet", [Dll, .. args], timeout: TimeSpan.FromMinutes(3));
}
