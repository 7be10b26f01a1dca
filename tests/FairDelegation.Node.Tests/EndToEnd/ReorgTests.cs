using System.Numerics;
using FairDelegation.Chain.Crypto;
using FairDelegation.Chain.Escrow;
using FairDelegation.Chain.Rpc;
using FairDelegation.Chain.Transactions;
using FairDelegation.Node.Configuration;
using FairDelegation.Node.Model;
using FairDelegation.Node.Storage;
using FairDelegation.Protocol.Agreements;

namespace FairDelegation.Node.Tests.EndToEnd;

/// <summary>The provider never reveals its key on an escrow opening that a reorganisation undid.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class ReorgTests(ChainAndBlobsFixture chain) : IAsyncLifetime
{
    private readonly Delegations _d = new(chain);

    public Task InitializeAsync() => Task.CompletedTask;
    public Task DisposeAsync() => _d.DisposeAsync().AsTask();

    [Fact]
    public async Task An_opening_reorganised_away_is_not_trusted_and_the_provider_waits_for_a_confirmed_one()
    {
        // The provider wants 3 confirmations; with automine no block comes unless the test mines one.
        var provider = await _d.StartProviderAsync(new Dictionary<string, string?> { ["FairDelegation:Chain:Confirmations"] = "3" });
        var customer = await _d.StartCustomerAsync();
        var id = await Delegations.StartTrainingAsync(customer, provider.Url);
        var providerId = await Delegations.ProviderInstanceAsync(customer, id);
        await Delegations.WaitForStepAsync(customer, id, "WaitForKey");
        await Delegations.WaitForStepAsync(provider, providerId, nameof(Provider.CheckEscrow));

        var agreementId = providerId["provider-".Length..];
        var terms = AgreementTerms.FromJson(provider.Get<AgreementStore>().Find(agreementId, NodeRole.Provider)!.TermsJson);
        var escrow = new EscrowContract(chain.Rpc, EthereumAddress.Parse(chain.EscrowAddress));
        (await escrow.GetStateAsync(terms.WorkKey)).Should().Be(EscrowState.Open);

        // The block holding the opening is replaced: the deposit is gone from the canonical chain.
        await chain.Rpc.ReorgAsync(1);
        await Task.Delay(1500); // the provider checks again, finds the opening gone, and waits for a new one
        (await chain.Rpc.GetBalanceAsync(_d.Payee)).Should().Be(BigInteger.Zero, "nothing was revealed on the vanished opening");
        var meta = await provider.Get<Microsoft.DurableTask.Client.DurableTaskClient>().GetInstanceAsync(providerId);
        meta!.IsCompleted.Should().BeFalse();

        // The customer's deposit reappears (re-broadcast) and gets its confirmations: now the provider reveals.
        if (await escrow.GetStateAsync(terms.WorkKey) == EscrowState.None)
        {
            var copy = await customer.Get<FairDelegation.Storage.IBlobStore>().GetPropertiesAsync($"agreements/{agreementId}/work.enc");
            var workHash = copy.Sha256!; // H(w') of the customer's checked copy
            await escrow.OpenAsync(new TransactionSender(chain.Rpc, _d.CustomerWallet),
                new EscrowOpening(terms.DetailsHash.ToArray(), terms.Payee, terms.WorkKey, workHash, terms.Wage, terms.EscrowDeadline));
        }
        await chain.Rpc.MineAsync(3);
        // The claim, too, needs its 3 confirmations before the provider counts itself paid.
        var until = DateTime.UtcNow.AddSeconds(30);
        while (await chain.Rpc.GetBalanceAsync(_d.Payee) == BigInteger.Zero && DateTime.UtcNow < until) await Task.Delay(100);
        await chain.Rpc.MineAsync(3);

        var providerOutcome = await Delegations.OutcomeAsync(provider, providerId);
        providerOutcome.Status.Should().Be(DelegationStatus.Completed, providerOutcome.Reason);
        (await Delegations.OutcomeAsync(customer, id)).Status.Should().Be(DelegationStatus.Completed);
        (await chain.Rpc.GetBalanceAsync(_d.Payee)).Should().Be(Delegations.Wage);
    }
}
