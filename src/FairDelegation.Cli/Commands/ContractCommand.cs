using System.CommandLine;
using FairDelegation.Chain.Accounts;
using FairDelegation.Chain.Dev;
using FairDelegation.Chain.Escrow;
using FairDelegation.Chain.Rpc;
using FairDelegation.Chain.Transactions;

namespace FairDelegation.Cli.Commands;

/// <summary>`fairdelegation contract deploy`: deploys the singleton escrow (once per chain) and prints its address.</summary>
public static class ContractCommand
{
    public const string DeployerKeyVariable = "FAIRDELEGATION_DEPLOYER_KEY";

    public static Command Create()
    {
        var contract = new Command("contract", "The FairDelegationEscrow singleton");
        contract.Subcommands.Add(CreateDeploy());
        return contract;
    }

    private static Command CreateDeploy()
    {
        var rpcUrl = new Option<string>("--rpc-url") { Description = "JSON-RPC endpoint of the chain", DefaultValueFactory = _ => "http://127.0.0.1:8545" };
        var keyFile = new Option<FileInfo?>("--key-file") { Description = "File holding the deployer's private key (0x + 64 hex digits)" };
        var devAccount = new Option<int?>("--anvil-dev-account") { Description = "Use anvil's dev account N (0-9) as deployer: local chains only" };
        var confirmations = new Option<int>("--confirmations") { Description = "Blocks to wait on top of the deployment", DefaultValueFactory = _ => 1 };
        var deploy = new Command("deploy",
            $"Deploy the escrow; the deployer key comes from --key-file, --anvil-dev-account, or ${DeployerKeyVariable} (never from the command line)")
        {
            rpcUrl, keyFile, devAccount, confirmations,
        };
        deploy.SetAction(async (parse, ct) =>
        {
            var account = Signer(parse.GetValue(keyFile), parse.GetValue(devAccount));
            if (!Uri.TryCreate(parse.GetValue(rpcUrl), UriKind.Absolute, out var url)) throw new CliException("--rpc-url is not an absolute URL");
            var n = parse.GetValue(confirmations);
            if (n < 1) throw new CliException("--confirmations must be at least 1");

            using var rpc = new EthRpcClient(url);
            var chainId = await rpc.ChainIdAsync(ct);
            var sender = new TransactionSender(rpc, account);
            Console.Error.WriteLine($"deploying FairDelegationEscrow from {account.Address} on chain {chainId} at {url}...");
            var (escrow, tx) = await EscrowContract.DeployAsync(sender, ct);
            await new Confirmations(rpc).WaitAsync(tx.Receipt, n, TimeSpan.FromMinutes(10), ct);
            Console.WriteLine($"address     {escrow.Address}");
            Console.WriteLine($"transaction {tx.TransactionHash}");
            Console.WriteLine($"block       {tx.BlockNumber}");
            Console.WriteLine($"gas used    {tx.GasUsed}");
            return 0;
        });
        return deploy;
    }

    /// <summary>The sending key of `contract deploy` and the `registry` commands (never from the command line).</summary>
    internal static EthAccount Signer(FileInfo? keyFile, int? devAccount)
    {
        if (keyFile is not null && devAccount is not null) throw new CliException("give either --key-file or --anvil-dev-account, not both");
        try
        {
            if (keyFile is not null)
            {
                if (!keyFile.Exists) throw new CliException($"--key-file {keyFile.FullName} does not exist");
                return EthAccount.FromPrivateKey(File.ReadAllText(keyFile.FullName).Trim());
            }
            if (devAccount is { } i)
            {
                if (i is < 0 or > 9) throw new CliException("--anvil-dev-account must be between 0 and 9");
                return LocalAnvil.DevAccount(i);
            }
            if (Environment.GetEnvironmentVariable(DeployerKeyVariable) is { Length: > 0 } env) return EthAccount.FromPrivateKey(env.Trim());
        }
        catch (FormatException e)
        {
            // The message never contains the key itself.
            throw new CliException($"the deployer key is not valid: {e.Message}");
        }
        throw new CliException($"no deployer key: use --key-file, --anvil-dev-account or ${DeployerKeyVariable}");
    }
}
