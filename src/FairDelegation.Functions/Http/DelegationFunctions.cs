using FairDelegation.Node.Api;
using FairDelegation.Node.Configuration;
using FairDelegation.Node.Customer;
using FairDelegation.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;

namespace FairDelegation.Functions.Http;

/// <summary>
/// The customer's /api/delegations routes as HTTP functions: the same request and response contracts, validation
/// (ProblemDetails naming the field) and API-key rule as the node's, by calling the node's own implementation
/// (<see cref="DelegationsApi"/>, <see cref="ApiKeyAuthentication"/>). Functions' own keys are off (anonymous): the
/// node's API key guards these routes. The route prefix "api" comes from host.json.
/// </summary>
public sealed class DelegationFunctions(ApiKey apiKey, IBlobStore store, IOptions<NodeOptions> options, IOptions<ApiOptions> api)
{
    /// <summary>POST /api/delegations: 202 with Durable Functions' check-status body (CreateCheckStatusResponse).</summary>
    [Function(nameof(StartDelegation))]
    public async Task<object> StartDelegation(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "delegations")] HttpRequest request,
        [DurableClient] DurableTaskClient client, FunctionContext context)
    {
        if (ApiKeyAuthentication.Refuse(request, apiKey) is { } refused) return refused;
        var ct = request.HttpContext.RequestAborted;
        var (start, problem) = await DelegationsApi.ReadStartAsync(request, store, options.Value, api.Value, ct);
        if (problem is not null) return problem;
        // Durable Functions restarts an ended instance scheduled again under its id; a client-chosen id is started once.
        if (start!.ChosenId is not null && await client.GetInstanceAsync(start.InstanceId, ct) is not null) return DelegationsApi.AlreadyStarted(start);
        var instanceId = await client.ScheduleNewOrchestrationInstanceAsync(nameof(CustomerDelegation), start.Input,
            new StartOrchestrationOptions(start.InstanceId), ct);
        var requestData = await context.GetHttpRequestDataAsync()
                          ?? throw new InvalidOperationException("the HTTP request data of this invocation is missing");
        return await client.CreateCheckStatusResponseAsync(requestData, instanceId, ct);
    }
}
