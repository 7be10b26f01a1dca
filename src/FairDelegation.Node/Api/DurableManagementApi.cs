using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace FairDelegation.Node.Api;

/// <summary>
/// Durable Functions' instance management routes, for tools that know them (all need the API key):
/// GET/DELETE /runtime/webhooks/durabletask/instances/{id}, GET/DELETE .../instances (query, bulk purge),
/// POST .../instances/{id}/raiseEvent/{eventName}, POST .../instances/{id}/terminate?reason=.
/// They act on any orchestration of this node (customer-* and provider-* instances).
/// </summary>
public static class DurableManagementApi
{
    /// <summary>The route prefix Durable Functions uses.</summary>
    public const string Prefix = "/runtime/webhooks/durabletask";

    /// <summary>Durable Functions' continuation header for instance queries.</summary>
    public const string ContinuationHeader = "x-ms-continuation-token";

    /// <summary>Durable Functions' status document.</summary>
    public sealed record InstanceStatus(string Name, string InstanceId, string RuntimeStatus, JsonElement? Input, JsonElement? CustomStatus,
        JsonElement? Output, DateTimeOffset CreatedTime, DateTimeOffset LastUpdatedTime)
    {
        /// <summary>With <c>showHistory=true</c>: the history (<see cref="OrchestrationHistory"/>); left out otherwise.</summary>
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public IReadOnlyList<HistoryEventView>? HistoryEvents { get; init; }
    }

    /// <summary>Durable Functions' purge answer.</summary>
    public sealed record PurgeHistoryResult(int InstancesDeleted);

    /// <summary>Maps the management routes.</summary>
    public static RouteGroupBuilder MapDurableManagementApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(Prefix + "/instances").WithTags("durable management").RequireApiKey();

