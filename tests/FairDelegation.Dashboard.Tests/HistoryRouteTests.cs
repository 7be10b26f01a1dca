using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace FairDelegation.Dashboard.Tests;

/// <summary>
/// GET /runtime/webhooks/durabletask/instances/{id}?showHistory=true on a real node (SQLite, the node's default
/// backend): the history as Durable Functions returns it, behind the API key.
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class HistoryRouteTests(DashboardFixture fixture)
{
    [Fact]
    public async Task The_status_route_returns_the_history_as_durable_functions_does_behind_the_api_key()
    {
        var gate = "gate-" + Guid.NewGuid().ToString("N");
        File.WriteAllText(Path.Combine(fixture.Gates, gate), "open"); // no waiting: the work is copied at once
        var id = await BrowserSession.StartAsync(fixture, fixture.Provider, "gated-echo", gate + "\nhistory", "history-" + Guid.NewGuid().ToString("N")[..12]);
        using var api = fixture.Customer.Client(DashboardFixture.ApiKey);
        var route = $"/runtime/webhooks/durabletask/instances/{id}";
        JsonElement status;
        var waited = System.Diagnostics.Stopwatch.StartNew();
        // 202 while it runs, 200 once ended (Durable Functions' answers): poll the route until it says ended.
        while (true)
        {
            var response = await api.GetAsync(route + "?showHistory=true");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                status = await response.Content.ReadFromJsonAsync<JsonElement>();
                break;
            }
            response.StatusCode.Should().Be(HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
            waited.Elapsed.Should().BeLessThan(TimeSpan.FromMinutes(3), "the delegation should end");
            await Task.Delay(250);
        }
        status.GetProperty("runtimeStatus").GetString().Should().Be("Completed");
        var events = status.GetProperty("historyEvents").EnumerateArray().ToList();
        events.First().GetProperty("EventType").GetString().Should().Be("ExecutionStarted");
        events.First().GetProperty("FunctionName").GetString().Should().Be("CustomerDelegation");
        events.Last().GetProperty("EventType").GetString().Should().Be("ExecutionCompleted");
        events.Last().GetProperty("OrchestrationStatus").GetString().Should().Be("Completed");
        // Completions name their activity and when it was scheduled; scheduling and replay bookkeeping are folded away.
        var open = events.Single(e => e.GetProperty("EventType").GetString() == "TaskCompleted" && e.GetProperty("FunctionName").GetString() == "OpenEscrow");
        open.GetProperty("ScheduledTime").GetDateTimeOffset().Should().BeOnOrBefore(open.GetProperty("Timestamp").GetDateTimeOffset());
        open.TryGetProperty("Result", out _).Should().BeFalse("results only with showHistoryOutput=true");
        events.Select(e => e.GetProperty("EventType").GetString()).Should().NotContain(["TaskScheduled", "OrchestratorStarted", "OrchestratorCompleted"]);

        // showHistoryOutput=true: the activities' results (OpenEscrow's transaction), as Durable Functions gives them.
        var withOutput = await api.GetFromJsonAsync<JsonElement>(route + "?showHistory=true&showHistoryOutput=true");
        withOutput.GetProperty("historyEvents").EnumerateArray()
            .Single(e => e.GetProperty("EventType").GetString() == "TaskCompleted" && e.GetProperty("FunctionName").GetString() == "OpenEscrow")
            .GetProperty("Result").GetProperty("hash").GetString().Should().MatchRegex("^0x[0-9a-f]{64}$");

        // Without showHistory: no history; a bad flag: 400 naming it; without the key: 401.
        (await api.GetFromJsonAsync<JsonElement>(route)).TryGetProperty("historyEvents", out _).Should().BeFalse();
        var bad = await api.GetAsync(route + "?showHistory=maybe");
        bad.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await bad.Content.ReadAsStringAsync()).Should().Contain("showHistory");
        using var anonymous = fixture.Customer.Client();
        (await anonymous.GetAsync(route + "?showHistory=true")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }
}
