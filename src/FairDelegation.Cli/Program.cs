using System.CommandLine;
using FairDelegation.Cli;
using FairDelegation.Cli.Commands;

// One command group per file under Commands/; each exposes Create().
var root = new RootCommand("fairdelegation: fair delegation of digital services without third parties");
root.Subcommands.Add(BenchCommand.Create());
root.Subcommands.Add(KeysCommand.Create());
root.Subcommands.Add(WorkCommand.Create());
root.Subcommands.Add(DemoCommand.Create());
root.Subcommands.Add(DelegateCommand.Create());
root.Subcommands.Add(StatusCommand.Create());
root.Subcommands.Add(ContractCommand.Create());
root.Subcommands.Add(RegistryCommand.Create());
root.Subcommands.Add(ProvidersCommand.Create());
root.Subcommands.Add(NodeCommand.Create());

return await CliErrors.InvokeAsync(root, args);
