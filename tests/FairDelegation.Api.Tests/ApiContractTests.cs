using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace FairDelegation.Api.Tests;

/// <summary>
/// Every route's success and errors, run once through ASP.NET Core's test server and once through real HTTP (Kestrel).
/// Delegations here go to a provider URL where nothing listens, so they stay running (the customer retries the quote)
/// long enough to be followed, terminated and purged.
/// </summary>
public abstract class ApiContractTests(ApiNode node)
{
    private const string Nowhere = "http://127.0.0.1:9";
    private readonly HttpClient _client = node.Client(ApiFixture.ApiKey);
    private readonly HttpClient _anonymous = node.Client();

    [Fact]
    public async Task State_changing_and_reading_routes_refuse_callers_without_the_key()
    {
        var missing = await _anonymous.PostAsync("/api/delegations", Bodies.Json(Bodies.Delegation(Nowhere)));
        var problem = await Bodies.ProblemAsync(missing, 401);
        problem.GetProperty("detail").GetString().Should().Contain("X-Api-Key");
        missing.Headers.WwwAuthenticate.Should().NotBeEmpty();

        using var wrong = node.Client("wrong-key-wrong-key-wrong");
        await Bodies.ProblemAsync(await wrong.PostAsync("/api/delegations", Bodies.Json(Bodies.Delegation(Nowhere))), 401);
        await Bodies.ProblemAsync(await _anonymous.PostAsync("/runtime/webhooks/durabletask/instances/x/terminate", null), 401);
        await Bodies.ProblemAsync(await _anonymous.DeleteAsync("/runtime/webhooks/durabletask/instances/x"), 401);
        await Bodies.ProblemAsync(await _anonymous.GetAsync("/api/delegations"), 401);

        // The bearer form works as well as the header.
        using var bearer = node.Client();
        bearer.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ApiFixture.ApiKey);
        (await bearer.GetAsync("/api/delegations")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Bad_json_is_a_400_problem()
    {
        var response = await _client.PostAsync("/api/delegations", Bodies.Raw("{\"providerUrl\": \"http://x\", "));
        var problem = await Bodies.ProblemAsync(response, 400);
        problem.GetProperty("errors").EnumerateObject().Should().NotBeEmpty();

        var wrongType = await _client.PostAsync("/api/delegations", Bodies.Raw("{\"wageWei\": {\"a\": 1}}"));
        (await Bodies.ProblemAsync(wrongType, 400)).GetProperty("errors").TryGetProperty("wageWei", out _).Should().BeTrue();

        var unknown = await _client.PostAsync("/api/delegations", Bodies.Raw("{\"wage\": \"1\"}"));
        (await Bodies.ProblemAsync(unknown, 400)).GetProperty("detail").GetString().Should().Contain("wage");
    }

    [Fact]
    public async Task Missing_and_invalid_fields_are_named_in_a_validation_problem()
    {
        var empty = await Bodies.ProblemAsync(await _client.PostAsync("/api/delegations", Bodies.Raw("{}")), 400);
        var errors = empty.GetProperty("errors");
        foreach (var field in new[] { "providerUrl", "service", "input", "sla", "wageWei" })
            errors.TryGetProperty(field, out _).Should().BeTrue($"{field} is required ({errors})");

        var body = Bodies.Delegation("not a url");
        body["wageWei"] = "-5";
        body["input"] = new JsonObject { ["base64"] = "***" };
        body["sla"] = new JsonObject { ["kind"] = "classifier-accuracy", ["minAccuracy"] = 0.8, ["testSetSha256"] = "0x" + new string('0', 64) };
        body["timeouts"] = new JsonObject { ["workDelivery"] = "-00:00:01" };
        var invalid = (await Bodies.ProblemAsync(await _client.PostAsync("/api/delegations", Bodies.Json(body)), 400)).GetProperty("errors");
        foreach (var field in new[] { "providerUrl", "wageWei", "input.base64", "sla", "timeouts.workDelivery" })
            invalid.TryGetProperty(field, out _).Should().BeTrue($"{field} is invalid ({invalid})");
        invalid.GetProperty("sla")[0].GetString().Should().Contain("SHA-256");
    }

    [Fact]
    public async Task Choosing_by_service_and_wage_without_a_market_registry_and_bad_market_fields_are_named()
    {
        // No providerUrl: the market would choose, but this node has no registry configured.
        var body = Bodies.Delegation(Nowhere);
        body.Remove("providerUrl");
        var noMarket = (await Bodies.ProblemAsync(await _client.PostAsync("/api/delegations", Bodies.Json(body)), 400)).GetProperty("errors");
        noMarket.GetProperty("providerUrl")[0].GetString().Should().Contain("Market:RegistryAddress");

        var empty = Bodies.Delegation("");
        empty["currency"] = "0x12";
        var invalid = (await Bodies.ProblemAsync(await _client.PostAsync("/api/delegations", Bodies.Json(empty)), 400)).GetProperty("errors");
        invalid.GetProperty("providerUrl")[0].GetString().Should().Contain("leave it out");
        invalid.GetProperty("currency")[0].GetString().Should().Contain("token address");
    }

    [Fact]
    public async Task Fields_over_their_length_limits_are_refused_up_front_naming_the_field()
    {
        // A 100,000-character service name used to be accepted and fail later at the provider (issue 11 #9).
        var body = Bodies.Delegation(Nowhere);
        body["service"] = new string('s', 100_000);
        body["assets"]!.AsObject()[new string('n', 200)] = new JsonObject { ["text"] = "x" };
        var errors = (await Bodies.ProblemAsync(await _client.PostAsync("/api/delegations", Bodies.Json(body)), 400)).GetProperty("errors");
        errors.GetProperty("service")[0].GetString().Should().Contain("100000 characters").And.Contain("at most 100");
        errors.GetProperty("assets").EnumerateArray().Should().Contain(e => e.GetString()!.Contains("asset name is 200 characters"));
    }

    [Fact]
    public async Task An_oversized_body_is_a_413_problem()
    {
        var body = Bodies.Delegation(Nowhere);
        body["input"] = new JsonObject { ["text"] = new string('a', (int)ApiFixture.MaxRequestBytes + 1) };
        var problem = await Bodies.ProblemAsync(await _client.PostAsync("/api/delegations", Bodies.Json(body)), 413);
        problem.GetProperty("detail").GetString().Should().Contain(ApiFixture.MaxRequestBytes.ToString(System.Globalization.CultureInfo.InvariantCulture));

        // Without a Content-Length (chunked), the limit holds while reading.
        var chunked = new StreamContent(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(body.ToJsonString())));
        chunked.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/delegations") { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        await Bodies.ProblemAsync(await _client.SendAsync(request), 413);
    }

