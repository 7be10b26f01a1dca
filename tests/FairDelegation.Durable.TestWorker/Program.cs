using FairDelegation.Durable;
using FairDelegation.Durable.TestWorker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// usage: TestWorker --store sqlite|postgres --connection <cs> [--schema <name>] --dir <work dir> [--lease-ms 1500]
var opts = new Dictionary<string, string>();
for (var i = 0; i + 1 < args.Length; i += 2) opts[args[i].TrimStart('-')] = args[i + 1];
string Need(string k) => opts.TryGetValue(k, out var v) ? v : throw new ArgumentException($"--{k} is required");

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
builder.Services.AddSingleton(new WorkDirectory(Need("dir")));
builder.Services.AddDurableTask(b =>
{
    if (Need("store") == "postgres") b.UsePostgres(Need("connection"), opts.GetValueOrDefault("schema", "durable"));
    else b.UseSqlite(Need("connection"));
    b.AddTasks(r => r.AddOrchestrator<CrashFlow>().AddActivity<SideEffect>().AddActivity<Gate>());
    b.Configure(o =>
    {
        o.LeaseDuration = TimeSpan.FromMilliseconds(int.Parse(opts.GetValueOrDefault("lease-ms", "1500"), System.Globalization.CultureInfo.InvariantCulture));
        o.MaxPollInterval = TimeSpan.FromMilliseconds(100);
    });
});
using var host = builder.Build();
await host.StartAsync();
Console.WriteLine($"ready {Environment.ProcessId}");
await host.WaitForShutdownAsync();
