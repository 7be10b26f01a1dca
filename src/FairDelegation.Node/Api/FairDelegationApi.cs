using FairDelegation.Node.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FairDelegation.Node.Api;

/// <summary>
/// Registers and maps the node's user-facing HTTP API: the customer's /api/delegations (customer nodes), Durable-style
/// management routes, /health, and the OpenAPI document (/openapi/v1.json). The peer routes are mapped by PeerApi.
/// </summary>
public static class FairDelegationApi
{
    /// <summary>Binds <see cref="ApiOptions"/> from "FairDelegation:Api" and registers the API key and the OpenAPI document.</summary>
    public static IServiceCollection AddFairDelegationApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ApiOptions>().Bind(configuration.GetSection(ApiOptions.SectionName))
            .Validate(o => o.MaxRequestBytes > 0, $"{ApiOptions.SectionName}:MaxRequestBytes must be positive")
            .Validate(o => o.MaxPageSize > 0, $"{ApiOptions.SectionName}:MaxPageSize must be positive")
            .ValidateOnStart();
        services.AddSingleton<ApiKey>();
        services.AddOpenApi();
        return services;
    }

    /// <summary>Maps the API routes (starting a delegation and its result on a customer node only; reading delegations on both).</summary>
    public static IEndpointRouteBuilder MapFairDelegationApi(this IEndpointRouteBuilder app)
    {
        var node = app.ServiceProvider.GetRequiredService<IOptions<NodeOptions>>().Value;
        // Resolve the key now: a bad key setting fails the start, and the key file exists before the first call.
        app.ServiceProvider.GetRequiredService<ApiKey>();
        app.MapDelegationsApi(node.Role);
        app.MapDurableManagementApi();
        app.MapHealthApi();
        app.MapOpenApi();
        return app;
    }
}
