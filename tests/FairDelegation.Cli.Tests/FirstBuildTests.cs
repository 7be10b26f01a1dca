using FairDelegation.Testing;

namespace FairDelegation.Cli.Tests;

/// <summary>
/// The first `dotnet run -- demo` installs npm packages inside a quiet build: infra/ensure-node-modules.sh must say so on
/// the terminal, not only in the build log nobody sees (issue 11 #9). Runs a copy of the script in a temporary repo with a
/// stand-in `npm` under a pseudo-terminal (util-linux `script`), with the build's stderr thrown away as `dotnet run` does.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class FirstBuildTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("fd-first-build-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Installing_node_modules_tells_the_terminal_what_it_is_doing()
    {
        Directory.CreateDirectory(Path.Combine(_root, "infra"));
        Directory.CreateDirectory(Path.Combine(_root, "bin"));
        File.Copy(Path.Combine(RepoPaths.Root, "infra", "ensure-node-modules.sh"), Path.Combine(_root, "infra", "ensure-node-modules.sh"));
        await File.WriteAllTextAsync(Path.Combine(_root, "package-lock.json"), "{}");
        var npm = Path.Combine(_root, "bin", "npm");
        await File.WriteAllTextAsync(npm, "#!/bin/sh\nmkdir -p node_modules\n");
        File.SetUnixFileMode(npm, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var command = $"PATH={_root}/bin:$PATH bash {_root}/infra/ensure-node-modules.sh 2>/dev/null";
        var run = await ProcessRunner.RunAsync("script", ["-qec", command, "/dev/null"], timeout: TimeSpan.FromMinutes(1));
        run.ExitCode.Should().Be(0, run.StdErr);
        run.StdOut.Should().Contain("installing anvil, forge, solc and azurite from npm").And.Contain("compiling");
        File.Exists(Path.Combine(_root, "node_modules", ".fairdelegation-lock-hash")).Should().BeTrue();
    }
}
