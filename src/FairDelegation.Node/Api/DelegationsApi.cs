using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using FairDelegation.Node.Configuration;
using FairDelegation.Node.Customer;
using FairDelegation.Node.Model;
using FairDelegation.Node.Storage;
using FairDelegation.Protocol.Sla;
using FairDelegation.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace FairDelegation.Node.Api;

/// <summary>
/// The customer's API: POST /api/delegations (202 + check-status body), GET /api/delegations (paged, by status),
/// GET /api/delegations/{id}, GET /api/delegations/{id}/result (the decrypted work, once completed). All need the API key.
/// </summary>
public static partial class DelegationsApi
{
    /// <summary>How request bodies are read: web defaults, and an unknown property is an error naming it.</summary>
    public static readonly JsonSerializerOptions RequestJson = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>
    /// Maps the delegation routes: reading (list, one) on every node, each side's own orchestrations; starting one and
    /// its result on a customer node.
    /// </summary>
    public static RouteGroupBuilder MapDelegationsApi(this IEndpointRouteBuilder app, NodeRole role)
    {
        var group = app.MapGroup("/api/delegations").WithTags("delegations").RequireApiKey();

        group.MapGet("/", ListAsync)
            .ProducesValidationProblem()
            .WithName("ListDelegations")
            .WithSummary("List delegations in id order, optionally by runtime status; paged by continuation token");

        group.MapGet("/{id}", (string id, HttpRequest request, DelegationQueries queries, CancellationToken ct) => GetAsync(id, request, queries, ct))
            .Produces<DelegationView>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithName("GetDelegation")
            .WithSummary("A delegation's runtime status, current step, terms, transactions, outcome and failure details");

        if (role != NodeRole.Customer) return group;

        group.MapPost("/", (HttpRequest request, IBlobStore store, DurableTaskClient durable, IOptions<NodeOptions> options, IOptions<ApiOptions> api,
                    CancellationToken ct) => StartAsync(request, store, durable, options.Value, api.Value, ct))
            .Accepts<CreateDelegationRequest>("application/json")
            .Produces<CheckStatusResponse>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .WithName("StartDelegation")
            .WithSummary("Start a delegation (answers 202 with where to follow it)");

        group.MapGet("/{id}/result", (string id, DurableTaskClient durable, IBlobStore store, CancellationToken ct) => ResultAsync(id, durable, store, ct))
            .Produces(StatusCodes.Status200OK, contentType: "application/octet-stream")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithName("GetDelegationResult")
            .WithSummary("The decrypted work, streamed; only once the delegation completed");

        return group;
    }

    /// <summary>GET /api/delegations/{id} (every host answers it with this).</summary>
    public static async Task<IResult> GetAsync(string id, HttpRequest request, DelegationQueries queries, CancellationToken ct)
    {
        var view = await queries.GetAsync(InstanceId(id), BaseUrl(request), ct);
        return view is null ? ApiProblems.NotFound("delegation", id) : TypedResults.Ok(view);
    }

    /// <summary>GET /api/delegations/{id}/result: the decrypted work once Completed, else 404 / 409 (every host answers it with this).</summary>
    public static async Task<IResult> ResultAsync(string id, DurableTaskClient durable, IBlobStore store, CancellationToken ct)
    {
        var meta = await durable.GetInstanceAsync(InstanceId(id), getInputsAndOutputs: true, ct);
        if (meta is null) return ApiProblems.NotFound("delegation", id);
        var outcome = meta.RuntimeStatus == OrchestrationRuntimeStatus.Completed ? meta.ReadOutputAs<DelegationOutcome>() : null;
        if (outcome is not { Status: DelegationStatus.Completed, ResultBlob: { } blob })
        {
            var state = outcome is not null ? $"it ended {outcome.Status}: {outcome.Reason}" : $"its runtime status is {meta.RuntimeStatus}";
            return ApiProblems.Problem(StatusCodes.Status409Conflict, "no result yet", $"delegation '{id}' has no decrypted work: {state}");
        }
        var stream = await store.OpenReadAsync(blob, ct);
        return TypedResults.Stream(stream, "application/octet-stream", fileDownloadName: $"{meta.InstanceId}.out");
    }

