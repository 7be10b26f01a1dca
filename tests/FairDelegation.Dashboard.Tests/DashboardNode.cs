using FairDelegation.Node.Hosting;
using FairDelegation.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FairDelegation.Dashboard.Tests;

/// <summary>A node in the test process on Kestrel (real HTTP on a free port), as `fairdelegation node` builds it.</summary>
public sealed class DashboardNode : IAsyncDisposable
{
    private readonly WebApplication _app;

    private DashboardNode(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public string Url { get; }

    public HttpClient Client(string? apiKey = null)
    {
        var client = new HttpClient { BaseAddress = new Uri(Url) };
        if (apiKey is not null) client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        return client;
    }

    public static async Task<DashboardNode> StartAsync(IDictionary<string, string?> settings, Action<IServiceCollection>? services = null)
    {
        var url = $"http://127.0.0.1:{FreePort.Next()}";
        var config = new Dictionary<string, string?>(settings) { ["Urls"] = url };
        var builder = FairDelegationNode.CreateBuilder([], c => c.AddInMemoryCollection(config));
        services?.Invoke(builder.Services);
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        var app = FairDelegationNode.Build(builder);
        await app.StartAsync();
        return new DashboardNode(app, url);
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try { await _app.StopAsync(cts.Token); } catch (OperationCanceledException) { }
        await _app.DisposeAsync();
    }
}
