using Azure.Core.Serialization;
using FairDelegation.Node.Api;
using FairDelegation.Node.Hosting;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace FairDelegation.Functions;

/// <summary>
/// What the Functions app registers: the node's services from the node's own composition code
/// (<see cref="FairDelegationNodeServiceCollectionExtensions.AddFairDelegationNodeServices"/>) and the node's API
/// settings and key (<see cref="FairDelegationApi.AddFairDelegationApi"/>). The engine and the orchestration client
/// are the Functions runtime's (Durable Functions): no engine, no hosted chain watcher (a timer function instead).
/// </summary>
public static class FunctionsComposition
{
    /// <summary>The whole app on a Functions builder: ASP.NET Core integration, then <see cref="AddFairDelegationFunctions"/>.</summary>
    public static FunctionsApplicationBuilder ConfigureFairDelegationFunctions(this FunctionsApplicationBuilder builder)
    {
        builder.ConfigureFunctionsWebApplication();
        builder.Services.AddFairDelegationFunctions(builder.Configuration);
        return builder;
    }

    public static IServiceCollection AddFairDelegationFunctions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddFairDelegationNodeServices(configuration);
        services.AddFairDelegationApi(configuration);
        services.AddProblemDetails(); // as the node's host: the same ProblemDetails writer
        // The worker's serializer writes orchestration inputs, outputs, events and custom status (and the check-status
        // body): it must carry wei (BigInteger) the way the node's engine does, as decimal strings.
        services.Configure<WorkerOptions>(o => o.Serializer = new JsonObjectSerializer(WorkflowJson.Options));
        return services;
    }
}
