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

    /// <summary>
    /// The market demo with real nodes (it starts its own anvil and Azurite): three provider nodes register themselves,
    /// the cheapest has a record of refunds, the customer node asks all three for quotes and picks the mid-priced one
    /// with claims, says why, and the delegation completes with the wage moved.
    /// </summary>
    [Fact]
    public async Task The_market_demo_runs_provider_nodes_picks_by_the_score_prints_why_and_completes()
    {
        var run = await ProcessRunner.RunAsync("dotnet", [Cli.Dll, "demo", "market"], timeout: TimeSpan.FromMinutes(6));
        run.ExitCode.Should().Be(0, $"stdout: {run.StdOut}\nstderr: {run.StdErr}");
        var output = run.StdOut;
        output.Should().Contain("the three provider nodes registered themselves").And.Contain("the customer lists the market")
            .And.Contain("claimed / ").And.Contain("ranking for");
        output.Should().MatchRegex(@"dashboard http://127\.0\.0\.1:\d+/dashboard", "the demo prints the customer node's dashboard");
        string Identity(string name) => Regex.Match(output, $@"provider {name}\s+\S+\s+identity (0x[0-9a-f]{{40}})").Groups[1].Value;
        var (mid, cheap, dear) = (Identity("mid"), Identity("cheap"), Identity("dear"));
        mid.Should().NotBeEmpty(output);
        // The three nodes answered with signed quotes; the pick is the mid-priced provider, for the reason printed.
        var quotes = output[output.IndexOf("quotes the customer node asked for", StringComparison.Ordinal)..];
        foreach (var p in new[] { mid, cheap, dear }) quotes.Should().Contain(p);
        Regex.Matches(quotes, "signature 0x").Count.Should().Be(3, quotes);
        quotes.Should().MatchRegex($@"mid\s+{mid}\s+score [\d.]+\s+0\.002000 ETH, signature 0x[0-9a-f]+…\s+CHOSEN");
        var why = output.Split('\n').Single(l => l.StartsWith("why: ", StringComparison.Ordinal));
        why.ToLowerInvariant().Should().StartWith($"why: chose {mid} at 2000000000000000 (eth)");
        why.Should().Contain("score 0.638").And.Contain("reliability").And.Contain("3 claimed");
        output.Should().Contain($"the pick: 'mid' {mid}");
        output.Should().Contain("customer: Completed   provider 'mid': Completed")
            .And.Contain("wage moved: 0.002000 ETH from the customer to 'mid''s payee")
            .And.MatchRegex(@"customer wallet 0x[0-9a-f]{40}\s+[\d.]+ ETH -> [\d.]+ ETH")
            .And.MatchRegex(@"'mid' payee\s+0x[0-9a-f]{40}\s+0\.003000 ETH -> 0\.005000 ETH")
            .And.Contain("delegation Completed");
    }

    /// <summary>`demo market --delegations 3`: three delegations at once, their escrows opened in one openBatch transaction.</summary>
    [Fact]
    public async Task The_market_demo_with_three_delegations_opens_their_escrows_in_one_openBatch_and_all_complete()
    {
        var run = await ProcessRunner.RunAsync("dotnet", [Cli.Dll, "demo", "market", "--delegations", "3"], timeout: TimeSpan.FromMinutes(6));
        run.ExitCode.Should().Be(0, $"stdout: {run.StdOut}\nstderr: {run.StdErr}");
        var output = run.StdOut;
        Regex.Matches(output, @"customer: Completed   provider 'mid': Completed").Count.Should().Be(3, output);
        output.Should().MatchRegex(@"3 escrows opened in one openBatch transaction 0x[0-9a-f]{64}: [\d,]+ gas, [\d,]+ per escrow")
            .And.Contain("wage moved: 0.006000 ETH from the customer to 'mid''s payee")
            .And.MatchRegex(@"'mid' payee\s+0x[0-9a-f]{40}\s+0\.003000 ETH -> 0\.009000 ETH")
            .And.Contain("3 delegations Completed");
    }

    /// <summary>
    /// `demo market --token`: wages in a demo ERC-20 (OpenZeppelin's ERC20, compiled by the build): the providers price the
    /// service in it, the customer node approves and opens in tokens, and the token balances move by exactly the wage.
    /// </summary>
    [Fact]
    public async Task The_market_demo_with_a_token_pays_the_chosen_provider_exactly_the_wage_in_tokens()
    {
        var run = await ProcessRunner.RunAsync("dotnet", [Cli.Dll, "demo", "market", "--token"], timeout: TimeSpan.FromMinutes(6));
        run.ExitCode.Should().Be(0, $"stdout: {run.StdOut}\nstderr: {run.StdErr}");
        var output = run.StdOut;
        var token = Regex.Match(output, @"token\s+(0x[0-9a-f]{40}) \(FDT: OpenZeppelin's ERC20").Groups[1].Value;
        token.Should().NotBeEmpty(output);
        output.Should().MatchRegex(@"mid\s+0x[0-9a-f]{40}\s+score [\d.]+\s+0\.002000 FDT, signature 0x[0-9a-f]+…\s+CHOSEN");
        output.Split('\n').Single(l => l.StartsWith("why: ", StringComparison.Ordinal)).ToLowerInvariant().Should().Contain($"at 2000000000000000 ({token})");
        output.Should().Contain("customer: Completed   provider 'mid': Completed")
            .And.Contain("wage moved: 0.002000 FDT from the customer to 'mid''s payee (2000000000000000 FDT units, the quoted wage)")
            .And.MatchRegex(@"customer wallet 0x[0-9a-f]{40}\s+1\.000000 FDT -> 0\.998000 FDT")
            .And.MatchRegex(@"'mid' payee\s+0x[0-9a-f]{40}\s+0\.000000 FDT -> 0\.002000 FDT")
            .And.Contain("delegation Completed");
    }

    [GeneratedRegex(@"address\s+(0x[0-9a-fA-F]{40})")]
    private static partial Regex Address();
}
