using System.CommandLine;
using FairDelegation.Node.Hosting;
using FairDelegation.Node.Peers;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace FairDelegation.Cli.Commands;

/// <summary>
/// `fairdelegation node --role customer|provider`: runs a node until Ctrl+C. Configuration comes from appsettings.json
/// (or --config), environment variables (FairDelegation__...), then --set key=value and the flags (docs/node.md).
/// </summary>
public static class NodeCommand
{
    public static Command Create()
    {
        var role = new Option<string>("--role") { Description = "customer or provider", Required = true };
        role.AcceptOnlyFromAmong("customer", "provider");
        var urls = new Option<string>("--urls") { Description = "Where to listen", DefaultValueFactory = _ => "http://127.0.0.1:5000" };
        var config = new Option<FileInfo?>("--config") { Description = "A JSON configuration file (appsettings.json shape)" };
        var dataDir = new Option<DirectoryInfo?>("--data-dir") { Description = "The node's data directory (databases, keys, blobs)" };
        var set = new Option<string[]>("--set") { Description = "A configuration override, key=value (e.g. FairDelegation:Chain:EscrowAddress=0x...); repeatable" };
        var backend = new Option<string?>("--backend") { Description = "The workflows' backend (FairDelegation:Durable:Backend): sqlite, azure-storage or in-memory" };
        var node = new Command("node", "Run a customer or provider node") { role, urls, config, dataDir, backend, set };
        node.SetAction(async (parse, ct) =>
        {
            var overrides = new Dictionary<string, string?>
            {
                ["Urls"] = parse.GetValue(urls),
                ["FairDelegation:Role"] = parse.GetValue(role),
            };
            if (parse.GetValue(dataDir) is { } d) overrides["FairDelegation:DataDirectory"] = d.FullName;
            if (parse.GetValue(backend) is { } b)
            {
                if (!FairDelegation.Workflows.DurableBackend.Names.Contains(b))
                    throw new CliException($"--backend '{b}' is not a backend: use one of {string.Join(", ", FairDelegation.Workflows.DurableBackend.Names)}");
                overrides["FairDelegation:Durable:Backend"] = b;
            }
            foreach (var kv in parse.GetValue(set) ?? [])
            {
                var eq = kv.IndexOf('=');
                if (eq <= 0) throw new CliException($"--set '{kv}' is not key=value");
                overrides[kv[..eq]] = kv[(eq + 1)..];
            }
            var file = parse.GetValue(config);
            if (file is { Exists: false }) throw new CliException($"--config {file.FullName} does not exist");

            WebApplication app;
            try
            {
                var builder = FairDelegationNode.CreateBuilder([], c =>
                {
                    if (file is not null) c.AddJsonFile(file.FullName, optional: false);
                    c.AddInMemoryCollection(overrides);
                });
                app = FairDelegationNode.Build(builder);
                await app.StartAsync(ct);
            }
            catch (OptionsValidationException e)
            {
                throw new CliException("configuration: " + string.Join("; ", e.Failures));
            }
            var identity = app.Services.GetRequiredService<NodeIdentity>();
            Console.WriteLine($"{parse.GetValue(role)} node {identity.Address} listening on {string.Join(", ", app.Urls)}");
            Console.WriteLine($"dashboard: {app.Urls.First().TrimEnd('/')}/dashboard (sign in with the API key)");
            await app.WaitForShutdownAsync(ct);
            return 0;
        });
        return node;
    }
}
