using System.Numerics;
using FairDelegation.Chain.Crypto;
using FairDelegation.Chain.Escrow;
using FairDelegation.Chain.Rpc;
using FairDelegation.Chain.Transactions;
using FairDelegation.Node.Configuration;
using FairDelegation.Node.Customer;
using FairDelegation.Node.Model;
using FairDelegation.Node.Storage;
using FairDelegation.Protocol.Agreements;
using FairDelegation.Protocol.Serialization;
using Microsoft.Extensions.DependencyInjection;

namespace FairDelegation.Node.Tests.EndToEnd;

/// <summary>A griefer opening an escrow on the quoted work key first does not stop the delegation (issue 11 #7).</summary>
[Collection(EndToEndCollection.Name)]
public sealed class WorkKeyGriefingTests(ChainAndBlobsFixture chain) : IAsyncLifetime
{
    private readonly Delegations _d = new(chain);

    public Task InitializeAsync() => Task.CompletedTask;
    public Task DisposeAsync() => _d.DisposeAsync().AsTask();

    [Fact]
    public async Task When_a_griefer_takes_the_work_keys_escrow_slot_the_customer_asks_for_a_fresh_quote_and_completes()
    {
        // The customer's first download of w' waits until the griefer has opened on the quoted work key.
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var downloading = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var provider = await _d.StartProviderAsync();
        var customer = await _d.StartCustomerAsync(services: s => s.AddHttpClient(BlobFetcher.HttpClientName)
            .AddHttpMessageHandler(() => new GatedHandler(gate.Task, downloading)));

        var id = await Delegations.StartTrainingAsync(customer, provider.Url);
        var firstProviderId = await Delegations.ProviderInstanceAsync(customer, id);
        await downloading.Task.WaitAsync(TimeSpan.FromSeconds(120));

        // The griefer: 1 wei on the quoted work key, other details, the longest deadline the contract allows.
        var firstAgreement = firstProviderId["provider-".Length..];
        var terms = AgreementTerms.FromJson(provider.Get<AgreementStore>().Find(firstAgreement, NodeRole.Provider)!.TermsJson);
        var griefer = new TransactionSender(chain.Rpc, await chain.FundedAccountAsync());
        var escrow = new EscrowContract(chain.Rpc, EthereumAddress.Parse(chain.EscrowAddress));
        var chainNow = (await chain.Rpc.GetBlockAsync("latest"))!.Timestamp;
        await escrow.OpenAsync(griefer, new EscrowOpening(Bytes32.Random().ToArray(), griefer.Account.Address, terms.WorkKey, new byte[32],
            BigInteger.One, chainNow + (long)TimeSpan.FromDays(20).TotalSeconds));
        (await escrow.GetStateAsync(terms.WorkKey)).Should().Be(EscrowState.Open);
        gate.SetResult();

        var outcome = await Delegations.OutcomeAsync(customer, id, TimeSpan.FromMinutes(4));
        outcome.Status.Should().Be(DelegationStatus.Completed, outcome.Reason);
        outcome.AgreementId.Should().NotBe(firstAgreement, "the delegation completed under the fresh quote's agreement");
        outcome.Transactions.Should().ContainSingle().Which.Should().Match<ChainTransaction>(t => t.Step == "OpenEscrow" && t.Succeeded);
        var secondTerms = AgreementTerms.FromJson(customer.Get<AgreementStore>().Find(outcome.AgreementId!, NodeRole.Customer)!.TermsJson);
        secondTerms.WorkKey.Should().NotBe(terms.WorkKey, "the fresh quote has a fresh work key");
        (await Delegations.ReadBlobAsync(customer, outcome.ResultBlob!)).Should().NotBeEmpty();

        var meta = await customer.Get<Microsoft.DurableTask.Client.DurableTaskClient>().GetInstanceAsync(id);
        meta!.ReadCustomStatusAs<StepStatus>()!.Timeline!.Should().Contain(m => m.Name == nameof(FixTerms) && m.Detail == $"fresh quote 1 of {CustomerDelegation.FreshQuotes}");

        // The first agreement's key stayed secret (the griefer's escrow is not the agreed one); the payee got one wage.
        var first = await Delegations.OutcomeAsync(provider, firstProviderId);
        first.Status.Should().Be(DelegationStatus.Abandoned);
        first.Transactions.Should().BeEmpty();
        (await chain.Rpc.GetBalanceAsync(_d.Payee)).Should().Be(Delegations.Wage);
    }
}
