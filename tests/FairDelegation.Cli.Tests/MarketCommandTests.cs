using System.Text.RegularExpressions;
using FairDelegation.Testing;

namespace FairDelegation.Cli.Tests;

/// <summary>
/// The market from the CLI, as real processes against a real anvil: deploy the registry, three providers register
/// with different prices, `providers` lists them and ranks the cheapest first, a provider that leaves disappears.
/// </summary>
public sealed partial class MarketCommandTests(AnvilProcess anvil) : IClassFixture<AnvilProcess>
{
    private const string Service = "train-classifier";

    [Fact]
    public async Task Three_providers_register_and_the_cheapest_acceptable_ranks_first()
    {
        var deployed = (await Cli.RunAsync("registry", "deploy", "--rpc-url", anvil.RpcUrl, "--anvil-dev-account", "0",
            "--min-stake", "1000", "--unbonding-delay", "60")).EnsureSuccess();
        var registry = Address().Match(deployed.StdOut).Groups[1].Value;

        // Prices 3, 1 and 2 (x 10^15 wei); the dearest also asks too much for the customer below.
        string[] prices = ["3000000000000000", "1000000000000000", "2000000000000000", "9000000000000000"];
        for (var i = 0; i < prices.Length; i++)
            (await Cli.RunAsync("registry", "register", "--rpc-url", anvil.RpcUrl, "--anvil-dev-account", (i + 1).ToString(),
                "--registry", registry, "--endpoint", $"http://provider-{i + 1}.example:5080", "--stake", "5000",
                "--offer", $"{Service}:{prices[i]}", "--offer", "other-service:7")).EnsureSuccess();
        (await Cli.RunAsync("registry", "deregister", "--rpc-url", anvil.RpcUrl, "--anvil-dev-account", "4", "--registry", registry)).EnsureSuccess();

        var listed = (await Cli.RunAsync("providers", "--rpc-url", anvil.RpcUrl, "--registry", registry, "--service", Service,
            "--max-wage", "5000000000000000")).EnsureSuccess().StdOut;
        listed.Should().Contain("3 provider(s) serving 'train-classifier'");
        listed.Should().NotContain("provider-4.example", "a provider that left is not listed");
        var ranking = listed[listed.IndexOf("ranking", StringComparison.Ordinal)..];
        var order = Regex.Matches(ranking, @"\d\. (0x[0-9a-fA-F]{40})").Select(m => m.Groups[1].Value.ToLowerInvariant()).ToList();
        order.Should().Equal(AnvilProcess.DevAddresses[2].ToLowerInvariant(), AnvilProcess.DevAddresses[3].ToLowerInvariant(),
            AnvilProcess.DevAddresses[1].ToLowerInvariant());
        ranking.Should().Contain("score").And.Contain("price");
    }

    [Fact]
    public async Task A_malformed_offer_is_refused_naming_the_option()
    {
        var r = await Cli.RunAsync("registry", "register", "--rpc-url", anvil.RpcUrl, "--anvil-dev-account", "1",
            "--registry", "0x5FbDB2315678afecb367f032d93F642f64180aa3", "--endpoint", "http://p", "--stake", "1", "--offer", "train-classifier");
        r.ExitCode.Should().NotBe(0);
        r.StdErr.Should().Contain("--offer 'train-classifier'");
    }

    /// <summary>The market demo: the cheapest provider has a record of refunds, and the pick is the mid-priced one with claims.</summary>
    [Fact]
    public async Task The_market_demo_ranks_a_record_of_refunds_below_and_prints_why()
    {
        var output = (await Cli.RunAsync("demo", "market", "--rpc-url", anvil.RpcUrl)).EnsureSuccess().StdOut;
        output.Should().Contain("the customer lists the market").And.Contain("quotes:").And.Contain("(verified)");
        var chose = output[output.IndexOf("chose ", StringComparison.Ordinal)..];
        chose.Should().StartWith("chose " + AnvilProcess.DevAddresses[3], "provider 3 claimed every escrow; provider 2 is cheaper but let escrows be refunded");
        chose.Should().Contain("3 claimed");
        var ranking = output[output.IndexOf("ranking", StringComparison.Ordinal)..];
        ranking.IndexOf(AnvilProcess.DevAddresses[3], StringComparison.OrdinalIgnoreCase).Should()
            .BeLessThan(ranking.IndexOf(AnvilProcess.DevAddresses[2], StringComparison.OrdinalIgnoreCase));
    }

    [GeneratedRegex(@"address\s+(0x[0-9a-fA-F]{40})")]
    private static partial Regex Address();
}
