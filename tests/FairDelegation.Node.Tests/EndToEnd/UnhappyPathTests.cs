using System.Numerics;
using FairDelegation.Chain.Accounts;
using FairDelegation.Chain.Crypto;
using FairDelegation.Chain.Escrow;
using FairDelegation.Chain.Rpc;
using FairDelegation.Chain.Transactions;
using FairDelegation.Node.Model;
using FairDelegation.Node.Peers;
using FairDelegation.Node.Storage;
using FairDelegation.Protocol.Sla;
using Microsoft.Extensions.DependencyInjection;

namespace FairDelegation.Node.Tests.EndToEnd;

/// <summary>Every way a delegation can go wrong ends in a terminal state with nobody out of pocket (gas aside).</summary>
[Collection(EndToEndCollection.Name)]
public sealed class UnhappyPathTests(ChainAndBlobsFixture chain) : IAsyncLifetime
{
    private readonly Delegations _d = new(chain);
    private BigInteger _customerBefore;

    public Task InitializeAsync() => Task.CompletedTask;
    public Task DisposeAsync() => _d.DisposeAsync().AsTask();

    private static Dictionary<string, string?> With(params (string Key, string? Value)[] settings) =>
        settings.ToDictionary(s => "FairDelegation:" + s.Key, s => s.Value);

    private async Task<(TestNode Customer, TestNode Provider)> StartAsync(Dictionary<string, string?>? customer = null, Dictionary<string, string?>? provider = null,
        Action<IServiceCollection>? customerServices = null, Action<IServiceCollection>? providerServices = null)
    {
        var p = await _d.StartProviderAsync(provider, providerServices);
        var c = await _d.StartCustomerAsync(customer, customerServices);
        _customerBefore = await chain.Rpc.GetBalanceAsync(_d.CustomerWallet.Address);
        return (c, p);
    }

    /// <summary>The payee got nothing; the customer lost at most the gas of its own transactions.</summary>
    private async Task NobodyPaidAsync(DelegationOutcome customerOutcome)
    {
        (await chain.Rpc.GetBalanceAsync(_d.Payee)).Should().Be(BigInteger.Zero, "the provider's key was never revealed");
        var fees = customerOutcome.Transactions.Aggregate(BigInteger.Zero, (s, t) => s + t.Fee);
        (await chain.Rpc.GetBalanceAsync(_d.CustomerWallet.Address)).Should().Be(_customerBefore - fees);
    }

    [Fact]
    public async Task The_provider_never_delivers_and_the_customer_cancels_having_paid_nothing()
    {
        var (customer, provider) = await StartAsync(
            customer: With(("Timeouts:WorkDelivery", "00:00:03")),
            provider: With(("Provider:Services:slow:Kind", "external-command"), ("Provider:Services:slow:Command", "/bin/sh"),
                ("Provider:Services:slow:Arguments:0", "-c"), ("Provider:Services:slow:Arguments:1", "sleep 600"),
                ("Provider:Services:slow:WageWei", Delegations.Wage.ToString())));

        var id = await Delegations.StartTrainingAsync(customer, provider.Url, service: "slow", sla: new MinBytesSla(1).ToJson());
        var outcome = await Delegations.OutcomeAsync(customer, id);

        outcome.Status.Should().Be(DelegationStatus.Cancelled);
        outcome.Reason.Should().Contain("did not deliver");
        outcome.Transactions.Should().BeEmpty();
        await NobodyPaidAsync(outcome);
    }

    [Fact]
    public async Task Tampered_ciphertext_is_caught_at_step_7_before_paying_and_the_provider_reveals_nothing()
    {
        var (customer, provider) = await StartAsync(provider: With(("Timeouts:EscrowOpen", "00:00:04")),
            customerServices: s => s.AddHttpClient(BlobFetcher.HttpClientName).AddHttpMessageHandler(() => new TamperingHandler()));

        var id = await Delegations.StartTrainingAsync(customer, provider.Url);
        var outcome = await Delegations.OutcomeAsync(customer, id);
        outcome.Status.Should().Be(DelegationStatus.Cancelled);
        outcome.Reason.Should().Contain("does not match");
        var providerOutcome = await Delegations.OutcomeAsync(provider, Provider.Quote.InstanceId(outcome.AgreementId!));
        providerOutcome.Status.Should().Be(DelegationStatus.Abandoned);
        providerOutcome.Transactions.Should().BeEmpty("nothing was revealed");
        await NobodyPaidAsync(outcome);
    }

