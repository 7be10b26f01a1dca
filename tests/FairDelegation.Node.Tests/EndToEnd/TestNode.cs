using FairDelegation.Node.Hosting;
using FairDelegation.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FairDelegation.Node.Tests.EndToEnd;

/// <summary>A node hosted in the test process: Kestrel on 127.0.0.1 and a free port, its own data directory.</summary>
public sealed class TestNode : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestNode(WebApplication app, string url, string dataDirectory, LogLines logs)
    {
        _app = app;
        Logs = logs;
        Url = url;
        DataDirectory = dataDirectory;
    }

    public string Url { get; }
    public string DataDirectory { get; }

    /// <summary>Every log line the node wrote (Information and above).</summary>
    public LogLines Logs { get; }
    public IServiceProvider Services => _app.Services;
    public T Get<T>() where T : notnull => _app.Services.GetRequiredService<T>();

    public static async Task<TestNode> StartAsync(IDictionary<string, string?> settings, Action<IServiceCollection>? services = null, int? port = null)
    {
        var p = port ?? FreePort.Next();
        var url = $"http://127.0.0.1:{p}";
        var config = new Dictionary<string, string?>(settings) { ["Urls"] = url };
        var builder = FairDelegationNode.CreateBuilder([], c => c.AddInMemoryCollection(config));
        builder.Logging.ClearProviders();
        var logs = new LogLines();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).AddFilter<Microsoft.Extensions.Logging.Console.ConsoleLoggerProvider>(l => l >= LogLevel.Warning);
        builder.Logging.AddProvider(logs).SetMinimumLevel(LogLevel.Information)
            .AddFilter<LogLines>((category, level) => level >= LogLevel.Warning || category?.StartsWith("FairDelegation", StringComparison.Ordinal) == true);
        services?.Invoke(builder.Services);
        var app = FairDelegationNode.Build(builder);
        await app.StartAsync();
        return new TestNode(app, url, settings["FairDelegation:DataDirectory"]!, logs);
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try { await _app.StopAsync(cts.Token); } catch (OperationCanceledException) { }
        await _app.DisposeAsync();
    }
}