    [Fact]
    public async Task Unknown_ids_are_404_problems_on_every_route()
    {
        await Bodies.ProblemAsync(await _client.GetAsync("/api/delegations/nope"), 404);
        await Bodies.ProblemAsync(await _client.GetAsync("/api/delegations/nope/result"), 404);
        await Bodies.ProblemAsync(await _client.GetAsync("/runtime/webhooks/durabletask/instances/nope"), 404);
        await Bodies.ProblemAsync(await _client.PostAsync("/runtime/webhooks/durabletask/instances/nope/raiseEvent/Hello", Bodies.Raw("{}")), 404);
        await Bodies.ProblemAsync(await _client.PostAsync("/runtime/webhooks/durabletask/instances/nope/terminate", null), 404);
        await Bodies.ProblemAsync(await _client.DeleteAsync("/runtime/webhooks/durabletask/instances/nope"), 404);
    }

    [Fact]
    public async Task A_delegation_is_accepted_followed_listed_terminated_and_purged()
    {
        var id = "contract-" + Guid.NewGuid().ToString("N")[..12];
        var started = await _client.PostAsync("/api/delegations", Bodies.Json(Bodies.Delegation(Nowhere, id)));
        started.StatusCode.Should().Be(HttpStatusCode.Accepted, await started.Content.ReadAsStringAsync());
        var links = await started.Content.ReadFromJsonAsync<JsonElement>();
        var instance = links.GetProperty("id").GetString()!;
        instance.Should().Be("customer-" + id);
        foreach (var name in new[] { "statusQueryGetUri", "sendEventPostUri", "terminatePostUri", "purgeHistoryDeleteUri" })
            links.GetProperty(name).GetString().Should().Contain("/runtime/webhooks/durabletask/instances/" + instance);
        started.Headers.Location!.ToString().Should().EndWith("/api/delegations/" + instance);

        // The same id again: refused.
        await Bodies.ProblemAsync(await _client.PostAsync("/api/delegations", Bodies.Json(Bodies.Delegation(Nowhere, id))), 409);

        var view = await _client.GetFromJsonAsync<JsonElement>($"/api/delegations/{instance}");
        view.GetProperty("runtimeStatus").GetString().Should().BeOneOf("Pending", "Running");
        view.GetProperty("service").GetString().Should().Be("train-classifier");
        view.GetProperty("maxWageWei").GetString().Should().Be(ApiFixture.Wage);
        (await _client.GetFromJsonAsync<JsonElement>($"/api/delegations/{id}")).GetProperty("id").GetString().Should().Be(instance);

        var running = await _client.GetFromJsonAsync<JsonElement>("/api/delegations?status=Pending,Running&pageSize=100");
        running.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()).Should().Contain(instance);
        await Bodies.ProblemAsync(await _client.GetAsync("/api/delegations?status=Sleeping"), 400);
        await Bodies.ProblemAsync(await _client.GetAsync("/api/delegations?pageSize=0"), 400);
        (await Bodies.ProblemAsync(await _client.GetAsync("/api/delegations?pageSize=abc"), 400)).GetProperty("errors").TryGetProperty("pageSize", out _).Should().BeTrue();
        (await Bodies.ProblemAsync(await _client.GetAsync("/runtime/webhooks/durabletask/instances?top=x&createdTimeFrom=yesterday"), 400))
            .GetProperty("errors").EnumerateObject().Select(e => e.Name).Should().BeEquivalentTo("top", "createdTimeFrom");
        await Bodies.ProblemAsync(await _client.GetAsync($"/api/delegations/{instance}/result"), 409);

