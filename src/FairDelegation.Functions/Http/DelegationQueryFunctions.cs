using FairDelegation.Node.Api;
using FairDelegation.Node.Storage;
using FairDelegation.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;

namespace FairDelegation.Functions.Http;

/// <summary>
/// GET /api/delegations, /api/delegations/{id} and /api/delegations/{id}/result: the node's handlers over the client
/// the runtime binds (the node's <see cref="DelegationQueries"/> made per invocation with it), behind the API key.
/// </summary>
public sealed class DelegationQueryFunctions(ApiKey apiKey, AgreementStore agreements, IBlobStore store, IOptions<ApiOptions> api)
{
    [Function(nameof(ListDelegations))]
    public async Task<IResult> ListDelegations(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "delegations")] HttpRequest request, [DurableClient] DurableTaskClient client)
    {
        if (ApiKeyAuthentication.Refuse(request, apiKey) is { } refused) return refused;
        var q = request.Query;
        return await DelegationsApi.ListAsync(new DelegationQueries(client, agreements), api, Value(q["status"]), Value(q["pageSize"]),
            Value(q["continuationToken"]), request.HttpContext.RequestAborted);
    }

    [Function(nameof(GetDelegation))]
    public async Task<IResult> GetDelegation(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "delegations/{id}")] HttpRequest request, string id,
        [DurableClient] DurableTaskClient client) =>
        ApiKeyAuthentication.Refuse(request, apiKey)
        ?? await DelegationsApi.GetAsync(id, request, new DelegationQueries(client, agreements), request.HttpContext.RequestAborted);

    [Function(nameof(GetDelegationResult))]
    public async Task<IResult> GetDelegationResult(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "delegations/{id}/result")] HttpRequest request, string id,
        [DurableClient] DurableTaskClient client) =>
        ApiKeyAuthentication.Refuse(request, apiKey) ?? await DelegationsApi.ResultAsync(id, client, store, request.HttpContext.RequestAborted);

    private static string? Value(Microsoft.Extensions.Primitives.StringValues v) => v.Count == 0 ? null : v.ToString();
}
