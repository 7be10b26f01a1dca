using FairDelegation.Chain.Rpc;
using FairDelegation.Node.Model;

namespace FairDelegation.Node.Tests.EndToEnd;

[Collection(EndToEndCollection.Name)]
public sealed class HappyPathTests(ChainAndBlobsFixture chain) : HappyPath(chain, FairDelegation.Workflows.DurableBackend.Sqlite);

/// <summary>The happy path with both nodes' workflows on Azure Storage (Azurite).</summary>
[Collection(EndToEndCollection.Name)]
public sealed class AzureStorageHappyPathTests(ChainAndBlobsFixture chain) : HappyPath(chain, FairDelegation.Workflows.DurableBackend.AzureStorage);

public abstract class HappyPath(ChainAndBlobsFixture chain, string backend) : IAsyncLifetime
{
    private readonly Delegations _d = new(chain) { Backend = backend };

    public Task InitializeAsync() => Task.CompletedTask;
    public Task DisposeAsync() => _d.DisposeAsync().AsTask();

    [Fact]
    public async Task A_delegation_completes_on_both_sides_and_the_wage_moves_exactly()
    {
        var provider = await _d.StartProviderAsync();
        var customer = await _d.StartCustomerAsync();
        var customerBefore = await chain.Rpc.GetBalanceAsync(_d.CustomerWallet.Address);

        var id = await Delegations.StartTrainingAsync(customer, provider.Url);
        var outcome = await Delegations.OutcomeAsync(customer, id);
        outcome.Status.Should().Be(DelegationStatus.Completed, outcome.Reason);
        var providerOutcome = await Delegations.OutcomeAsync(provider, Provider.Quote.InstanceId(outcome.AgreementId!));
        providerOutcome.Status.Should().Be(DelegationStatus.Completed, providerOutcome.Reason);

        // The customer's decrypted output is exactly the model the provider produced.
        var produced = await Delegations.ReadBlobAsync(provider, $"agreements/{outcome.AgreementId}/work-{providerOutcome.Attempts}");
        var decrypted = await Delegations.ReadBlobAsync(customer, outcome.ResultBlob!);
        decrypted.Should().Equal(produced);

        // Money: the payee got exactly the wage; the customer paid the wage plus its own gas.
        (await chain.Rpc.GetBalanceAsync(_d.Payee)).Should().Be(Delegations.Wage);
        var customerFees = outcome.Transactions.Aggregate(System.Numerics.BigInteger.Zero, (s, t) => s + t.Fee);
        outcome.Transactions.Should().ContainSingle(t => t.Step == "OpenEscrow" && t.Succeeded);
        (await chain.Rpc.GetBalanceAsync(_d.CustomerWallet.Address)).Should().Be(customerBefore - Delegations.Wage - customerFees);
        providerOutcome.Transactions.Should().ContainSingle(t => t.Step == "RevealKey" && t.Succeeded && t.GasUsed > 0);
        outcome.WorkHash.Should().Be(providerOutcome.WorkHash);
    }
}
