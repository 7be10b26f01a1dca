using FairDelegation.Node.Api;
using FairDelegation.Node.Dashboard;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace FairDelegation.Node.Hosting;

/// <summary>
/// Hosts a node: <c>FairDelegationNode.CreateBuilder(args)</c> gives a WebApplicationBuilder with the node registered
/// (configuration from appsettings.json, environment variables and the command line), <c>Build(builder)</c> maps the
/// peer routes. Extra routes (the customer's delegation API) can be mapped on the returned app before it runs.
/// </summary>
public static class FairDelegationNode
{
    /// <summary>A builder with the node's services; <paramref name="configure"/> may add configuration sources first.</summary>
    public static WebApplicationBuilder CreateBuilder(string[] args, Action<IConfigurationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder.Configuration);
        builder.Services.AddProblemDetails();
        builder.Services.AddFairDelegationNode(builder.Configuration);
        builder.Services.AddFairDelegationApi(builder.Configuration);
        builder.Services.AddFairDelegationDashboard();
        return builder;
    }

    /// <summary>Builds the app and maps the peer API (and GET /api/agreements/{id}), the user API and the dashboard (/dashboard).</summary>
    public static WebApplication Build(WebApplicationBuilder builder)
    {
        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapFairDelegationPeerApi();
        app.MapFairDelegationMarketApi();
        app.MapFairDelegationApi();
        app.MapFairDelegationDashboard();
        return app;
    }
}
