using System.Text.RegularExpressions;
using FairDelegation.Testing;
using Xunit.Abstractions;

namespace FairDelegation.Chain.Tests.Contracts;

/// <summary>
/// Runs the Solidity tests (contracts/test) with forge, offline, compiling through the solcjs shim, so that
/// `dotnet test` covers them. Build output and cache go to a temporary folder: the repository stays clean.
/// </summary>
public sealed partial class ForgeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Forge_tests_of_the_escrow_and_the_registry_pass()
    {
        var temp = Directory.CreateTempSubdirectory("fd-forge-");
        try
        {
            var result = await ProcessRunner.RunAsync(RepoPaths.Forge,
                ["test", "--offline", "--out", Path.Combine(temp.FullName, "out"), "--cache-path", Path.Combine(temp.FullName, "cache")],
                workingDirectory: Path.Combine(RepoPaths.Root, "contracts"), timeout: TimeSpan.FromMinutes(5),
                environment: new Dictionary<string, string> { ["NO_COLOR"] = "1" });
            output.WriteLine(result.StdOut);
            output.WriteLine(result.StdErr);
            result.ExitCode.Should().Be(0, "forge test must pass:\n" + result.StdOut + result.StdErr);

            var summary = Summary().Match(result.StdOut);
            summary.Success.Should().BeTrue("forge prints a summary line");
            int.Parse(summary.Groups["passed"].Value).Should().BeGreaterThan(20);
            int.Parse(summary.Groups["failed"].Value).Should().Be(0);
            result.StdOut.Should().Contain("testFuzz_ClaimAcceptsExactlyTheKeyOfVmAddr");
            result.StdOut.Should().Contain("FairDelegationRegistryTest").And.Contain("testFuzz_StakeAccounting");
        }
        finally
        {
            temp.Delete(recursive: true);
        }
    }

    [GeneratedRegex(@"(?<passed>\d+) tests passed, (?<failed>\d+) failed")]
    private static partial Regex Summary();
}
