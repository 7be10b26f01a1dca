using System.Net;
using System.Net.Sockets;
using FairDelegation.Node.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FairDelegation.Cli.Demo;

/// <summary>A node hosted inside the CLI's process on Kestrel (127.0.0.1, a free port), stopped on dispose.</summary>
public sealed class InProcessNode : IAsyncDisposable
{
    private readonly WebApplication _app;

    private InProcessNode(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public string Url { get; }

    public T Get<T>() where T : notnull => _app.Services.GetRequiredService<T>();

    /// <summary>Starts a node with these settings; <paramref name="configure"/> may add middleware before it starts.</summary>
    public static async Task<InProcessNode> StartAsync(IDictionary<string, string?> settings, LogLevel logLevel, Action<IServiceCollection>? services = null,
        Action<WebApplication>? configure = null, CancellationToken ct = default)
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        var url = $"http://127.0.0.1:{port}";
        var config = new Dictionary<string, string?>(settings) { ["Urls"] = url };
        var builder = FairDelegationNode.CreateBuilder([], c => c.AddInMemoryCollection(config));
        builder.Logging.ClearProviders();
        if (logLevel != LogLevel.None) builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(logLevel);
        services?.Invoke(builder.Services);
        var app = FairDelegationNode.Build(builder);
        configure?.Invoke(app);
        await app.StartAsync(ct);
        return new InProcessNode(app, url);
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try { await _app.StopAsync(cts.Token); } catch (OperationCanceledException) { }
        await _app.DisposeAsync();
    }
}