    [Fact]
    public async Task A_forged_stamp_is_rejected_before_paying()
    {
        var (customer, provider) = await StartAsync(provider: With(("Timeouts:EscrowOpen", "00:00:04")),
            providerServices: s => s.AddHttpClient<PeerClient>().AddHttpMessageHandler(sp => new StampForgingHandler(sp.GetRequiredService<NodeIdentity>())));

        var id = await Delegations.StartTrainingAsync(customer, provider.Url);
        var outcome = await Delegations.OutcomeAsync(customer, id);
        outcome.Status.Should().Be(DelegationStatus.Cancelled);
        outcome.Reason.Should().Contain("stamp").And.Contain("not by the verifier key");
        (await Delegations.OutcomeAsync(provider, Provider.Quote.InstanceId(outcome.AgreementId!))).Status.Should().Be(DelegationStatus.Abandoned);
        await NobodyPaidAsync(outcome);
    }

    [Fact]
    public async Task Work_that_never_meets_the_SLA_fails_after_the_retry_budget_and_nothing_is_paid()
    {
        var (customer, provider) = await StartAsync(customer: With(("Timeouts:WorkDelivery", "00:00:05")));

        var id = await Delegations.StartTrainingAsync(customer, provider.Url, sla: new ContainsSla("no model ever contains this sentence").ToJson());
        var providerId = await Delegations.ProviderInstanceAsync(customer, id);
        var providerOutcome = await Delegations.OutcomeAsync(provider, providerId);
        providerOutcome.Status.Should().Be(DelegationStatus.Failed);
        providerOutcome.Attempts.Should().Be(2, "one attempt plus a retry budget of one");
        providerOutcome.Reason.Should().Contain("no SLA-compliant work");

        var outcome = await Delegations.OutcomeAsync(customer, id);
        outcome.Status.Should().Be(DelegationStatus.Cancelled);
        await NobodyPaidAsync(outcome);
    }

    [Fact]
    public async Task A_customer_that_never_opens_the_escrow_gets_nothing_and_the_provider_abandons()
    {
        var (customer, provider) = await StartAsync(provider: With(("Timeouts:EscrowOpen", "00:00:03")),
            customerServices: s => s.AddHttpClient(BlobFetcher.HttpClientName).AddHttpMessageHandler(() => new HangingHandler()));

        var id = await Delegations.StartTrainingAsync(customer, provider.Url);
        var providerId = await Delegations.ProviderInstanceAsync(customer, id);
        var providerOutcome = await Delegations.OutcomeAsync(provider, providerId);
        providerOutcome.Status.Should().Be(DelegationStatus.Abandoned);
        providerOutcome.Reason.Should().Contain("no escrow was opened");
        providerOutcome.Transactions.Should().BeEmpty();
        (await chain.Rpc.GetBalanceAsync(_d.Payee)).Should().Be(BigInteger.Zero);
    }

