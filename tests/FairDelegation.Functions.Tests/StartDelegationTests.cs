using System.Text.Json;
using System.Text.Json.Nodes;
using FairDelegation.Functions.Http;
using FairDelegation.Node.Customer;
using FairDelegation.Storage;

namespace FairDelegation.Functions.Tests;

/// <summary>POST /api/delegations as an HTTP function, called directly with a test HttpRequest and a fake client.</summary>
public sealed class StartDelegationTests : IDisposable
{
    private readonly FunctionsApp _app = new();

    public static JsonObject Body(string? id = null)
    {
        var body = new JsonObject
        {
            ["providerUrl"] = "http://provider.example:5001",
            ["service"] = "train-classifier",
            ["input"] = new JsonObject { ["text"] = "x1,x2,label\n1,2,yes\n" },
            ["sla"] = new JsonObject { ["kind"] = "max-bytes", ["maxBytes"] = 1024 },
            ["wageWei"] = "250000000000000000",
        };
        if (id is not null) body["id"] = id;
        return body;
    }

    private Task<object> StartAsync(string? json, bool withKey = true, string? extraHeader = null)
    {
        var (request, context) = _app.Request("POST", "/api/delegations", json, withKey);
        if (extraHeader is not null) request.Headers.Authorization = extraHeader;
        return _app.Function<DelegationFunctions>().StartDelegation(request, _app.Client, context);
    }

    [Fact]
    public async Task A_valid_request_schedules_the_customer_orchestration_and_answers_202_with_the_check_status_body()
    {
        var (request, context) = _app.Request("POST", "/api/delegations", Body("fn-1").ToJsonString());
        var result = await _app.Function<DelegationFunctions>().StartDelegation(request, _app.Client, context);

        var (status, type, text) = await FunctionsApp.ExecuteAsync(result, request);
        status.Should().Be(202, text);
        type.Should().Be("application/json");
        var started = _app.Client.Started.Should().ContainSingle().Subject;
        started.Name.Should().Be(nameof(CustomerDelegation));
        started.InstanceId.Should().Be("customer-fn-1");
        var input = started.Input.Should().BeOfType<CustomerDelegationInput>().Subject;
        input.Request.MaxWage.Should().Be(System.Numerics.BigInteger.Parse("250000000000000000"));
        input.Request.ProviderUrl.Should().Be("http://provider.example:5001");
        (await _app.Get<IBlobStore>().ExistsAsync(input.Request.InputBlob)).Should().BeTrue("the input is stored before the orchestration starts");

        // Durable Functions' check-status body, built by the extension's CreateCheckStatusResponse: its webhook routes.
        var body = JsonDocument.Parse(text).RootElement;
        var instance = $"{FunctionsApp.BaseUrl}/runtime/webhooks/durabletask/instances/customer-fn-1";
        body.GetProperty("id").GetString().Should().Be("customer-fn-1");
        body.GetProperty("statusQueryGetUri").GetString().Should().Be(instance);
        body.GetProperty("sendEventPostUri").GetString().Should().Be(instance + "/raiseEvent/{eventName}");
        body.GetProperty("terminatePostUri").GetString().Should().StartWith(instance + "/terminate");
        body.GetProperty("purgeHistoryDeleteUri").GetString().Should().Be(instance);
        var response = result.Should().BeOfType<Doubles.TestHttpResponseData>().Subject;
        response.Headers.GetValues("Location").Should().Equal(instance);
    }

    [Fact]
    public async Task A_stored_input_round_trips_through_the_workers_serializer_with_the_wage_intact()
    {
        var (request, context) = _app.Request("POST", "/api/delegations", Body().ToJsonString());
        await _app.Function<DelegationFunctions>().StartDelegation(request, _app.Client, context);
        var started = _app.Client.Started.Should().ContainSingle().Subject;
        var meta = await _app.Client.GetInstanceAsync(started.InstanceId, getInputsAndOutputs: true);
        // The serializer the app gives the worker (WorkerOptions.Serializer) writes wei as a decimal string.
        meta!.SerializedInput.Should().Contain("\"250000000000000000\"");
        JsonSerializer.Deserialize<CustomerDelegationInput>(meta.SerializedInput!, WorkflowJson.Options)!.Request.MaxWage
            .Should().Be(System.Numerics.BigInteger.Parse("250000000000000000"));
    }

    [Fact]
    public async Task Without_the_api_key_the_answer_is_401_and_nothing_starts()
    {
        var (request, context) = _app.Request("POST", "/api/delegations", Body().ToJsonString(), withKey: false);
        var result = await _app.Function<DelegationFunctions>().StartDelegation(request, _app.Client, context);
        var (status, type, text) = await FunctionsApp.ExecuteAsync(result, request);
        status.Should().Be(401);
        type.Should().Be("application/problem+json");
        JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString().Should().Contain("X-Api-Key");
        request.HttpContext.Response.Headers.WWWAuthenticate.ToString().Should().Contain("X-Api-Key");
        _app.Client.Started.Should().BeEmpty();
    }

    [Fact]
    public async Task A_wrong_api_key_is_401()
    {
        var (request, context) = _app.Request("POST", "/api/delegations", Body().ToJsonString(), withKey: false);
        request.Headers.Authorization = "Bearer not-the-key-of-this-app-at-all";
        var (status, _, text) = await FunctionsApp.ExecuteAsync(await _app.Function<DelegationFunctions>().StartDelegation(request, _app.Client, context), request);
        status.Should().Be(401);
        JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString().Should().Be("the API key is not valid");
        _app.Client.Started.Should().BeEmpty();
    }

    [Fact]
    public async Task A_chosen_id_starts_once()
    {
        var first = _app.Request("POST", "/api/delegations", Body("twice").ToJsonString());
        (await FunctionsApp.ExecuteAsync(await _app.Function<DelegationFunctions>().StartDelegation(first.Request, _app.Client, first.Context), first.Request))
            .Status.Should().Be(202);
        var second = _app.Request("POST", "/api/delegations", Body("twice").ToJsonString());
        var (status, _, text) = await FunctionsApp.ExecuteAsync(await _app.Function<DelegationFunctions>().StartDelegation(second.Request, _app.Client, second.Context), second.Request);
        status.Should().Be(409);
        JsonDocument.Parse(text).RootElement.GetProperty("title").GetString().Should().Be("delegation exists");
        _app.Client.Started.Should().ContainSingle();
    }

    public void Dispose() => _app.Dispose();
}
