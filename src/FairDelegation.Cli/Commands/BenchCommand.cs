using System.CommandLine;

namespace FairDelegation.Cli.Commands;

/// <summary>`fairdelegation bench ...`: throughput and cost figures, each next to a baseline measured in the same run.</summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "Benchmarks; each prints a ratio against a baseline measured in the same run");
        // Subcommands are registered here, one file each (BenchCryptoCommand, BenchGasCommand, ...).
        bench.Subcommands.Add(BenchCryptoCommand.Create());
        bench.Subcommands.Add(BenchGasCommand.Create());
        bench.Subcommands.Add(BenchEngineCommand.Create());
        bench.Subcommands.Add(BenchBlobCommand.Create());
        bench.Subcommands.Add(BenchDelegationsCommand.Create());
        bench.Subcommands.Add(BenchSecp256k1Command.Create());
        return bench;
    }
}