    /// <summary>The orchestration instance id for an API id: "customer-..." and "provider-..." (the list shows both) as is, else prefixed.</summary>
    public static string InstanceId(string id) =>
        DelegationQueries.RoleOf(id) is not null ? id : CustomerNode.InstanceId(id);

    /// <summary>scheme://host/pathbase of the current request.</summary>
    public static string BaseUrl(HttpRequest request) => $"{request.Scheme}://{request.Host}{request.PathBase}";

    /// <summary>A checked start request: the orchestration's input (its input and assets already stored) and its instance id.</summary>
    public sealed record StartRequest(CustomerDelegationInput Input, string InstanceId, string? ChosenId);

    /// <summary>
    /// Reads and checks POST /api/delegations the same way for every host (the node, the Functions app): the body,
    /// each field (ProblemDetails naming it), the node's role; then stores the input and the assets. Returns the
    /// request to schedule, or the problem to answer.
    /// </summary>
    public static async Task<(StartRequest? Start, IResult? Problem)> ReadStartAsync(HttpRequest http, IBlobStore store, NodeOptions options,
        ApiOptions api, CancellationToken ct)
    {
        var (body, problem) = await ApiProblems.ReadJsonAsync<CreateDelegationRequest>(http, api.MaxRequestBytes, RequestJson, ct);
        if (problem is not null) return (null, problem);
        var errors = new Dictionary<string, List<string>>();
        void Error(string field, string reason)
        {
            if (!errors.TryGetValue(field, out var list)) errors[field] = list = [];
            list.Add(reason);
        }

        if (body!.ProviderUrl is null)
        {
            // No provider named: the market chooses one by service and maximum wage.
            if (!options.Market.Enabled)
                Error("providerUrl", "is required: this node has no market registry configured (FairDelegation:Market:RegistryAddress) to choose a provider by service and wageWei");
        }
        else if (string.IsNullOrWhiteSpace(body.ProviderUrl)) Error("providerUrl", "must not be empty (leave it out to let the market choose by service and wageWei)");
        else if (!Uri.TryCreate(body.ProviderUrl, UriKind.Absolute, out var u) || (u.Scheme != "http" && u.Scheme != "https"))
            Error("providerUrl", "must be an absolute http(s) URL");
        if (string.IsNullOrWhiteSpace(body.Service)) Error("service", "is required");
        if (body.Currency is { } currency && !currency.Equals("ETH", StringComparison.OrdinalIgnoreCase)
            && !(FairDelegation.Chain.Crypto.EthereumAddress.TryParse(currency, out var token) && token != FairDelegation.Chain.Crypto.EthereumAddress.Zero))
            Error("currency", "must be \"ETH\" or an ERC-20 token address (0x + 40 hex digits)");
        var input = Decode(body.Input, "input", Error, required: true);
        var assets = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (name, content) in body.Assets ?? [])
        {
            if (string.IsNullOrWhiteSpace(name)) { Error("assets", "asset names must not be empty"); continue; }
            if (Decode(content, $"assets.{name}", Error, required: true) is { } bytes) assets[name] = bytes;
        }
        BigInteger wage = default;
        if (string.IsNullOrWhiteSpace(body.WageWei)) Error("wageWei", "is required (decimal wei, e.g. \"250000000000000000\")");
        else if (!BigInteger.TryParse(body.WageWei, NumberStyles.None, CultureInfo.InvariantCulture, out wage) || wage.Sign <= 0)
            Error("wageWei", "must be a positive decimal number of wei, as a string");
        string? slaJson = null;
        if (body.Sla is not { ValueKind: JsonValueKind.Object } slaElement) Error("sla", "an SLA object is required (with its \"kind\")");
        else
        {
            try
            {
                var sla = ServiceLevelAgreement.FromJson(CompleteSla(slaElement, assets));
                sla.Validate(assets);
                slaJson = sla.ToJson();
            }
            catch (FormatException e) { Error("sla", e.Message); }
            catch (JsonException e) { Error("sla", e.Message); }
        }
        var t = body.Timeouts;
        foreach (var (name, value) in new[] { ("workDelivery", t?.WorkDelivery), ("confirmation", t?.Confirmation), ("deadlineCheck", t?.DeadlineCheck) })
        {
            if (value is { } v && v <= TimeSpan.Zero) Error($"timeouts.{name}", "must be positive");
        }
        if (body.Id is { } id && !IdPattern().IsMatch(id)) Error("id", "must be 1 to 64 letters, digits, '-' or '_'");
        foreach (var (field, reason) in RequestLimits.Check(body.ProviderUrl, body.Service, (body.Assets ?? []).Keys, body.Sla?.GetRawText()))
            Error(field, reason);
        if (options.Role != NodeRole.Customer) return (null, ApiProblems.Problem(StatusCodes.Status409Conflict, "not a customer node", "only a customer node starts delegations"));
        if (errors.Count > 0) return (null, ApiProblems.Validation(errors.ToDictionary(e => e.Key, e => e.Value.ToArray())));

