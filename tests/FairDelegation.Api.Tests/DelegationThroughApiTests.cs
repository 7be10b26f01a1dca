using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FairDelegation.Protocol.Sla.Classifier;

namespace FairDelegation.Api.Tests;

/// <summary>A whole fair delegation driven through the customer's HTTP API, over real HTTP, on anvil.</summary>
[Collection(ApiCollection.Name)]
public sealed class DelegationThroughApiTests(ApiFixture fixture)
{
    [Fact]
    public async Task A_delegation_started_through_the_api_completes_and_its_result_is_the_trained_model()
    {
        using var client = fixture.Customer.Client(ApiFixture.ApiKey);
        var started = await client.PostAsync("/api/delegations", Bodies.Json(Bodies.Delegation(fixture.Provider.Url)));
        started.StatusCode.Should().Be(HttpStatusCode.Accepted, await started.Content.ReadAsStringAsync());
        var location = started.Headers.Location!;

        var until = DateTime.UtcNow.AddSeconds(180);
        JsonElement view;
        do
        {
            await Task.Delay(200);
            view = await client.GetFromJsonAsync<JsonElement>(location);
        } while (view.GetProperty("runtimeStatus").GetString() is "Pending" or "Running" && DateTime.UtcNow < until);

        view.GetProperty("outcome").GetString().Should().Be("Completed", view.ToString());
        view.GetProperty("wageWei").GetString().Should().Be(ApiFixture.Wage);
        view.GetProperty("terms").GetProperty("service").GetString().Should().Be("train-classifier");
        view.GetProperty("workHash").GetString().Should().StartWith("0x");
        var open = view.GetProperty("transactions").EnumerateArray().Single(t => t.GetProperty("step").GetString() == "OpenEscrow");
        open.GetProperty("hash").GetString().Should().StartWith("0x");
        long.Parse(open.GetProperty("gasUsed").GetString()!, System.Globalization.CultureInfo.InvariantCulture).Should().BeGreaterThan(21000);
        view.GetProperty("step").GetProperty("name").GetString().Should().Be("Completed");

        var result = await client.GetAsync(view.GetProperty("resultUri").GetString());
        result.StatusCode.Should().Be(HttpStatusCode.OK);
        var model = LinearModel.FromJson(await result.Content.ReadAsStringAsync());
        var (accuracy, _, _) = ClassifierEvaluator.Accuracy(model, CsvDataset.Parse(Bodies.Csv(40, 2)));
        accuracy.Should().BeGreaterThanOrEqualTo(0.8);

        // The provider node serves the management routes and the read side of /api/delegations (no POST) for its own side.
        using var provider = fixture.Provider.Client(ApiFixture.ApiKey);
        var providerInstance = "provider-" + view.GetProperty("agreementId").GetString();
        var providerStatus = await provider.GetFromJsonAsync<JsonElement>($"/runtime/webhooks/durabletask/instances/{providerInstance}");
        providerStatus.GetProperty("runtimeStatus").GetString().Should().Be("Completed");
        providerStatus.GetProperty("output").GetProperty("status").GetInt32().Should().Be((int)FairDelegation.Node.Model.DelegationStatus.Completed, "the output is the engine's serialized DelegationOutcome");
        var providerList = await provider.GetFromJsonAsync<JsonElement>("/runtime/webhooks/durabletask/instances?instanceIdPrefix=provider-&runtimeStatus=Completed");
        providerList.EnumerateArray().Select(i => i.GetProperty("instanceId").GetString()).Should().Contain(providerInstance);
        var providerView = await provider.GetFromJsonAsync<JsonElement>($"/api/delegations/{providerInstance}");
        providerView.GetProperty("role").GetString().Should().Be("Provider");
        providerView.GetProperty("outcome").GetString().Should().Be("Completed");
        providerView.GetProperty("failureDetails").ValueKind.Should().Be(JsonValueKind.Null);
        (await provider.GetFromJsonAsync<JsonElement>("/api/delegations")).GetProperty("items").EnumerateArray()
            .Select(i => i.GetProperty("id").GetString()).Should().Contain(providerInstance);
        (await provider.PostAsync("/api/delegations", Bodies.Json(Bodies.Delegation(fixture.Provider.Url)))).StatusCode
            .Should().Be(HttpStatusCode.MethodNotAllowed, "a provider starts no delegations");

        var completed = await client.GetFromJsonAsync<JsonElement>("/api/delegations?status=Completed");
        completed.GetProperty("items").EnumerateArray().Should().Contain(i => i.GetProperty("id").GetString() == view.GetProperty("id").GetString());
    }

