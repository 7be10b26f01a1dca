using System.Reflection;
using System.Text.Json;
using FairDelegation.Functions.Http;

namespace FairDelegation.Functions.Tests;

/// <summary>
/// The build's functions.metadata (what the Functions host indexes) lists every function with its trigger binding and
/// route: the host serves nothing that is not in it.
/// </summary>
public sealed class FunctionsMetadataTests
{
    private static readonly JsonElement[] Functions = Load();

    private static JsonElement[] Load()
    {
        var path = typeof(FunctionsMetadataTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "FunctionsMetadata").Value!;
        File.Exists(path).Should().BeTrue($"the Functions build writes {path}");
        return JsonDocument.Parse(File.ReadAllText(path)).RootElement.EnumerateArray().Select(e => e.Clone()).ToArray();
    }

    private static JsonElement Function(string name) =>
        Functions.Should().ContainSingle(f => f.GetProperty("name").GetString() == name, $"{name} is in functions.metadata").Subject;

    private static JsonElement Trigger(JsonElement function) =>
        function.GetProperty("bindings").EnumerateArray().Should()
            .ContainSingle(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal)).Subject;

    public static TheoryData<string, string, string, bool> HttpFunctions() => new()
    {
        // name, method, route (under host.json's "api" prefix), takes the durable client
        { nameof(DelegationFunctions.StartDelegation), "post", "delegations", true },
        { nameof(PeerFunctions.PeerIdentity), "get", "peer/identity", false },
        { nameof(PeerFunctions.PeerShare), "get", "peer/shares/{token}", false },
        { nameof(DelegationQueryFunctions.ListDelegations), "get", "delegations", true },
        { nameof(DelegationQueryFunctions.GetDelegation), "get", "delegations/{id}", true },
        { nameof(DelegationQueryFunctions.GetDelegationResult), "get", "delegations/{id}/result", true },
        { nameof(PeerFunctions.PeerQuote), "post", "peer/quote", true },
        { nameof(PeerFunctions.PeerRequest), "post", "peer/request", true },
        { nameof(PeerFunctions.PeerDelivered), "post", "peer/delivered", true },
        { nameof(PeerFunctions.GetAgreement), "get", "agreements/{id}", true },
        { nameof(PeerFunctions.MarketQuote), "post", "market/quote", false },
    };

    /// <summary>Every orchestrator and activity class of the node, by the generic base it derives from.</summary>
    public static TheoryData<string, string> Workflows()
    {
        var data = new TheoryData<string, string>();
        foreach (var type in typeof(FairDelegation.Node.Customer.CustomerDelegation).Assembly.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false }))
        {
            for (var b = type.BaseType; b is not null; b = b.BaseType)
            {
                if (!b.IsGenericType) continue;
                var d = b.GetGenericTypeDefinition();
                if (d == typeof(Microsoft.DurableTask.TaskOrchestrator<,>)) data.Add(type.Name, "orchestrationTrigger");
                else if (d == typeof(Microsoft.DurableTask.TaskActivity<,>)) data.Add(type.Name, "activityTrigger");
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Workflows))]
    public void Each_orchestrator_and_activity_of_the_node_is_a_function_of_its_name(string name, string trigger)
    {
        // The orchestrators call activities by class name; Durable Functions dispatches them to the function of that name.
        Trigger(Function(name)).GetProperty("type").GetString().Should().Be(trigger);
    }

    [Fact]
    public void The_node_has_two_orchestrators_and_sixteen_activities() =>
        Workflows().Select(row => (string)row[1]).GroupBy(t => t).ToDictionary(g => g.Key, g => g.Count())
            .Should().BeEquivalentTo(new Dictionary<string, int> { ["orchestrationTrigger"] = 2, ["activityTrigger"] = 16 });

    [Fact]
    public void The_chain_watcher_is_a_timer_function_with_the_durable_client()
    {
        var function = Function(nameof(FairDelegation.Functions.Workflows.ChainWatcherFunction.WatchChain));
        var trigger = Trigger(function);
        trigger.GetProperty("type").GetString().Should().Be("timerTrigger");
        trigger.GetProperty("schedule").GetString().Should().Be(FairDelegation.Functions.Workflows.ChainWatcherFunction.Schedule);
        function.GetProperty("bindings").EnumerateArray().Should().Contain(b => b.GetProperty("type").GetString() == "durableClient");
    }

    [Theory]
    [MemberData(nameof(HttpFunctions))]
    public void Each_http_function_has_its_trigger_route_and_bindings(string name, string method, string route, bool durableClient)
    {
        var function = Function(name);
        function.GetProperty("language").GetString().Should().Be("dotnet-isolated");
        function.GetProperty("scriptFile").GetString().Should().Be("FairDelegation.Functions.dll");
        var trigger = Trigger(function);
        trigger.GetProperty("type").GetString().Should().Be("httpTrigger");
        trigger.GetProperty("route").GetString().Should().Be(route);
        trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()).Should().Equal(method);
        // The node's API key guards the routes, not Functions' keys.
        trigger.GetProperty("authLevel").GetString().Should().Be("Anonymous");
        var bindings = function.GetProperty("bindings").EnumerateArray().ToList();
        bindings.Any(b => b.GetProperty("type").GetString() == "durableClient").Should().Be(durableClient);
        bindings.Should().Contain(b => b.GetProperty("name").GetString() == "$return" && b.GetProperty("type").GetString() == "http");
    }

    [Fact]
    public void Every_function_in_the_metadata_is_a_method_of_the_app()
    {
        var assembly = typeof(FunctionsComposition).Assembly;
        foreach (var f in Functions)
        {
            var entry = f.GetProperty("entryPoint").GetString()!;
            var type = assembly.GetType(entry[..entry.LastIndexOf('.')]);
            type.Should().NotBeNull(entry);
            type!.GetMethod(entry[(entry.LastIndexOf('.') + 1)..]).Should().NotBeNull(entry);
        }
    }

    [Fact]
    public void The_http_routes_keep_the_nodes_api_prefix()
    {
        var host = JsonDocument.Parse(File.ReadAllText(Path.Combine(FairDelegation.Testing.RepoPaths.Root, "host.json"))).RootElement;
        host.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString().Should().Be("api");
        var durable = host.GetProperty("extensions").GetProperty("durableTask");
        durable.GetProperty("hubName").GetString().Should().NotBeNullOrEmpty();
        durable.GetProperty("storageProvider").GetProperty("type").GetString().Should().Be("AzureStorage");
    }
}