        var stored = await CustomerNode.StoreAsync(store, new MemoryStream(input!), "input", ct);
        var assetBlobs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, bytes) in assets) assetBlobs[name] = (await CustomerNode.StoreAsync(store, new MemoryStream(bytes), "asset", ct)).Name;
        var request = new DelegationRequest
        {
            ProviderUrl = body.ProviderUrl, Currency = body.Currency, Service = body.Service!, InputBlob = stored.Name, InputSha256 = stored.Sha256, Sla = slaJson!,
            Assets = assetBlobs, MaxWage = wage,
        };
        try
        {
            var defaults = DelegationTimeouts.From(options);
            var timeouts = t is null ? defaults : defaults with
            {
                WorkDelivery = t.WorkDelivery ?? defaults.WorkDelivery,
                Confirmation = t.Confirmation ?? defaults.Confirmation,
                DeadlineCheck = t.DeadlineCheck ?? defaults.DeadlineCheck,
            };
            // The request is validated as CustomerNode.StartAsync does, and the input and the assets were just written
            // here (no need to ask the blob store whether they exist); it adds the per-delegation waits.
            return (new StartRequest(new CustomerDelegationInput(request, timeouts), CustomerNode.InstanceId(body.Id ?? Guid.NewGuid().ToString("N")), body.Id), null);
        }
        catch (ArgumentException e)
        {
            return (null, ApiProblems.Validation("body", e.Message));
        }
    }

    /// <summary>409: a client-chosen id that was already started.</summary>
    public static IResult AlreadyStarted(StartRequest start) =>
        ApiProblems.Problem(StatusCodes.Status409Conflict, "delegation exists", $"a delegation with id '{start.ChosenId}' was already started");

    private static async Task<IResult> StartAsync(HttpRequest http, IBlobStore store, DurableTaskClient durable, NodeOptions options, ApiOptions api, CancellationToken ct)
    {
        var (start, problem) = await ReadStartAsync(http, store, options, api, ct);
        if (problem is not null) return problem;
        string instanceId;
        try
        {
            instanceId = await durable.ScheduleNewOrchestrationInstanceAsync(nameof(CustomerDelegation), start!.Input, new StartOrchestrationOptions(start.InstanceId), ct);
        }
        catch (DurableTask.Core.Exceptions.OrchestrationAlreadyExistsException)
        {
            return AlreadyStarted(start!);
        }
        catch (ArgumentException e)
        {
            return ApiProblems.Validation("body", e.Message);
        }
        var links = CheckStatus(BaseUrl(http), instanceId);
        return TypedResults.Accepted(links.DelegationGetUri, links);
    }

    /// <summary>The check-status links of an instance (Durable Functions' names).</summary>
    public static CheckStatusResponse CheckStatus(string baseUrl, string instanceId)
    {
        var instance = $"{baseUrl}{DurableManagementApi.Prefix}/instances/{Uri.EscapeDataString(instanceId)}";
        var delegation = $"{baseUrl}/api/delegations/{Uri.EscapeDataString(instanceId)}";
        return new CheckStatusResponse(instanceId, instance, instance + "/raiseEvent/{eventName}", instance + "/terminate?reason={text}", instance,
            delegation, delegation + "/result");
    }

    /// <summary>GET /api/delegations?status=&amp;pageSize=&amp;continuationToken= (every host answers it with this).</summary>
    public static async Task<IResult> ListAsync(DelegationQueries queries, IOptions<ApiOptions> api,
        string? status, [FromQuery(Name = "pageSize")] string? pageSizeText, string? continuationToken, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var statuses = ParseStatuses(status, errors);
        var max = api.Value.MaxPageSize;
        var pageSize = ApiProblems.Int(pageSizeText, "pageSize", errors);
        if (pageSize is { } p && (p < 1 || p > max)) errors["pageSize"] = [$"must be between 1 and {max}"];
        if (errors.Count > 0) return ApiProblems.Validation(errors);
        try
        {
            return TypedResults.Ok(await queries.ListAsync(new DelegationFilter
            {
                // A node has one role, so its delegations are its own side's (customer-* or provider-*).
                Role = null, Statuses = statuses, PageSize = pageSize ?? Math.Min(50, max), ContinuationToken = continuationToken,
            }, ct));
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            return ApiProblems.Validation("continuationToken", "is not a token this node issued");
        }
    }

    /// <summary>Comma-separated runtime statuses ("Running,Completed"); a bad one is an error under "status".</summary>
    public static List<OrchestrationRuntimeStatus> ParseStatuses(string? status, Dictionary<string, string[]> errors)
    {
        var statuses = new List<OrchestrationRuntimeStatus>();
        foreach (var s in (status ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (Enum.TryParse<OrchestrationRuntimeStatus>(s, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(s, out _))
                statuses.Add(parsed);
            else errors["status"] = [$"'{s}' is not one of Pending, Running, Completed, Failed, Terminated"];
        }
        return statuses;
    }

    /// <summary>classifier-accuracy without testSetSha256: commit to the test-set asset given alongside.</summary>
    private static string CompleteSla(JsonElement sla, IReadOnlyDictionary<string, byte[]> assets)
    {
        var node = JsonNode.Parse(sla.GetRawText())!.AsObject();
        if (node["kind"]?.GetValue<string>() == "classifier-accuracy" && node["testSetSha256"] is null)
        {
            var asset = node["testSetAsset"]?.GetValue<string>() ?? "test-set";
            if (!assets.TryGetValue(asset, out var testSet)) throw new FormatException($"classifier-accuracy needs the hidden test set as assets.{asset}");
            node["testSetSha256"] = "0x" + Convert.ToHexStringLower(SHA256.HashData(testSet));
        }
        return node.ToJsonString();
    }

    private static byte[]? Decode(ContentBody? content, string field, Action<string, string> error, bool required)
    {
        if (content is null)
        {
            if (required) error(field, "is required: {\"text\": \"...\"} or {\"base64\": \"...\"}");
            return null;
        }
        if ((content.Text is null) == (content.Base64 is null))
        {
            error(field, "give exactly one of text and base64");
            return null;
        }
        if (content.Text is not null) return Encoding.UTF8.GetBytes(content.Text);
        try { return Convert.FromBase64String(content.Base64!); }
        catch (FormatException)
        {
            error($"{field}.base64", "is not valid base64");
            return null;
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex IdPattern();
}