    [Theory]
    [InlineData("lower-wage")]
    [InlineData("other-agreement")]
    [InlineData("other-customer")]
    public async Task An_escrow_that_does_not_match_the_agreement_is_refused_and_the_key_stays_secret(string mismatch)
    {
        var (customer, provider) = await StartAsync(customer: With(("Timeouts:DeadlineMargin", "00:00:05")),
            provider: With(("Timeouts:Deadline", "00:01:00"), ("Timeouts:WorkDelivery", "00:00:30"), ("Timeouts:DeadlineMargin", "00:00:05")),
            customerServices: s => s.AddHttpClient(BlobFetcher.HttpClientName).AddHttpMessageHandler(() => new HangingHandler()));
        var id = await Delegations.StartTrainingAsync(customer, provider.Url);
        var providerId = await Delegations.ProviderInstanceAsync(customer, id);
        await Delegations.WaitForStepAsync(provider, providerId, "WaitForEscrow");

        // A dishonest customer opens an escrow on the agreement's work key with a lower wage, or with other details (the
        // contract then derives another agreement id), or a stranger opens one for the agreement itself (same id). Another work key cannot carry this agreement's id at all: the
        // contract binds the id to the key (EscrowLifecycleTests).
        var agreementId = providerId["provider-".Length..];
        var terms = Protocol.Agreements.AgreementTerms.FromJson(provider.Get<AgreementStore>().Find(agreementId, Configuration.NodeRole.Provider)!.TermsJson);
        var cheat = new TransactionSender(chain.Rpc, mismatch == "other-customer" ? await chain.FundedAccountAsync() : _d.CustomerWallet);
        var escrow = new EscrowContract(chain.Rpc, EthereumAddress.Parse(chain.EscrowAddress));
        var workKey = terms.WorkKey;
        var details = mismatch == "other-agreement" ? Protocol.Serialization.Bytes32.Random() : terms.DetailsHash;
        var amount = mismatch == "lower-wage" ? terms.Wage - 1 : terms.Wage;
        var (opened, _) = await escrow.OpenAsync(cheat, new EscrowOpening(details.ToArray(), terms.Payee, workKey, new byte[32], amount, terms.EscrowDeadline));

        var providerOutcome = await Delegations.OutcomeAsync(provider, providerId);
        providerOutcome.Status.Should().Be(DelegationStatus.Abandoned);
        providerOutcome.Reason.Should().Contain(mismatch switch
        {
            "lower-wage" => "less than the agreed wage",
            "other-agreement" => "names agreement",
            _ => "not by the agreed customer",
        });
        providerOutcome.Transactions.Should().BeEmpty();
        (await escrow.GetStateAsync(workKey)).Should().Be(EscrowState.Open, "the key was never revealed, so the deposit is still there");

        // After the deadline the deposit goes back: nobody is out of pocket.
        await chain.Rpc.IncreaseTimeAsync(70);
        await chain.Rpc.MineAsync();
        await escrow.RefundAsync(cheat, opened);
        (await escrow.GetStateAsync(workKey)).Should().Be(EscrowState.None);
        (await chain.Rpc.GetBalanceAsync(_d.Payee)).Should().Be(BigInteger.Zero);
    }

    [Fact]
    public async Task A_provider_that_goes_away_before_claiming_lets_the_customer_refund_after_the_deadline()
    {
        // The customer takes 5 s to check the delivery once it has downloaded it; meanwhile the provider node stops for good.
        // (Stopped only after the download: stopped before, the customer cannot fetch w' and rightly never pays.)
        var fetched = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (customer, provider) = await StartAsync(customer: With(("Timeouts:DeadlineMargin", "00:00:05")),
            provider: With(("Timeouts:Deadline", "00:01:00"), ("Timeouts:WorkDelivery", "00:00:30"), ("Timeouts:DeadlineMargin", "00:00:05")),
            customerServices: s => s.AddHttpClient(BlobFetcher.HttpClientName).AddHttpMessageHandler(() => new DelayingHandler(TimeSpan.FromSeconds(5), fetched)));

        var id = await Delegations.StartTrainingAsync(customer, provider.Url);
        var providerId = await Delegations.ProviderInstanceAsync(customer, id);
        await Delegations.WaitForStepAsync(provider, providerId, "WaitForEscrow");
        await fetched.Task.WaitAsync(TimeSpan.FromSeconds(120));
        await provider.DisposeAsync();

        await Delegations.WaitForStepAsync(customer, id, "WaitForKey");
        await chain.Rpc.IncreaseTimeAsync(70);
        await chain.Rpc.MineAsync();
        var outcome = await Delegations.OutcomeAsync(customer, id);
        outcome.Status.Should().Be(DelegationStatus.Refunded);
        outcome.Transactions.Select(t => t.Step).Should().Equal("OpenEscrow", "RefundEscrow");
        outcome.Transactions.Should().OnlyContain(t => t.Succeeded && t.GasUsed > 0);
        await NobodyPaidAsync(outcome);
    }

