using System.CommandLine;
using System.Globalization;
using System.Numerics;
using FairDelegation.Chain.Crypto;
using FairDelegation.Chain.Registry;
using FairDelegation.Chain.Rpc;
using FairDelegation.Chain.Transactions;
using FairDelegation.Protocol.Market;
using Nethereum.Contracts;

namespace FairDelegation.Cli.Commands;

/// <summary>
/// `fairdelegation registry deploy|register|deregister|withdraw`: the market's FairDelegationRegistry (docs/market.md).
/// Keys come as for `contract deploy`: --key-file, --anvil-dev-account or $FAIRDELEGATION_DEPLOYER_KEY.
/// </summary>
public static class RegistryCommand
{
    public static Command Create()
    {
        var registry = new Command("registry", "The market's FairDelegationRegistry: deploy it, register a provider, leave");
        registry.Subcommands.Add(CreateDeploy());
        registry.Subcommands.Add(CreateRegister());
        registry.Subcommands.Add(CreateSimple("deregister", "Stop serving; the stake unlocks after the unbonding delay", () => new DeregisterFunction().GetCallData()));
        registry.Subcommands.Add(CreateSimple("withdraw", "Take the stake back once the unbonding delay is over", () => new WithdrawFunction().GetCallData()));
        return registry;
    }

    private static (Option<string> Rpc, Option<FileInfo?> Key, Option<int?> Dev) SignerOptions() => (
        new Option<string>("--rpc-url") { Description = "JSON-RPC endpoint of the chain", DefaultValueFactory = _ => "http://127.0.0.1:8545" },
        new Option<FileInfo?>("--key-file") { Description = "File holding the sender's private key (0x + 64 hex digits)" },
        new Option<int?>("--anvil-dev-account") { Description = "Use anvil's dev account N (0-9): local chains only" });

    private static Command CreateDeploy()
    {
        var (rpcUrl, keyFile, devAccount) = SignerOptions();
        var minStake = new Option<string>("--min-stake") { Description = "Least stake in wei", DefaultValueFactory = _ => "100000000000000000" };
        var delay = new Option<long>("--unbonding-delay") { Description = "Seconds between deregister and withdraw", DefaultValueFactory = _ => 7 * 24 * 3600 };
        var deploy = new Command("deploy", "Deploy the registry (once per chain) and print its address") { rpcUrl, keyFile, devAccount, minStake, delay };
        deploy.SetAction(async (parse, ct) =>
        {
            var stake = Wei(parse.GetValue(minStake)!, "--min-stake", allowZero: true);
            var d = parse.GetValue(delay);
            if (d is < 0 or > uint.MaxValue) throw new CliException("--unbonding-delay must be between 0 and 4294967295 seconds");
            using var rpc = Rpc(parse.GetValue(rpcUrl)!);
            var sender = new TransactionSender(rpc, ContractCommand.Signer(parse.GetValue(keyFile), parse.GetValue(devAccount)));
            var receipt = await RegistryContract.DeployAsync(sender, stake, d, ct);
            Console.WriteLine($"address     {receipt.ContractAddress}");
            Console.WriteLine($"transaction {receipt.TransactionHash}");
            Console.WriteLine($"gas used    {receipt.GasUsed}");
            return 0;
        });
        return deploy;
    }

