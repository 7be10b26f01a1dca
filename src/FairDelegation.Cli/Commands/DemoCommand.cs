using System.CommandLine;
using FairDelegation.Cli.Demo;

namespace FairDelegation.Cli.Commands;

/// <summary>`fairdelegation demo`: one complete fair delegation on this machine, no configuration needed.</summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var keep = new Option<bool>("--keep-running") { Description = "Keep anvil, azurite and both nodes running after the delegation (Ctrl+C stops them)" };
        var rpc = new Option<string?>("--rpc-url") { Description = "Use this anvil (JSON-RPC URL) instead of starting one; its dev accounts pay" };
        var azurite = new Option<string?>("--azurite") { Description = "Use this Azurite: its blob endpoint (http://127.0.0.1:10000/devstoreaccount1) or a connection string" };
        var accuracy = new Option<double>("--min-accuracy") { Description = "The SLA: least accuracy on the hidden test set", DefaultValueFactory = _ => 0.9 };
        var verbose = new Option<bool>("--verbose") { Description = "Show the nodes' logs" };
        var backend = new Option<string>("--backend") { Description = $"The workflows' backend: {string.Join(" or ", FairDelegation.Workflows.DurableBackend.Names)}", DefaultValueFactory = _ => FairDelegation.Workflows.DurableBackend.Default };
        var command = new Command("demo", "Run one complete fair delegation (train-classifier under an accuracy SLA) between two local nodes on anvil and azurite");
        foreach (var o in new Option[] { keep, rpc, azurite, accuracy, verbose, backend }) command.Options.Add(o);
        command.Subcommands.Add(MarketDemo.CreateCommand());
        command.SetAction((parse, ct) =>
        {
            var url = parse.GetValue(rpc);
            if (url is not null && !Uri.TryCreate(url, UriKind.Absolute, out _)) throw new CliException($"--rpc-url '{url}' is not an absolute URL");
            var min = parse.GetValue(accuracy);
            if (min is < 0 or > 1) throw new CliException("--min-accuracy must be between 0 and 1");
            var store = parse.GetValue(backend)!;
            if (!FairDelegation.Workflows.DurableBackend.Names.Contains(store))
                throw new CliException($"--backend '{store}' is not a backend: use one of {string.Join(", ", FairDelegation.Workflows.DurableBackend.Names)}");
            return DemoRun.RunAsync(new DemoSettings(parse.GetValue(keep), url, parse.GetValue(azurite), min, parse.GetValue(verbose), store), ct);
        });
        return command;
    }
}
