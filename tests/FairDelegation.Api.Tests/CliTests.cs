namespace FairDelegation.Api.Tests;

/// <summary>The CLI as a user runs it: the one-command demo end to end, and errors as one line with a non-zero exit.</summary>
public sealed class CliTests
{
    [Fact]
    public async Task The_demo_runs_a_fair_delegation_to_a_successful_end()
    {
        var run = await CliProcess.RunAsync(TimeSpan.FromMinutes(5), "demo");
        run.ExitCode.Should().Be(0, $"stdout: {run.StdOut}\nstderr: {run.StdErr}");
        run.StdOut.Should().Contain("customer: Completed   provider: Completed")
            .And.Contain("wage moved: 0.250000 ETH")
            .And.Contain("customer  ended Completed")
            .And.MatchRegex(@"OpenEscrow\s+customer\s+[\d,]+ gas")
            .And.MatchRegex(@"RevealKey\s+provider\s+[\d,]+ gas")
            .And.Contain("stamp: valid")
            .And.MatchRegex(@"model: accuracy (0\.9\d\d|1\.000) \(\d+/100\) on the hidden test set")
            .And.Contain("demo succeeded")
            .And.MatchRegex(@"dashboard http://127\.0\.0\.1:\d+/dashboard", "the demo prints its dashboard's URL (issue 16)");
    }

    [Fact]
    public async Task The_delegations_benchmark_runs_and_reports_its_figures_next_to_the_baseline()
    {
        var run = await CliProcess.RunAsync(TimeSpan.FromMinutes(5), "bench", "delegations", "--count", "2", "--concurrency", "1", "--baseline", "1");
        run.ExitCode.Should().Be(0, $"stdout: {run.StdOut}\nstderr: {run.StdErr}");
        run.StdOut.Should().MatchRegex(@"p50 [\d.]+ ms\s+p95 [\d.]+ ms\s+[\d.]+ delegations/s")
            .And.Contain("open + claim").And.MatchRegex(@"ratio: delegation p50 / open\+claim p50 = [\d.]+x")
            .And.MatchRegex(@"chain RPC \(anvil\)\s+[\d.]+ ms per delegation \([1-9]")
            .And.MatchRegex(@"blob storage \(Azurite\)\s+[\d.]+ ms per delegation \([1-9]");
    }

    [Theory]
    [InlineData("demo", "--min-accuracy", "2")]
    [InlineData("demo", "--rpc-url", "not a url")]
    [InlineData("status")]
    [InlineData("status", "some-id", "--node", "ftp://x")]
    [InlineData("delegate", "--provider", "http://127.0.0.1:9")]
    [InlineData("no-such-command")]
    public async Task Bad_arguments_print_one_error_line_and_exit_non_zero(params string[] args)
    {
        var run = await CliProcess.RunAsync(TimeSpan.FromSeconds(60), args);
        run.ExitCode.Should().NotBe(0);
        var errorLines = run.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        errorLines.Should().NotBeEmpty();
        errorLines[0].Should().NotContain("   at ", "no stack trace");
        run.StdErr.Should().NotContain("Exception");
    }

    [Fact]
    public async Task Delegate_reads_sla_at_file_as_the_SLA_file_and_says_when_input_is_a_directory()
    {
        var dir = Directory.CreateTempSubdirectory("fd-cli-sla-").FullName;
        try
        {
            // A pretty-printed SLA file: as a response file its words became stray arguments and the parse failed.
            var sla = Path.Combine(dir, "sla.json");
            await File.WriteAllTextAsync(sla, "{\n  \"kind\": \"max-bytes\",\n  \"maxBytes\": 1000\n}\n");
            var input = Path.Combine(dir, "input.txt");
            await File.WriteAllTextAsync(input, "some input");
            var run = await CliProcess.RunAsync(TimeSpan.FromSeconds(60), "delegate", "--node", "http://127.0.0.1:9", "--api-key", "k",
                "--provider", "http://127.0.0.1:9", "--input", input, "--wage", "1000", "--sla", "@" + sla);
            run.ExitCode.Should().Be(1);
            run.StdErr.Trim().Should().StartWith("error: the node at http://127.0.0.1:9 did not answer", "the SLA file was read; only the node is missing");

            var directory = await CliProcess.RunAsync(TimeSpan.FromSeconds(60), "delegate", "--node", "http://127.0.0.1:9", "--api-key", "k",
                "--provider", "http://127.0.0.1:9", "--input", dir, "--wage", "1000", "--sla", "@" + sla);
            directory.ExitCode.Should().Be(1);
            directory.StdErr.Trim().Should().Be($"error: --input: {dir} is a directory; give a file");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("0x12", "is not an address (0x followed by 40 hex digits)")]
    [InlineData("0x5fbDB2315678afecb367f032d93F642f64180aa3", "wrong EIP-55 checksum")]
    [InlineData("0x0000000000000000000000000000000000000000", "is the zero address")]
    public async Task Delegate_refuses_a_currency_that_is_neither_ETH_nor_a_token_address_naming_the_option(string currency, string reason)
    {
        var dir = Directory.CreateTempSubdirectory("fd-cli-currency-").FullName;
        try
        {
            var input = Path.Combine(dir, "input.txt");
            await File.WriteAllTextAsync(input, "some input");
            // The node is not there: the option is refused before the CLI sends anything.
            var run = await CliProcess.RunAsync(TimeSpan.FromSeconds(60), "delegate", "--node", "http://127.0.0.1:9", "--api-key", "k",
                "--provider", "http://127.0.0.1:9", "--input", input, "--wage", "1000", "--sla", "{\"kind\":\"max-bytes\",\"maxBytes\":10}",
                "--currency", currency);
            run.ExitCode.Should().Be(1);
            run.StdErr.Trim().Should().StartWith($"error: --currency '{currency}'").And.Contain(reason).And.NotContain("\n").And.NotContain("Exception");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Status_against_a_node_that_is_not_there_is_one_clear_line()
    {
        var run = await CliProcess.RunAsync(TimeSpan.FromSeconds(60), "status", "abc", "--node", "http://127.0.0.1:9", "--api-key", "k");
        run.ExitCode.Should().Be(1);
        run.StdErr.Trim().Should().StartWith("error: the node at http://127.0.0.1:9 did not answer").And.NotContain("\n");
    }
}
