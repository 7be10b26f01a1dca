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

    [Fact]
    public async Task Bench_engine_runs_the_framework_on_the_sqlite_provider()
    {
        var result = await Cli.RunAsync("bench", "engine", "--backend", "sqlite", "--orchestrations", "20", "--rounds", "1");
        result.ExitCode.Should().Be(0, result.StdErr + result.StdOut);
        result.StdOut.Should().Contain("round 1: SQLite provider").And.Contain("raw commits").And.Contain("220 in");
    }

    [Fact]
    public async Task Bench_engine_refuses_an_unknown_backend()
    {
        var result = await Cli.RunAsync("bench", "engine", "--backend", "nope");
        result.ExitCode.Should().NotBe(0);
        (result.StdErr + result.StdOut).Should().Contain("--backend");
    }
}