    private static Command CreateRegister()
    {
        var (rpcUrl, keyFile, devAccount) = SignerOptions();
        var registry = new Option<string>("--registry") { Description = "The registry's address", Required = true };
        var endpoint = new Option<string>("--endpoint") { Description = "The URL customers reach this provider's node at", Required = true };
        var payee = new Option<string>("--payee") { Description = "Where wages go (default: the sender)" };
        var stake = new Option<string>("--stake") { Description = "Wei to lock (at least the registry's minimum)", Required = true };
        var offers = new Option<string[]>("--offer")
        {
            Description = "SERVICE:PRICE[:CURRENCY[:task|unit[:MAX_UNITS[:MAX_CONCURRENT]]]] (CURRENCY: ETH or a token address; repeat for more)",
            Required = true, AllowMultipleArgumentsPerToken = false,
        };
        var update = new Option<bool>("--update") { Description = "Replace the record of a registered provider instead (no stake)" };
        var register = new Command("register", "Register (or, with --update, update) this identity as a provider")
        {
            rpcUrl, keyFile, devAccount, registry, endpoint, payee, stake, offers, update,
        };
        register.SetAction(async (parse, ct) =>
        {
            var account = ContractCommand.Signer(parse.GetValue(keyFile), parse.GetValue(devAccount));
            var to = Address(parse.GetValue(registry)!, "--registry");
            var pay = parse.GetValue(payee) is { } p ? Address(p, "--payee") : account.Address;
            var url = parse.GetValue(endpoint)!;
            if (!Uri.TryCreate(url, UriKind.Absolute, out _)) throw new CliException("--endpoint is not an absolute URL");
            var parsed = parse.GetValue(offers)!.Select(ParseOffer).ToList();
            byte[] data;
            BigInteger value = 0;
            if (parse.GetValue(update))
                data = new UpdateFunction { Endpoint = url, Payee = pay.ToString(), Offers = RegistryLogs.ToStructs(parsed) }.GetCallData();
            else
            {
                value = Wei(parse.GetValue(stake)!, "--stake", allowZero: true);
                data = new RegisterFunction { Endpoint = url, Payee = pay.ToString(), Offers = RegistryLogs.ToStructs(parsed) }.GetCallData();
            }
            using var rpc = Rpc(parse.GetValue(rpcUrl)!);
            var receipt = await new TransactionSender(rpc, account)
                .SendAndWaitAsync(new TransactionRequest(to, data, value) { Abi = RegistryContract.Errors, Action = "register provider" }, ct);
            Console.WriteLine($"provider    {account.Address}");
            Console.WriteLine($"transaction {receipt.TransactionHash}");
            Console.WriteLine($"gas used    {receipt.GasUsed}");
            return 0;
        });
        return register;
    }

    private static Command CreateSimple(string name, string description, Func<byte[]> callData)
    {
        var (rpcUrl, keyFile, devAccount) = SignerOptions();
        var registry = new Option<string>("--registry") { Description = "The registry's address", Required = true };
        var command = new Command(name, description) { rpcUrl, keyFile, devAccount, registry };
        command.SetAction(async (parse, ct) =>
        {
            var account = ContractCommand.Signer(parse.GetValue(keyFile), parse.GetValue(devAccount));
            using var rpc = Rpc(parse.GetValue(rpcUrl)!);
            var receipt = await new TransactionSender(rpc, account).SendAndWaitAsync(
                new TransactionRequest(Address(parse.GetValue(registry)!, "--registry"), callData()) { Abi = RegistryContract.Errors, Action = name }, ct);
            Console.WriteLine($"transaction {receipt.TransactionHash}");
            return 0;
        });
        return command;
    }

    /// <summary>SERVICE:PRICE[:CURRENCY[:task|unit[:MAX_UNITS[:MAX_CONCURRENT]]]].</summary>
    internal static MarketOffer ParseOffer(string text)
    {
        var parts = text.Split(':');
        if (parts.Length is < 2 or > 6 || parts[0].Length == 0)
            throw new CliException($"--offer '{text}': expected SERVICE:PRICE[:CURRENCY[:task|unit[:MAX_UNITS[:MAX_CONCURRENT]]]]");
        var price = Wei(parts[1], $"--offer '{text}' price", allowZero: false);
        var currency = parts.Length > 2 && !parts[2].Equals("ETH", StringComparison.OrdinalIgnoreCase) ? Address(parts[2], $"--offer '{text}' currency") : EthereumAddress.Zero;
        var basis = parts.Length > 3 ? parts[3].ToLowerInvariant() switch
        {
            "task" => PriceBasis.PerTask,
            "unit" => PriceBasis.PerUnit,
            _ => throw new CliException($"--offer '{text}': the basis is 'task' or 'unit', not '{parts[3]}'"),
        } : PriceBasis.PerTask;
        var maxUnits = parts.Length > 4 ? Number<ulong>(parts[4], text) : 0UL;
        var maxConcurrent = parts.Length > 5 ? Number<uint>(parts[5], text) : 0U;
        return new MarketOffer(parts[0], currency, price, basis, maxUnits, maxConcurrent);
    }

    private static T Number<T>(string s, string offer) where T : IParsable<T> =>
        T.TryParse(s, CultureInfo.InvariantCulture, out var v) ? v : throw new CliException($"--offer '{offer}': '{s}' is not a valid count");

    internal static BigInteger Wei(string text, string what, bool allowZero)
    {
        if (!BigInteger.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v))
            throw new CliException($"{what}: '{text}' is not a whole number of wei");
        if (v.IsZero && !allowZero) throw new CliException($"{what} must be positive");
        return v;
    }

    internal static EthereumAddress Address(string text, string what) =>
        EthereumAddress.Problem(text) is { } problem ? throw new CliException($"{what}: {problem}") : EthereumAddress.Parse(text);

    internal static EthRpcClient Rpc(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var u) ? new EthRpcClient(u) : throw new CliException("--rpc-url is not an absolute URL");
}
