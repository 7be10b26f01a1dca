using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using FairDelegation.Chain.Accounts;
using FairDelegation.Chain.Crypto;
using FairDelegation.Chain.Rpc;
using FairDelegation.Chain.Transactions;
using FairDelegation.Node.Customer;
using FairDelegation.Node.Model;
using FairDelegation.Node.Storage;
using FairDelegation.Protocol.Sla;
using FairDelegation.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace FairDelegation.Node.Tests.EndToEnd;

/// <summary>
/// ERC-20 wages end to end (OpenZeppelin's ERC20 from npm as the token): the terms name the token, the customer node
/// approves the escrow and opens with openToken, the provider checks the token and claims with claimToken, a refund
/// goes back with refundToken. Balances are exact in both currencies: tokens move by the wage only, ETH by gas only.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class TokenWageTests(ChainAndBlobsFixture chain) : IAsyncLifetime
{
    private static readonly BigInteger TokenWage = 250_000_000;
    private readonly Delegations _d = new(chain);
    private readonly List<TestNode> _nodes = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var n in _nodes) await n.DisposeAsync();
        await _d.DisposeAsync();
    }

    private async Task<TestNode> StartAsync(string role, EthAccount wallet, EthereumAddress token, Action<IServiceCollection>? services = null,
        params (string Key, string Value)[] overrides)
    {
        var o = overrides.ToDictionary(x => "FairDelegation:" + x.Key, x => (string?)x.Value);
        o["FairDelegation:Provider:Services:train-classifier:Currency"] = token.ToLowerHex();
        o["FairDelegation:Provider:Services:train-classifier:WageWei"] = TokenWage.ToString(CultureInfo.InvariantCulture);
        var node = await TestNode.StartAsync(_d.Settings(role, wallet, o), services);
        _nodes.Add(node);
        return node;
    }

    [Fact]
    public async Task A_token_delegation_completes_and_another_refunds_with_exact_balances_in_both_currencies()
    {
        var deployer = new TransactionSender(chain.Rpc, EthAccount.FromPrivateKey(AnvilProcess.DevPrivateKeys[0]));
        var token = await TestTokens.DeployAsync(deployer);
        var customerWallet = await chain.FundedAccountAsync();
        await TestTokens.MintAsync(deployer, token, customerWallet.Address, 10 * TokenWage);
        var escrowAddress = EthereumAddress.Parse(chain.EscrowAddress);

        var customer = await StartAsync("customer", customerWallet, token,
            s => s.AddHttpClient(BlobFetcher.HttpClientName).AddHttpMessageHandler(() => new DelayingHandler(TimeSpan.FromSeconds(2))),
            ("Timeouts:DeadlineMargin", "00:00:05"));
        var paying = await StartAsync("provider", await chain.FundedAccountAsync(), token);
        // Wants 59 s left at (9) of a 60 s window: it never claims, so the customer refunds after the deadline.
        var stalling = await StartAsync("provider", await chain.FundedAccountAsync(), token,
            null, ("Timeouts:Deadline", "00:01:00"), ("Timeouts:WorkDelivery", "00:00:30"), ("Timeouts:DeadlineMargin", "00:00:59"));
        var startBlock = await chain.Rpc.BlockNumberAsync();
        var ethBefore = await chain.Rpc.GetBalanceAsync(customerWallet.Address);

        // 1. Completed: the payee gets the wage in tokens, no ETH.
        var completed = await StartAsync(customer, paying.Url, token);
        var outcome = await Delegations.OutcomeAsync(customer, completed);
        outcome.Status.Should().Be(DelegationStatus.Completed, outcome.Reason);
        var agreed = outcome.AgreementId!;
        var terms = FairDelegation.Protocol.Agreements.AgreementTerms.FromJson(customer.Get<AgreementStore>().Find(agreed, Configuration.NodeRole.Customer)!.TermsJson);
        terms.Token.Should().Be(token, "the terms name the currency");
        JsonNode.Parse(terms.ToJson())!["token"]!.GetValue<string>().Should().Be(token.ToString());
        var providerOutcome = await Delegations.OutcomeAsync(paying, Provider.Quote.InstanceId(agreed));
        providerOutcome.Status.Should().Be(DelegationStatus.Completed, providerOutcome.Reason);
        (await TestTokens.BalanceOfAsync(chain.Rpc, token, _d.Payee)).Should().Be(TokenWage);

        // 2. Refunded: the stalling provider never claims; after the deadline the tokens go back to the customer.
        var refunded = await StartAsync(customer, stalling.Url, token);
        await Delegations.WaitForStepAsync(customer, refunded, "WaitForKey", TimeSpan.FromSeconds(90));
        await chain.Rpc.IncreaseTimeAsync(70);
        await chain.Rpc.MineAsync();
        var refund = await Delegations.OutcomeAsync(customer, refunded);
        refund.Status.Should().Be(DelegationStatus.Refunded, refund.Reason);
        refund.Transactions.Select(t => t.Step).Should().Equal("OpenEscrow", "RefundEscrow");

        // Exact: tokens moved by one wage to the payee and nowhere else; ETH moved by the customer's gas only.
        (await TestTokens.BalanceOfAsync(chain.Rpc, token, _d.Payee)).Should().Be(TokenWage);
        (await TestTokens.BalanceOfAsync(chain.Rpc, token, customerWallet.Address)).Should().Be(9 * TokenWage);
        (await TestTokens.BalanceOfAsync(chain.Rpc, token, escrowAddress)).Should().Be(BigInteger.Zero);
        (await chain.Rpc.GetBalanceAsync(_d.Payee)).Should().Be(BigInteger.Zero, "a token wage pays no ETH");
        var (fees, sent) = await FeesPaidAsync(customerWallet.Address, startBlock);
        sent.Should().Be(4, "approve once, open twice, refund once");
        (await chain.Rpc.GetBalanceAsync(customerWallet.Address)).Should().Be(ethBefore - fees);
    }

    private static async Task<string> StartAsync(TestNode customer, string providerUrl, EthereumAddress token)
    {
        var node = customer.Get<CustomerNode>();
        var stored = await node.StoreAsync(new MemoryStream(Datasets.Training), "input");
        var testSet = await node.StoreAsync(new MemoryStream(Datasets.TestSet), "test-set");
        return await node.StartAsync(new DelegationRequest
        {
            ProviderUrl = providerUrl, Service = "train-classifier", Currency = token.ToLowerHex(), InputBlob = stored.Name,
            Sla = ClassifierAccuracySla.For(Datasets.TestSet, 0.8).ToJson(), Assets = new Dictionary<string, string> { ["test-set"] = testSet.Name },
            MaxWage = TokenWage,
        });
    }

    /// <summary>The fees of every transaction <paramref name="from"/> sent since <paramref name="fromBlock"/>, and how many.</summary>
    private async Task<(BigInteger Fees, int Count)> FeesPaidAsync(EthereumAddress from, long fromBlock)
    {
        var fees = BigInteger.Zero;
        var count = 0;
        var head = await chain.Rpc.BlockNumberAsync();
        for (var n = fromBlock; n <= head; n++)
        {
            var block = await chain.Rpc.RequestAsync("eth_getBlockByNumber", [EthRpcClient.ToQuantity(n), true]);
            foreach (var tx in block.GetProperty("transactions").EnumerateArray())
            {
                if (!string.Equals(tx.GetProperty("from").GetString(), from.ToLowerHex(), StringComparison.OrdinalIgnoreCase)) continue;
                var receipt = (await chain.Rpc.GetTransactionReceiptAsync(tx.GetProperty("hash").GetString()!))!;
                fees += receipt.GasUsed * receipt.EffectiveGasPrice;
                count++;
            }
        }
        return (fees, count);
    }
}