        group.MapGet("/{id}", async (string id, HttpRequest request, HttpResponse response, DurableTaskClient durable, string? showInput,
                string? showHistory, string? showHistoryOutput, CancellationToken ct) =>
            {
                var errors = new Dictionary<string, string[]>();
                var show = ApiProblems.Bool(showInput, "showInput", errors);
                var history = ApiProblems.Bool(showHistory, "showHistory", errors);
                var historyOutput = ApiProblems.Bool(showHistoryOutput, "showHistoryOutput", errors);
                if (errors.Count > 0) return ApiProblems.Validation(errors);
                var meta = await durable.GetInstanceAsync(id, getInputsAndOutputs: true, ct);
                if (meta is null) return ApiProblems.NotFound("instance", id);
                var status = Status(meta, show ?? true);
                if (history == true)
                {
                    try
                    {
                        status = status with { HistoryEvents = await HistoryAsync(durable, id, show ?? true, historyOutput ?? false, ct) };
                    }
                    catch (NotSupportedException e)
                    {
                        return ApiProblems.Problem(StatusCodes.Status501NotImplemented, "history not available", e.Message);
                    }
                }
                // Durable Functions answers 202 while the instance runs (poll again), 200 once it has ended.
                if (meta.IsCompleted) return TypedResults.Ok(status);
                response.Headers.Location = $"{DelegationsApi.BaseUrl(request)}{Prefix}/instances/{Uri.EscapeDataString(id)}";
                return TypedResults.Json(status, statusCode: StatusCodes.Status202Accepted);
            })
            .Produces<InstanceStatus>(StatusCodes.Status200OK)
            .Produces<InstanceStatus>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status501NotImplemented)
            .WithSummary("An instance's status (202 while it runs, 200 once ended); showHistory=true adds its history (historyEvents), showHistoryOutput=true the activities' results");

        group.MapGet("/", async (HttpRequest request, HttpResponse response, DurableTaskClient durable, IOptions<ApiOptions> api,
                string? runtimeStatus, [FromQuery(Name = "top")] string? topText, string? instanceIdPrefix, string? createdTimeFrom, string? createdTimeTo,
                string? showInput, CancellationToken ct) =>
            {
                var errors = new Dictionary<string, string[]>();
                var top = ApiProblems.Int(topText, "top", errors);
                var from = ApiProblems.Time(createdTimeFrom, "createdTimeFrom", errors);
                var to = ApiProblems.Time(createdTimeTo, "createdTimeTo", errors);
                var show = ApiProblems.Bool(showInput, "showInput", errors);
                if (errors.Count > 0) return ApiProblems.Validation(errors);
                var statuses = new List<OrchestrationRuntimeStatus>();
                foreach (var s in (runtimeStatus ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    if (!Enum.TryParse<OrchestrationRuntimeStatus>(s, true, out var parsed) || int.TryParse(s, out _))
                        return ApiProblems.Validation("runtimeStatus", $"'{s}' is not one of Pending, Running, Completed, Failed, Terminated");
                    statuses.Add(parsed);
                }
                var max = api.Value.MaxPageSize;
                if (top is { } t && (t < 1 || t > max)) return ApiProblems.Validation("top", $"must be between 1 and {max}");
                var token = request.Headers[ContinuationHeader].ToString();
                Page<OrchestrationMetadata> page;
                try
                {
                    page = await durable.QueryInstancesAsync(new OrchestrationQuery
                    {
                        Statuses = statuses.Count > 0 ? statuses : null, PageSize = top ?? max, InstanceIdPrefix = instanceIdPrefix,
                        CreatedFrom = from, CreatedTo = to, ContinuationToken = string.IsNullOrEmpty(token) ? null : token,
                        FetchInputsAndOutputs = true,
                    }, ct);
                }
                catch (Exception e) when (e is FormatException or ArgumentException)
                {
                    return ApiProblems.Validation(ContinuationHeader, "is not a token this node issued");
                }
                if (page.ContinuationToken is not null) response.Headers[ContinuationHeader] = page.ContinuationToken;
                return TypedResults.Ok(page.Values.Select(m => Status(m, show ?? false)).ToList());
            })
            .Produces<List<InstanceStatus>>()
            .WithSummary("Instances by status, creation time and id prefix; the next page's token is in the x-ms-continuation-token header");

        group.MapDelete("/{id}", async (string id, DurableTaskClient durable, CancellationToken ct) =>
            {
                if (await durable.GetInstanceAsync(id, ct) is null) return ApiProblems.NotFound("instance", id);
                try
                {
                    var purged = await durable.PurgeInstanceAsync(id, ct);
                    return purged.PurgedInstanceCount == 0 ? ApiProblems.NotFound("instance", id) : TypedResults.Ok(new PurgeHistoryResult(purged.PurgedInstanceCount));
                }
                catch (InvalidOperationException e)
                {
                    return ApiProblems.Problem(StatusCodes.Status409Conflict, "instance still running", e.Message);
                }
            })
            .Produces<PurgeHistoryResult>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Purge an ended instance's history");

        group.MapDelete("/", async (DurableTaskClient durable, string? createdTimeFrom, string? createdTimeTo, string? runtimeStatus,
                CancellationToken ct) =>
            {
                var errors = new Dictionary<string, string[]>();
                var from = ApiProblems.Time(createdTimeFrom, "createdTimeFrom", errors);
                var to = ApiProblems.Time(createdTimeTo, "createdTimeTo", errors);
                if (errors.Count > 0) return ApiProblems.Validation(errors);
                if (from is null) return ApiProblems.Validation("createdTimeFrom", "is required for a bulk purge (Durable Functions' rule)");
                var statuses = new List<OrchestrationRuntimeStatus>();
                foreach (var s in (runtimeStatus ?? "Completed,Failed,Terminated").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    if (!Enum.TryParse<OrchestrationRuntimeStatus>(s, true, out var parsed) || int.TryParse(s, out _)
                        || parsed is not (OrchestrationRuntimeStatus.Completed or OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated))
                        return ApiProblems.Validation("runtimeStatus", $"'{s}' is not one of Completed, Failed, Terminated (only ended instances are purged)");
                    statuses.Add(parsed);
                }
                var ids = new List<string>();
                await foreach (var m in durable.GetAllInstancesAsync(new OrchestrationQuery { CreatedFrom = from, CreatedTo = to, Statuses = statuses })
                                   .WithCancellation(ct))
                    ids.Add(m.InstanceId);
                var deleted = 0;
                foreach (var id in ids) deleted += (await durable.PurgeInstanceAsync(id, ct)).PurgedInstanceCount;
                return deleted == 0
                    ? ApiProblems.Problem(StatusCodes.Status404NotFound, "nothing to purge", "no ended instance matches the filter")
                    : TypedResults.Ok(new PurgeHistoryResult(deleted));
            })
            .Produces<PurgeHistoryResult>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Purge the history of every ended instance created in a time range (createdTimeFrom required)");

        group.MapPost("/{id}/raiseEvent/{eventName}", async (string id, string eventName, HttpRequest request, DurableTaskClient durable,
                IOptions<ApiOptions> api, CancellationToken ct) =>
            {
                JsonElement? payload = null;
                if (request.ContentLength is not 0 && (request.ContentLength is not null || request.Headers.TransferEncoding.Count > 0 || request.ContentType is not null))
                {
                    var (body, problem) = await ApiProblems.ReadJsonAsync<JsonDocument>(request, api.Value.MaxRequestBytes, DelegationsApi.RequestJson, ct);
                    if (problem is not null) return problem;
                    payload = body!.RootElement.Clone();
                    body.Dispose();
                }
                if (await Ended(durable, id, ct) is { } refused) return refused;
                await durable.RaiseEventAsync(id, eventName, payload, ct);
                return TypedResults.Accepted((string?)null);
            })
            .Accepts<JsonElement>("application/json")
            .Produces(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status410Gone)
            .WithSummary("Raise an external event into an instance (the body is the event's JSON payload)");

        group.MapPost("/{id}/terminate", async (string id, string? reason, DurableTaskClient durable, CancellationToken ct) =>
            {
                if (await Ended(durable, id, ct) is { } refused) return refused;
                await durable.TerminateInstanceAsync(id, reason, ct);
                return TypedResults.Accepted((string?)null);
            })
            .Produces(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status410Gone)
            .WithSummary("Terminate a running instance (the reason becomes its output)");

        return group;
    }

    /// <summary>404 when unknown, 410 when it has already ended (Durable Functions' answers), else null.</summary>
    private static async Task<IResult?> Ended(DurableTaskClient durable, string id, CancellationToken ct)
    {
        var meta = await durable.GetInstanceAsync(id, ct);
        if (meta is null) return ApiProblems.NotFound("instance", id);
        return meta.IsCompleted
            ? ApiProblems.Problem(StatusCodes.Status410Gone, "instance ended", $"instance '{id}' is {meta.RuntimeStatus}; it takes no more events")
            : null;
    }

    /// <summary>The instance's history as Durable Functions' historyEvents (an instance purged meanwhile has none).</summary>
    internal static async Task<IReadOnlyList<HistoryEventView>> HistoryAsync(DurableTaskClient durable, string id, bool showInput, bool showHistoryOutput,
        CancellationToken ct)
    {
        try
        {
            return OrchestrationHistory.Project(await durable.GetOrchestrationHistoryAsync(id, ct), showInput, showHistoryOutput);
        }
        catch (ArgumentException) // the instance is gone (purged between the status read and this one)
        {
            if (await durable.GetInstanceAsync(id, ct) is not null) throw;
            return [];
        }
    }

    internal static InstanceStatus Status(OrchestrationMetadata m, bool showInput) => new(m.Name, m.InstanceId, m.RuntimeStatus.ToString(),
        showInput ? Json(m.SerializedInput) : null, Json(m.SerializedCustomStatus), Json(m.SerializedOutput), m.CreatedAt, m.LastUpdatedAt);

    private static JsonElement? Json(string? serialized)
    {
        if (string.IsNullOrEmpty(serialized)) return null;
        try { return JsonDocument.Parse(serialized).RootElement.Clone(); }
        catch (JsonException) { return JsonSerializer.SerializeToElement(serialized); }
    }
}