        var status = await _client.GetAsync(links.GetProperty("statusQueryGetUri").GetString());
        status.StatusCode.Should().Be(HttpStatusCode.Accepted, "Durable answers 202 while an instance runs");
        (await status.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("name").GetString().Should().Be("CustomerDelegation");
        await Bodies.ProblemAsync(await _client.DeleteAsync($"/runtime/webhooks/durabletask/instances/{instance}"), 409);

        var raised = await _client.PostAsync($"/runtime/webhooks/durabletask/instances/{instance}/raiseEvent/Nudge", Bodies.Raw("{\"a\": 1}"));
        raised.StatusCode.Should().Be(HttpStatusCode.Accepted);
        await Bodies.ProblemAsync(await _client.PostAsync($"/runtime/webhooks/durabletask/instances/{instance}/raiseEvent/Nudge", Bodies.Raw("{bad")), 400);

        (await _client.PostAsync($"/runtime/webhooks/durabletask/instances/{instance}/terminate?reason=test", null)).StatusCode.Should().Be(HttpStatusCode.Accepted);
        var until = DateTime.UtcNow.AddSeconds(60);
        JsonElement ended;
        do
        {
            await Task.Delay(100);
            ended = await _client.GetFromJsonAsync<JsonElement>($"/api/delegations/{instance}");
        } while (ended.GetProperty("runtimeStatus").GetString() != "Terminated" && DateTime.UtcNow < until);
        ended.GetProperty("runtimeStatus").GetString().Should().Be("Terminated");
        (await _client.GetAsync(links.GetProperty("statusQueryGetUri").GetString())).StatusCode.Should().Be(HttpStatusCode.OK);

        await Bodies.ProblemAsync(await _client.PostAsync($"/runtime/webhooks/durabletask/instances/{instance}/raiseEvent/Nudge", Bodies.Raw("{}")), 410);
        await Bodies.ProblemAsync(await _client.PostAsync($"/runtime/webhooks/durabletask/instances/{instance}/terminate", null), 410);
        await Bodies.ProblemAsync(await _client.GetAsync($"/api/delegations/{instance}/result"), 409);
        var purged = await _client.DeleteAsync(links.GetProperty("purgeHistoryDeleteUri").GetString());
        (await purged.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("instancesDeleted").GetInt32().Should().Be(1);
        await Bodies.ProblemAsync(await _client.GetAsync($"/api/delegations/{instance}"), 404);
    }

    [Fact]
    public async Task Ended_instances_are_purged_in_bulk_by_creation_time()
    {
        var from = DateTimeOffset.UtcNow.AddSeconds(-1).ToString("o");
        var started = await _client.PostAsync("/api/delegations", Bodies.Json(Bodies.Delegation(Nowhere)));
        var id = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await Bodies.ProblemAsync(await _client.DeleteAsync("/runtime/webhooks/durabletask/instances"), 400);
        await Bodies.ProblemAsync(await _client.DeleteAsync($"/runtime/webhooks/durabletask/instances?createdTimeFrom={Uri.EscapeDataString(from)}&runtimeStatus=Running"), 400);
        (await _client.PostAsync($"/runtime/webhooks/durabletask/instances/{id}/terminate", null)).StatusCode.Should().Be(HttpStatusCode.Accepted);
        var until = DateTime.UtcNow.AddSeconds(60);
        while ((await _client.GetAsync($"/runtime/webhooks/durabletask/instances/{id}")).StatusCode != HttpStatusCode.OK && DateTime.UtcNow < until)
            await Task.Delay(100);

        var purged = await _client.DeleteAsync($"/runtime/webhooks/durabletask/instances?createdTimeFrom={Uri.EscapeDataString(from)}&runtimeStatus=Terminated");
        purged.StatusCode.Should().Be(HttpStatusCode.OK, await purged.Content.ReadAsStringAsync());
        (await purged.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("instancesDeleted").GetInt32().Should().BeGreaterThanOrEqualTo(1);
        await Bodies.ProblemAsync(await _client.GetAsync($"/api/delegations/{id}"), 404);
    }

    [Fact]
    public async Task Lists_page_with_a_continuation_token()
    {
        for (var i = 0; i < 2; i++)
            (await _client.PostAsync("/api/delegations", Bodies.Json(Bodies.Delegation(Nowhere)))).StatusCode.Should().Be(HttpStatusCode.Accepted);
        var first = await _client.GetFromJsonAsync<JsonElement>("/api/delegations?pageSize=1");
        first.GetProperty("items").GetArrayLength().Should().Be(1);
        var token = first.GetProperty("continuationToken").GetString();
        token.Should().NotBeNullOrEmpty();
        var second = await _client.GetFromJsonAsync<JsonElement>($"/api/delegations?pageSize=1&continuationToken={Uri.EscapeDataString(token!)}");
        second.GetProperty("items")[0].GetProperty("id").GetString().Should().NotBe(first.GetProperty("items")[0].GetProperty("id").GetString());
    }

    [Fact]
    public async Task Health_and_the_openapi_document_are_served_without_a_key()
    {
        (await _anonymous.GetAsync("/health")).StatusCode.Should().Be(HttpStatusCode.OK);
        var ready = await _anonymous.GetFromJsonAsync<JsonElement>("/health/ready");
        ready.GetProperty("status").GetString().Should().Be("Healthy", ready.ToString());
        ready.GetProperty("checks").GetProperty("chain").GetProperty("status").GetString().Should().Be("Healthy");
        var openapi = await _anonymous.GetStringAsync("/openapi/v1.json");
        openapi.Should().Contain("/api/delegations").And.Contain("/runtime/webhooks/durabletask/instances/{id}");
    }
}

[Collection(ApiCollection.Name)]
public sealed class TestServerApiTests(ApiFixture fixture) : ApiContractTests(fixture.TestHostCustomer);

[Collection(ApiCollection.Name)]
public sealed class KestrelApiTests(ApiFixture fixture) : ApiContractTests(fixture.Customer);
