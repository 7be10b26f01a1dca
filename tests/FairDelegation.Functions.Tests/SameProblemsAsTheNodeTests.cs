using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FairDelegation.Functions.Http;
using FairDelegation.Node.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace FairDelegation.Functions.Tests;

/// <summary>
/// Bad input gets the same ProblemDetails from the Functions app as from the standalone node: each body is posted to
/// a real node (in a test server) and given to the HTTP function, and the two answers are compared.
/// </summary>
public sealed class SameProblemsAsTheNodeTests : IAsyncLifetime
{
    private readonly FunctionsApp _app = new();
    private readonly string _nodeData = Directory.CreateTempSubdirectory("fd-functions-node-").FullName;
    private WebApplication? _node;
    private HttpClient? _client;

    public async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string?>(_app.Settings) { ["FairDelegation:DataDirectory"] = _nodeData };
        var builder = FairDelegationNode.CreateBuilder([], c => c.AddInMemoryCollection(settings));
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        _node = FairDelegationNode.Build(builder);
        await _node.StartAsync();
        _client = _node.GetTestClient();
    }

    public static TheoryData<string, string, string> BadBodies()
    {
        var negative = StartDelegationTests.Body();
        negative["wageWei"] = "-5";
        negative["providerUrl"] = "ftp://provider.example";
        negative["input"] = new JsonObject { ["base64"] = "%%%" };
        negative["timeouts"] = new JsonObject { ["workDelivery"] = "-00:00:01" };
        var unknown = StartDelegationTests.Body();
        unknown["colour"] = "blue";
        var noSla = StartDelegationTests.Body();
        noSla.Remove("sla");
        var badId = StartDelegationTests.Body("no spaces allowed");
        return new TheoryData<string, string, string>
        {
            { "malformed JSON", "application/json", "{\"providerUrl\": " },
            { "a wrong type", "application/json", "{\"wageWei\": {\"a\": 1}}" },
            { "an empty object", "application/json", "{}" },
            { "JSON null", "application/json", "null" },
            { "field errors", "application/json", negative.ToJsonString() },
            { "an unknown property", "application/json", unknown.ToJsonString() },
            { "no SLA", "application/json", noSla.ToJsonString() },
            { "a bad id", "application/json", badId.ToJsonString() },
        };
    }

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Bad_input_gets_the_nodes_problem_details(string what, string contentType, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        using var post = new HttpRequestMessage(HttpMethod.Post, "/api/delegations") { Content = content };
        post.Headers.Add("X-Api-Key", FunctionsApp.ApiKey);
        var fromNode = await _client!.SendAsync(post);
        var nodeText = await fromNode.Content.ReadAsStringAsync();

        var (request, context) = _app.Request("POST", "/api/delegations", body);
        request.ContentType = contentType;
        var (status, type, text) = await FunctionsApp.ExecuteAsync(await _app.Function<DelegationFunctions>().StartDelegation(request, _app.Client, context), request);

        status.Should().Be((int)fromNode.StatusCode, what);
        status.Should().BeInRange(400, 499, $"{what}: {text}");
        type.Should().Be(fromNode.Content.Headers.ContentType!.MediaType).And.Be("application/problem+json");
        Comparable(text).Should().Be(Comparable(nodeText), what);
        _app.Client.Started.Should().BeEmpty();
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_415_on_both()
    {
        // The node's router refuses it before the handler (the endpoint accepts application/json only), with a bare
        // 415 ProblemDetails; the Functions app has no such router, so the shared reader answers, naming the type.
        using var post = new HttpRequestMessage(HttpMethod.Post, "/api/delegations") { Content = new StringContent("hello", Encoding.UTF8, "text/plain") };
        post.Headers.Add("X-Api-Key", FunctionsApp.ApiKey);
        var fromNode = await _client!.SendAsync(post);
        var (request, context) = _app.Request("POST", "/api/delegations", "hello");
        request.ContentType = "text/plain";
        var (status, type, text) = await FunctionsApp.ExecuteAsync(await _app.Function<DelegationFunctions>().StartDelegation(request, _app.Client, context), request);
        status.Should().Be(415).And.Be((int)fromNode.StatusCode);
        type.Should().Be("application/problem+json").And.Be(fromNode.Content.Headers.ContentType!.MediaType);
        JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString().Should().Contain("text/plain");
    }

    [Fact]
    public async Task A_missing_key_gets_the_nodes_401()
    {
        using var post = new HttpRequestMessage(HttpMethod.Post, "/api/delegations") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        var fromNode = await _client!.SendAsync(post);
        var (request, context) = _app.Request("POST", "/api/delegations", "{}", withKey: false);
        var (status, _, text) = await FunctionsApp.ExecuteAsync(await _app.Function<DelegationFunctions>().StartDelegation(request, _app.Client, context), request);
        status.Should().Be(401).And.Be((int)fromNode.StatusCode);
        Comparable(text).Should().Be(Comparable(await fromNode.Content.ReadAsStringAsync()));
        request.HttpContext.Response.Headers.WWWAuthenticate.ToString().Should().Be(fromNode.Headers.WwwAuthenticate.ToString());
    }

    /// <summary>The ProblemDetails without the per-request trace id.</summary>
    private static string Comparable(string json)
    {
        var node = JsonNode.Parse(json)!.AsObject();
        node.Remove("traceId");
        return node.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
    }

    public async Task DisposeAsync()
    {
        if (_node is not null)
        {
            await _node.StopAsync();
            await _node.DisposeAsync();
        }
        _app.Dispose();
        try { Directory.Delete(_nodeData, recursive: true); } catch (IOException) { }
    }
}
