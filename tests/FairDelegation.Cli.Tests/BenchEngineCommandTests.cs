namespace FairDelegation.Cli.Tests;

public class BenchEngineCommandTests
{
    [Fact]
    public async Task Bench_engine_runs_on_azure_storage_against_a_fresh_azurite_and_reports_the_raw_queue_rate()
    {
        var result = await Cli.RunAsync("bench", "engine", "--backend", "azure-storage", "--orchestrations", "10");
        result.ExitCode.Should().Be(0, result.StdErr + result.StdOut);
        result.StdOut.Should().Contain("azure-storage:").And.Contain("work items/s").And.Contain("Azurite queue put+get");
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
        var result = await Cli.RunAsync("bench", "engine", "--backend", "postgres");
        result.ExitCode.Should().NotBe(0);
        (result.StdErr + result.StdOut).Should().Contain("--backend 'postgres' is not a backend");
    }
}
