using FairDelegation.Durable.Client;
using FairDelegation.Durable.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace FairDelegation.Durable.Tests;

/// <summary>A real host running the engine (worker as hosted service) against one store, for one test.</summary>
public sealed class EngineHost : IAsyncDisposable
{
    private readonly IHost _host;

    private EngineHost(IHost host) => _host = host;

    public DurableTaskClient Client => _host.Services.GetRequiredService<DurableTaskClient>();
    public DurableTaskWorker Worker => _host.Services.GetRequiredService<DurableTaskWorker>();
    public IServiceProvider Services => _host.Services;

    public static async Task<EngineHost> StartAsync(Action<DurableTaskBuilder> store, Action<DurableTaskRegistry> tasks,
        Action<DurableTaskOptions>? options = null, Action<IServiceCollection>? services = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        services?.Invoke(builder.Services);
        builder.Services.AddDurableTask(b =>
        {
            store(b);
            b.AddTasks(tasks);
            b.Configure(o =>
            {
                o.MaxPollInterval = TimeSpan.FromMilliseconds(100);
                o.LeaseDuration = TimeSpan.FromSeconds(5);
                options?.Invoke(o);
            });
        });
        var host = builder.Build();
        await host.StartAsync();
        return new EngineHost(host);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync(TimeSpan.FromSeconds(10));
        _host.Dispose();
    }
}
