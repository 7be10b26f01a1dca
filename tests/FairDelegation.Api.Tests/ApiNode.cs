using FairDelegation.Node.Hosting;
using FairDelegation.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FairDelegation.Api.Tests;

/// <summary>A node hosted in the test process: on Kestrel (real HTTP on a free port) or on ASP.NET Core's test server.</summary>
public sealed class ApiNode : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ApiNode(WebApplication app, string url, bool testServer, LogLines logs)
    {
        _app = app;
        Logs = logs;
        Url = url;
        IsTestServer = testServer;
    }

    /// <summary>The node's base URL (the test server's is http://localhost).</summary>
    public string Url { get; }

    public bool IsTestServer { get; }

    /// <summary>Every log line the node wrote (Information and above).</summary>
    public LogLines Logs { get; }

    public T Get<T>() where T : notnull => _app.Services.GetRequiredService<T>();

    /// <summary>An HttpClient to this node, with the API key when given.</summary>
    public HttpClient Client(string? apiKey = null)
    {
        var client = IsTestServer ? _app.GetTestClient() : new HttpClient { BaseAddress = new Uri(Url) };
        if (apiKey is not null) client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        return client;
    }

    public static async Task<ApiNode> StartAsync(IDictionary<string, string?> settings, bool testServer)
    {
        var url = testServer ? "http://localhost" : $"http://127.0.0.1:{FreePort.Next()}";
        var config = new Dictionary<string, string?>(settings);
        if (!testServer) config["Urls"] = url;
        var builder = FairDelegationNode.CreateBuilder([], c => c.AddInMemoryCollection(config));
        if (testServer) builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        var logs = new LogLines();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).AddFilter<Microsoft.Extensions.Logging.Console.ConsoleLoggerProvider>(l => l >= LogLevel.Warning);
        builder.Logging.AddProvider(logs).SetMinimumLevel(LogLevel.Information)
            .AddFilter<LogLines>((category, level) => level >= LogLevel.Warning || category?.StartsWith("FairDelegation", StringComparison.Ordinal) == true);
        var app = FairDelegationNode.Build(builder);
        await app.StartAsync();
        return new ApiNode(app, url, testServer, logs);
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try { await _app.StopAsync(cts.Token); } catch (OperationCanceledException) { }
        await _app.DisposeAsync();
    }
}
