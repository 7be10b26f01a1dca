using System.Net.Http.Json;
using System.Numerics;
using System.Text.Json;
using FairDelegation.Chain.Rpc;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace FairDelegation.Node.Tests.EndToEnd;

/// <summary>A failure says where and why, in the API and in the logs (issue 11 #3).</summary>
[Collection(EndToEndCollection.Name)]
public sealed class FailureDetailsTests(ChainAndBlobsFixture chain) : IAsyncLifetime
{
    private const string ApiKey = "failure-details-test-key";
    private readonly Delegations _d = new(chain);

    public Task InitializeAsync() => Task.CompletedTask;
    public Task DisposeAsync() => _d.DisposeAsync().AsTask();

    [Fact]
    public async Task A_provider_whose_wallet_empties_after_quoting_fails_at_RevealKey_and_the_API_and_logs_say_so()
    {
        var provider = await _d.StartProviderAsync(new Dictionary<string, string?> { ["FairDelegation:Api:ApiKey"] = ApiKey });
        var customer = await _d.StartCustomerAsync();
        var id = await Delegations.StartTrainingAsync(customer, provider.Url);
        var providerId = await Delegations.ProviderInstanceAsync(customer, id);

        // Funded when it quoted; empty by the time it claims: the claim cannot pay its gas.
        await chain.Rpc.SetBalanceAsync(_d.ProviderWallet.Address, BigInteger.Zero);

        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var meta = await provider.Get<DurableTaskClient>().WaitForInstanceCompletionAsync(providerId, getInputsAndOutputs: true, cts.Token);
        meta.RuntimeStatus.Should().Be(OrchestrationRuntimeStatus.Failed, meta.SerializedOutput);

        using var http = new HttpClient { BaseAddress = new Uri(provider.Url) };
        http.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
        var view = await http.GetFromJsonAsync<JsonElement>($"/api/delegations/{providerId}");
        view.GetProperty("runtimeStatus").GetString().Should().Be("Failed");
        var failure = view.GetProperty("failureDetails");
        failure.GetProperty("step").GetString().Should().Be("RevealKey", view.ToString());
        failure.GetProperty("message").GetString().Should().Contain("RevealKey").And.ContainEquivalentOf("insufficient funds");
        failure.GetProperty("errorType").GetString().Should().NotBeNullOrEmpty();

        var list = await http.GetFromJsonAsync<JsonElement>("/api/delegations?status=Failed");
        list.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("id").GetString() == providerId)
            .GetProperty("failureDetails").GetProperty("step").GetString().Should().Be("RevealKey");

        provider.Logs.Lines.Should().Contain(l => l.Level == LogLevel.Error && l.Message.Contains(providerId)
            && l.Message.Contains("RevealKey") && l.Message.Contains("insufficient funds", StringComparison.OrdinalIgnoreCase));
    }
}
