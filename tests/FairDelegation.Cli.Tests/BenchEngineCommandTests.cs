namespace FairDelegation.Cli.Tests;

public class BenchEngineCommandTests
{
    /// <summary>
    /// Runs under `dotnet fairdelegation.dll`, where the PostgreSQL phase must re-launch the CLI through the
    /// shared host (it once re-ran plain `dotnet` and failed).
    /// </summary>
    [Fact]
    public async Task Bench_engine_runs_both_stores_with_worker_processes()
    {
        var result = await Cli.RunAsync("bench", "engine", "--orchestrations", "20");
        result.ExitCode.Should().Be(0, result.StdErr + result.StdOut);
        result.StdOut.Should().Contain("SQLite").And.Contain("PostgreSQL, 1 worker process:").And.Contain("PostgreSQL, 2 worker processes:");
    }
}