    [Fact]
    public async Task A_provider_never_claims_when_the_deadline_leaves_less_than_its_margin_and_the_customer_refunds()
    {
        // The provider wants 59 s left at (9); the customer opens the escrow at least 2 s into a 60 s window.
        var (customer, provider) = await StartAsync(customer: With(("Timeouts:DeadlineMargin", "00:00:05")),
            provider: With(("Timeouts:Deadline", "00:01:00"), ("Timeouts:WorkDelivery", "00:00:30"), ("Timeouts:DeadlineMargin", "00:00:59")),
            customerServices: s => s.AddHttpClient(BlobFetcher.HttpClientName).AddHttpMessageHandler(() => new DelayingHandler(TimeSpan.FromSeconds(2))));

        var id = await Delegations.StartTrainingAsync(customer, provider.Url);
        var providerId = await Delegations.ProviderInstanceAsync(customer, id);
        await Delegations.WaitForStepAsync(customer, id, "WaitForKey");
        var providerOutcome = await Delegations.OutcomeAsync(provider, providerId);
        providerOutcome.Status.Should().Be(DelegationStatus.Abandoned);
        providerOutcome.Reason.Should().Contain("safety margin");

        await Delegations.WaitForStepAsync(customer, id, "WaitForKey");
        await chain.Rpc.IncreaseTimeAsync(70);
        await chain.Rpc.MineAsync();
        var outcome = await Delegations.OutcomeAsync(customer, id);
        outcome.Status.Should().Be(DelegationStatus.Refunded);
        await NobodyPaidAsync(outcome);
    }
}

/// <summary>A refund path with both nodes' workflows on Azure Storage (Azurite): the deadline passes, the customer refunds.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class AzureStorageRefundTests(ChainAndBlobsFixture chain) : IAsyncLifetime
{
    private readonly Delegations _d = new(chain) { Backend = FairDelegation.Workflows.DurableBackend.AzureStorage };

    public Task InitializeAsync() => Task.CompletedTask;
    public Task DisposeAsync() => _d.DisposeAsync().AsTask();

    [Fact]
    public async Task A_provider_never_claims_when_the_deadline_leaves_less_than_its_margin_and_the_customer_refunds()
    {
        var provider = await _d.StartProviderAsync(new Dictionary<string, string?>
        {
            ["FairDelegation:Timeouts:Deadline"] = "00:01:00", ["FairDelegation:Timeouts:WorkDelivery"] = "00:00:30",
            ["FairDelegation:Timeouts:DeadlineMargin"] = "00:00:59",
        });
        var customer = await _d.StartCustomerAsync(new Dictionary<string, string?> { ["FairDelegation:Timeouts:DeadlineMargin"] = "00:00:05" },
            s => s.AddHttpClient(BlobFetcher.HttpClientName).AddHttpMessageHandler(() => new DelayingHandler(TimeSpan.FromSeconds(2))));
        var customerBefore = await chain.Rpc.GetBalanceAsync(_d.CustomerWallet.Address);

        var id = await Delegations.StartTrainingAsync(customer, provider.Url);
        var providerId = await Delegations.ProviderInstanceAsync(customer, id);
        var providerOutcome = await Delegations.OutcomeAsync(provider, providerId);
        providerOutcome.Status.Should().Be(DelegationStatus.Abandoned);

        await Delegations.WaitForStepAsync(customer, id, "WaitForKey");
        await chain.Rpc.IncreaseTimeAsync(70);
        await chain.Rpc.MineAsync();
        var outcome = await Delegations.OutcomeAsync(customer, id);
        outcome.Status.Should().Be(DelegationStatus.Refunded, outcome.Reason);
        outcome.Transactions.Select(t => t.Step).Should().Equal("OpenEscrow", "RefundEscrow");
        (await chain.Rpc.GetBalanceAsync(_d.Payee)).Should().Be(BigInteger.Zero, "the provider's key was never revealed");
        var fees = outcome.Transactions.Aggregate(BigInteger.Zero, (s, t) => s + t.Fee);
        (await chain.Rpc.GetBalanceAsync(_d.CustomerWallet.Address)).Should().Be(customerBefore - fees);
    }
}
