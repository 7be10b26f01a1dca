using System.Numerics;
using System.Text.Json;
using FairDelegation.Chain.Rpc;
using FairDelegation.Node.Model;
using FairDelegation.Protocol.Sla;
using FairDelegation.Testing;

namespace FairDelegation.Node.Tests.EndToEnd;

/// <summary>A node killed (SIGKILL) in the middle of a delegation and started again on the same data resumes and completes it.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class SqliteRestartTests(ChainAndBlobsFixture chain) : RestartTests(chain, FairDelegation.Workflows.DurableBackend.Sqlite);

/// <summary>The same on Azure Storage (Azurite): the node's task hub outlives the process.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class AzureStorageRestartTests(ChainAndBlobsFixture chain) : RestartTests(chain, FairDelegation.Workflows.DurableBackend.AzureStorage);

public abstract class RestartTests(ChainAndBlobsFixture chain, string backend) : IAsyncLifetime
{
    private readonly Delegations _d = new(chain) { Backend = backend };

    public Task InitializeAsync() => Task.CompletedTask;
    public Task DisposeAsync() => _d.DisposeAsync().AsTask();

    /// <summary>A service that takes a few seconds (so there is time to kill the node), then copies the input.</summary>
    private static Dictionary<string, string?> SlowCopy(Dictionary<string, string?> s)
    {
        s["FairDelegation:Provider:Services:slow-copy:Kind"] = "external-command";
        s["FairDelegation:Provider:Services:slow-copy:Command"] = "/bin/sh";
        s["FairDelegation:Provider:Services:slow-copy:Arguments:0"] = "-c";
        s["FairDelegation:Provider:Services:slow-copy:Arguments:1"] = "sleep 3; cp \"$0\" \"$1\"";
        s["FairDelegation:Provider:Services:slow-copy:Arguments:2"] = "{input}";
        s["FairDelegation:Provider:Services:slow-copy:Arguments:3"] = "{output}";
        s["FairDelegation:Provider:Services:slow-copy:WageWei"] = Delegations.Wage.ToString();
        return s;
    }

    private static async Task<JsonElement> UntilAsync(Func<Task<JsonElement?>> poll, string what, TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(90));
        while (DateTime.UtcNow < until)
        {
            if (await poll() is { } found) return found;
            await Task.Delay(100);
        }
        throw new TimeoutException(what);
    }

    [Fact]
    public async Task A_provider_killed_while_producing_the_work_resumes_after_restart_and_the_delegation_completes()
    {
        var customer = await _d.StartCustomerAsync(new Dictionary<string, string?> { ["FairDelegation:Timeouts:WorkDelivery"] = "00:01:30" });
        var port = FreePort.Next();
        var settings = SlowCopy(_d.Settings("provider", await _d.ProviderWalletAsync()));
        var provider = await NodeProcess.StartAsync(settings, port);
        try
        {
            var id = await Delegations.StartTrainingAsync(customer, provider.Url, service: "slow-copy", sla: new MinBytesSla(1).ToJson());
            var agreementId = (await Delegations.ProviderInstanceAsync(customer, id))["provider-".Length..];
            await UntilAsync(async () =>
            {
                var a = await provider.GetAsync($"/api/agreements/{agreementId}");
                var step = a.GetProperty("step"); // null until the orchestration's first episode ran
                return step.ValueKind == JsonValueKind.Object && step.GetProperty("name").GetString() == "ProduceWork" ? a : null;
            }, "the provider never reached (3) ProduceWork");

            provider.Kill();
            await provider.DisposeAsync();
            provider = await NodeProcess.StartAsync(settings, port);

            var outcome = await Delegations.OutcomeAsync(customer, id, TimeSpan.FromSeconds(120));
            outcome.Status.Should().Be(DelegationStatus.Completed, outcome.Reason);
            (await Delegations.ReadBlobAsync(customer, outcome.ResultBlob!)).Should().Equal(Datasets.Training, "the slow service copies its input");
            var providerView = await UntilAsync(async () =>
            {
                var a = await provider.GetAsync($"/api/agreements/{agreementId}");
                return a.GetProperty("outcome").ValueKind == JsonValueKind.Object ? a : null;
            }, "the restarted provider never finished");
            providerView.GetProperty("outcome").GetProperty("status").GetString().Should().Be("Completed");
            (await chain.Rpc.GetBalanceAsync(_d.Payee)).Should().Be(Delegations.Wage);
        }
        finally
        {
            await provider.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_customer_killed_while_waiting_for_the_work_resumes_after_restart_and_the_delegation_completes()
    {
        var provider = await _d.StartProviderAsync(SlowCopy(new Dictionary<string, string?>()));
        var port = FreePort.Next();
        var settings = _d.Settings("customer", await _d.CustomerWalletAsync(), new Dictionary<string, string?>
        {
            ["FairDelegation:Timeouts:WorkDelivery"] = "00:01:30",
        });
        var customer = await NodeProcess.StartAsync(settings, port);
        try
        {
            var started = await customer.PostAsync("/test/delegations", new
            {
                providerUrl = provider.Url, service = "slow-copy", sla = new MinBytesSla(1).ToJson(), maxWage = Delegations.Wage.ToString(),
                inputBase64 = Convert.ToBase64String(Datasets.Training), delegationId = (string?)null,
            });
            var id = started.GetProperty("instanceId").GetString()!;
            await UntilAsync(async () =>
            {
                var d = await customer.GetAsync($"/test/delegations/{id}");
                return d.GetProperty("step").ValueKind == JsonValueKind.Object && d.GetProperty("step").GetProperty("name").GetString() == "WaitForWork" ? d : null;
            }, "the customer never reached the wait for the work");

            customer.Kill();
            await customer.DisposeAsync();
            await Task.Delay(500);
            customer = await NodeProcess.StartAsync(settings, port);

            var done = await UntilAsync(async () =>
            {
                var d = await customer.GetAsync($"/test/delegations/{id}");
                return d.GetProperty("outcome").ValueKind == JsonValueKind.Object ? d : null;
            }, "the restarted customer never finished", TimeSpan.FromSeconds(120));
            done.GetProperty("outcome").GetProperty("status").GetString().Should().Be("Completed", done.ToString());
            var agreementId = done.GetProperty("outcome").GetProperty("agreementId").GetString()!;
            var providerOutcome = await Delegations.OutcomeAsync(provider, Provider.Quote.InstanceId(agreementId));
            providerOutcome.Status.Should().Be(DelegationStatus.Completed, providerOutcome.Reason);
            (await chain.Rpc.GetBalanceAsync(_d.Payee)).Should().Be(Delegations.Wage);
        }
        finally
        {
            await customer.DisposeAsync();
        }
    }
}
