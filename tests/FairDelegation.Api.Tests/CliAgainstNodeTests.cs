using System.Globalization;
using System.Numerics;
using System.Text.RegularExpressions;
using FairDelegation.Chain.Accounts;
using FairDelegation.Chain.Rpc;
using FairDelegation.Chain.Transactions;
using FairDelegation.Testing;
using FairDelegation.Protocol.Sla.Classifier;

namespace FairDelegation.Api.Tests;

/// <summary>`fairdelegation delegate` and `status` as real processes against the fixture's customer node (real HTTP).</summary>
[Collection(ApiCollection.Name)]
public sealed partial class CliAgainstNodeTests(ApiFixture fixture) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fd-api-cli-").FullName;

    [Fact]
    public async Task Delegate_follows_a_delegation_to_its_end_and_status_shows_it()
    {
        var input = Path.Combine(_dir, "train.csv");
        var testSet = Path.Combine(_dir, "test.csv");
        var output = Path.Combine(_dir, "model.json");
        await File.WriteAllTextAsync(input, Bodies.Csv(120, 1));
        await File.WriteAllTextAsync(testSet, Bodies.Csv(40, 2));

        var run = await CliProcess.RunAsync(TimeSpan.FromMinutes(5), "delegate", "--node", fixture.Customer.Url, "--api-key", ApiFixture.ApiKey,
            "--provider", fixture.Provider.Url, "--input", input, "--test-set", testSet, "--min-accuracy", "0.8", "--wage", ApiFixture.Wage,
            "--output", output);
        run.ExitCode.Should().Be(0, $"stdout: {run.StdOut}\nstderr: {run.StdErr}");
        run.StdOut.Should().MatchRegex(@"customer  \(\d+\) \w+").And.Contain("ended Completed").And.Contain("transaction OpenEscrow");
        var model = LinearModel.FromJson(await File.ReadAllTextAsync(output));
        ClassifierEvaluator.Accuracy(model, CsvDataset.Parse(Bodies.Csv(40, 2))).Accuracy.Should().BeGreaterThanOrEqualTo(0.8);

        var id = IdLine().Match(run.StdOut).Groups[1].Value;
        var status = await CliProcess.RunAsync(TimeSpan.FromSeconds(60), "status", id, "--node", fixture.Customer.Url, "--api-key", ApiFixture.ApiKey);
        status.ExitCode.Should().Be(0, status.StdErr);
        status.StdOut.Should().Contain("status      Completed / Completed").And.Contain($"wage        {ApiFixture.Wage} wei agreed");

        var refused = await CliProcess.RunAsync(TimeSpan.FromSeconds(60), "status", id, "--node", fixture.Customer.Url, "--api-key", "wrong-key-wrong-key");
        refused.ExitCode.Should().Be(1);
        refused.StdErr.Trim().Should().StartWith("error: unauthenticated").And.NotContain("\n");
        var unknown = await CliProcess.RunAsync(TimeSpan.FromSeconds(60), "status", "nope", "--node", fixture.Customer.Url, "--api-key", ApiFixture.ApiKey);
        unknown.ExitCode.Should().Be(1);
        unknown.StdErr.Trim().Should().Be("error: unknown delegation: no delegation 'nope' on this node");
    }

    /// <summary>
    /// `delegate --currency` with a token address, against a provider that prices the service in OpenZeppelin's ERC20 (npm): the
    /// customer node approves and opens in tokens; the payee gets exactly the wage in tokens.
    /// </summary>
    [Fact]
    public async Task Delegate_with_a_token_currency_pays_exactly_the_wage_in_that_token()
    {
        var wage = new BigInteger(250_000_000);
        using var rpc = new EthRpcClient(fixture.Anvil.RpcUrl);
        var deployer = new TransactionSender(rpc, EthAccount.FromPrivateKey(AnvilProcess.DevPrivateKeys[9]));
        var token = await TestTokens.DeployAsync(deployer);
        var customer = EthAccount.FromPrivateKey(AnvilProcess.DevPrivateKeys[2]).Address; // the fixture's customer node
        await TestTokens.MintAsync(deployer, token, customer, 10 * wage);
        var payee = EthAccount.Generate().Address;
        await using var provider = await fixture.StartNodeAsync("provider", AnvilProcess.DevPrivateKeys[4], testServer: false,
            ("Provider:Services:train-classifier:Currency", token.ToLowerHex()),
            ("Provider:Services:train-classifier:WageWei", wage.ToString(CultureInfo.InvariantCulture)),
            ("Wallet:PayeeAddress", payee.ToLowerHex()));
        var input = Path.Combine(_dir, "train.csv");
        var testSet = Path.Combine(_dir, "test.csv");
        await File.WriteAllTextAsync(input, Bodies.Csv(120, 1));
        await File.WriteAllTextAsync(testSet, Bodies.Csv(40, 2));
        var customerTokens = await TestTokens.BalanceOfAsync(rpc, token, customer);

        // The token as its EIP-55 checksummed form (mixed case, checked).
        var run = await CliProcess.RunAsync(TimeSpan.FromMinutes(5), "delegate", "--node", fixture.Customer.Url, "--api-key", ApiFixture.ApiKey,
            "--provider", provider.Url, "--input", input, "--test-set", testSet, "--min-accuracy", "0.8", "--wage", wage.ToString(CultureInfo.InvariantCulture),
            "--currency", token.ToString());
        run.ExitCode.Should().Be(0, $"stdout: {run.StdOut}\nstderr: {run.StdErr}");
        run.StdOut.Should().Contain("ended Completed").And.Contain($"wage        {wage} units of token {token.ToLowerHex()} agreed");
        (await TestTokens.BalanceOfAsync(rpc, token, payee)).Should().Be(wage);
        (await TestTokens.BalanceOfAsync(rpc, token, customer)).Should().Be(customerTokens - wage);
        (await rpc.GetBalanceAsync(payee)).Should().Be(BigInteger.Zero, "a token wage pays no ETH");
    }

    [GeneratedRegex(@"delegation (customer-[0-9a-f]+) accepted")]
    private static partial Regex IdLine();

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