    [Fact]
    public async Task A_delegation_in_flight_shows_its_escrow_transaction_and_gas_as_soon_as_it_is_mined()
    {
        // This provider wants 598 s left at (9) of a 600 s escrow window, and its service takes 3 s: it refuses the
        // escrow, so the customer sits in WaitForKey (until the 10-minute deadline) with its deposit mined.
        await using var provider = await fixture.StartSlowEchoProviderAsync(("Timeouts:DeadlineMargin", "00:09:58"));
        using var client = fixture.Customer.Client(ApiFixture.ApiKey);
        var body = new System.Text.Json.Nodes.JsonObject
        {
            ["providerUrl"] = provider.Url, ["service"] = "slow-echo", ["input"] = new System.Text.Json.Nodes.JsonObject { ["text"] = "in flight" },
            ["sla"] = new System.Text.Json.Nodes.JsonObject { ["kind"] = "max-bytes", ["maxBytes"] = 1024 }, ["wageWei"] = "1000",
        };
        var started = await client.PostAsync("/api/delegations", Bodies.Json(body));
        started.StatusCode.Should().Be(HttpStatusCode.Accepted, await started.Content.ReadAsStringAsync());
        var location = started.Headers.Location!;

        var until = DateTime.UtcNow.AddSeconds(90);
        JsonElement view;
        do
        {
            await Task.Delay(200);
            view = await client.GetFromJsonAsync<JsonElement>(location);
        } while (StepName(view) != "WaitForKey" && view.GetProperty("runtimeStatus").GetString() is "Pending" or "Running" && DateTime.UtcNow < until);

        view.GetProperty("runtimeStatus").GetString().Should().Be("Running", view.ToString());
        view.GetProperty("outcome").ValueKind.Should().Be(JsonValueKind.Null);
        view.GetProperty("step").GetProperty("name").GetString().Should().Be("WaitForKey", view.ToString());
        var open = view.GetProperty("transactions").EnumerateArray().Single();
        open.GetProperty("step").GetString().Should().Be("OpenEscrow");
        open.GetProperty("hash").GetString().Should().MatchRegex("^0x[0-9a-f]{64}$");
        open.GetProperty("blockNumber").GetInt64().Should().BePositive();
        var gas = long.Parse(open.GetProperty("gasUsed").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        gas.Should().BeGreaterThan(21000);
        view.GetProperty("gasUsed").GetString().Should().Be(gas.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var rpc = new FairDelegation.Chain.Rpc.EthRpcClient(fixture.Anvil.RpcUrl);
        var receipt = await rpc.GetTransactionReceiptAsync(open.GetProperty("hash").GetString()!);
        receipt.Should().NotBeNull("the hash shown is the mined transaction's");

        var terminated = await client.PostAsync($"/runtime/webhooks/durabletask/instances/{view.GetProperty("id").GetString()}/terminate?reason=test-done", null);
        terminated.IsSuccessStatusCode.Should().BeTrue(await terminated.Content.ReadAsStringAsync());
    }

    private static string? StepName(JsonElement view) =>
        view.GetProperty("step") is { ValueKind: JsonValueKind.Object } step ? step.GetProperty("name").GetString() : null;

    [Fact]
    public async Task Readiness_is_503_naming_the_dependency_that_does_not_answer()
    {
        await using var node = await fixture.StartNodeWithoutChainAsync();
        using var client = node.Client();
        var response = await client.GetAsync("/health/ready");
        response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        var report = await response.Content.ReadFromJsonAsync<JsonElement>();
        report.GetProperty("status").GetString().Should().Be("Unhealthy");
        report.GetProperty("checks").GetProperty("chain").GetProperty("status").GetString().Should().Be("Unhealthy");
        report.GetProperty("checks").GetProperty("chain").GetProperty("detail").GetString().Should().NotBeNullOrEmpty();
        report.GetProperty("checks").GetProperty("database").GetProperty("status").GetString().Should().Be("Healthy");
        (await client.GetAsync("/health")).StatusCode.Should().Be(HttpStatusCode.OK, "liveness does not depend on the chain");
    }
}
