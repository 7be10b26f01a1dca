using FairDelegation.Cli.Commands;

namespace FairDelegation.Cli.Tests;

public class BenchCryptoCommandTests
{
    [Theory]
    [InlineData("1GiB", 1L << 30)]
    [InlineData("512MiB", 512L << 20)]
    [InlineData("64KiB", 64L << 10)]
    [InlineData("100MB", 100_000_000)]
    [InlineData("1.5GB", 1_500_000_000)]
    [InlineData("4096", 4096)]
    [InlineData(" 2 gib ", 2L << 30)]
    public void Sizes_parse(string text, long bytes) => BenchCryptoCommand.ParseSize(text).Should().Be(bytes);

    [Theory]
    [InlineData("")]
    [InlineData("lots")]
    [InlineData("-1GiB")]
    [InlineData("0")]
    [InlineData("GiB")]
    public void Bad_sizes_are_rejected(string text) =>
        FluentActions.Invoking(() => BenchCryptoCommand.ParseSize(text)).Should().Throw<CliException>().WithMessage("*not a size*");

    [Fact]
    public async Task Bench_runs_end_to_end_on_a_small_size_and_prints_the_ratio()
    {
        var r = (await Cli.RunAsync("bench", "crypto", "--size", "16MiB", "--rounds", "1")).EnsureSuccess();
        r.StdOut.Should().Contain("SHA-256 alone").And.Contain("encrypt + H(w')").And.Contain("ratio to SHA-256").And.Contain("decrypt");
        var bad = await Cli.RunAsync("bench", "crypto", "--size", "huge");
        bad.ExitCode.Should().NotBe(0);
        bad.StdErr.Should().Contain("not a size");
    }
}
