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

        // The provider node serves the management routes (not the customer's /api/delegations) for its own side.
        using var provider = fixture.Provider.Client(ApiFixture.ApiKey);
        var providerInstance = "provider-" + view.GetProperty("agreementId").GetString();
        var providerStatus = await provider.GetFromJsonAsync<JsonElement>($"/runtime/webhooks/durabletask/instances/{providerInstance}");
        providerStatus.GetProperty("runtimeStatus").GetString().Should().Be("Completed");
        providerStatus.GetProperty("output").GetProperty("status").GetInt32().Should().Be((int)FairDelegation.Node.Model.DelegationStatus.Completed, "the output is the engine's serialized DelegationOutcome");
        var providerList = await provider.GetFromJsonAsync<JsonElement>("/runtime/webhooks/durabletask/instances?instanceIdPrefix=provider-&runtimeStatus=Completed");
        providerList.EnumerateArray().Select(i => i.GetProperty("instanceId").GetString()).Should().Contain(providerInstance);
        await Bodies.ProblemAsync(await provider.GetAsync("/api/delegations"), 404);

        var completed = await client.GetFromJsonAsync<JsonElement>("/api/delegations?status=Completed");
        completed.GetProperty("items").EnumerateArray().Should().Contain(i => i.GetProperty("id").GetString() == view.GetProperty("id").GetString());
    }

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
