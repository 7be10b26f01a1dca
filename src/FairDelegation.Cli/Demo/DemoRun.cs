using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using FairDelegation.Chain.Accounts;
using FairDelegation.Chain.Crypto;
using FairDelegation.Chain.Dev;
using FairDelegation.Chain.Escrow;
using FairDelegation.Chain.Rpc;
using FairDelegation.Chain.Transactions;
using FairDelegation.Cli.Api;
using FairDelegation.Workflows;
using Microsoft.DurableTask.Client;
using FairDelegation.Node.Model;
using FairDelegation.Node.Provider;
using FairDelegation.Protocol.Agreements;
using FairDelegation.Protocol.Sla.Classifier;
using FairDelegation.Protocol.Stamps;
using Microsoft.Extensions.Logging;

namespace FairDelegation.Cli.Demo;

/// <summary>What `fairdelegation demo` was asked to do.</summary>
public sealed record DemoSettings(bool KeepRunning, string? RpcUrl, string? Azurite, double MinAccuracy, bool Verbose, string Backend = DurableBackend.Default);

/// <summary>
/// One complete fair delegation on this machine: anvil and Azurite (started, or the given endpoints), the escrow
/// deployed, a provider and a customer node in this process (each with its own SQLite databases, key store, blob
/// container and wallet), train-classifier on the bundled dataset under an accuracy SLA, followed step by step, then
/// the outcome checked: wage moved, gas per transaction, the stamp, the model's accuracy on the hidden test set.
/// </summary>
public static class DemoRun
{
    private static readonly BigInteger Wage = BigInteger.Parse("250000000000000000", CultureInfo.InvariantCulture); // 0.25 ETH

    public static async Task<int> RunAsync(DemoSettings s, CancellationToken ct)
    {
        var total = Stopwatch.StartNew();
        Console.WriteLine("FairDelegation demo: one fair delegation of train-classifier between a customer node and a provider node");
        var dataDirectory = Directory.CreateTempSubdirectory("fd-demo-").FullName;
        LocalAnvil? anvil = null;
        LocalAzurite? azurite = null;
        InProcessNode? provider = null, customer = null;
        try
        {
            // The chain and the blob service.
            string rpcUrl;
            if (s.RpcUrl is null)
            {
                anvil = await LocalAnvil.StartAsync(ct: ct);
                rpcUrl = anvil.RpcUrl.ToString().TrimEnd('/');
                Console.WriteLine($"  anvil     {rpcUrl} (started from node_modules, automine)");
            }
            else
            {
                rpcUrl = s.RpcUrl;
                Console.WriteLine($"  anvil     {rpcUrl} (given)");
            }
            string blobConnection, storageConnection;
            if (s.Azurite is null)
            {
                azurite = await LocalAzurite.StartAsync(ct);
                blobConnection = azurite.ConnectionString;
                storageConnection = azurite.StorageConnectionString;
                Console.WriteLine($"  azurite   {azurite.BlobEndpoint} (started from node_modules, in memory)");
            }
            else
            {
                blobConnection = s.Azurite.Contains('=') ? s.Azurite : LocalAzurite.ConnectionStringFor(s.Azurite);
                storageConnection = blobConnection;
                Console.WriteLine("  azurite   given endpoint");
            }

            using var rpc = new EthRpcClient(rpcUrl);
            BigInteger chainId;
            try { chainId = await rpc.ChainIdAsync(ct); }
            catch (NodeUnreachableException e) { throw new CliException($"the chain at {rpcUrl} does not answer: {e.Message}"); }
            var deployer = new TransactionSender(rpc, LocalAnvil.DevAccount(0));
            var (escrow, deployment) = await EscrowContract.DeployAsync(deployer, ct);
            Console.WriteLine($"  escrow    {escrow.Address.ToLowerHex()} deployed in block {deployment.BlockNumber} ({Gas(deployment.GasUsed)} gas, once for all delegations)");

            // Two nodes, each with its own data directory, blob container and wallet (anvil dev accounts 1 and 2).
            var customerWallet = LocalAnvil.DevAccount(1);
            var providerWallet = LocalAnvil.DevAccount(2);
            var payee = EthAccount.Generate().Address; // a fresh address: its balance moves by the wage only
            var apiKey = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
            var logLevel = s.Verbose ? LogLevel.Information : LogLevel.None;
            var demo = new DemoChain(rpcUrl, chainId, escrow.Address, deployment.BlockNumber, blobConnection, storageConnection, s.Backend);
            Dictionary<string, string?> Settings(string role, EthAccount wallet) =>
                demo.NodeSettings(role, "demo-" + role, Path.Combine(dataDirectory, role), wallet, Wage, apiKey);
            var providerSettings = Settings("provider", providerWallet);
            providerSettings["FairDelegation:Wallet:PayeeAddress"] = payee.ToLowerHex();
            provider = await InProcessNode.StartAsync(providerSettings, logLevel, ct: ct);
            Console.WriteLine($"  provider  {provider.Url}  wallet {providerWallet.Address.ToLowerHex()}  payee {payee.ToLowerHex()}  offers train-classifier for {Eth(Wage)}");
            var tap = new DeliveryTap();
            customer = await InProcessNode.StartAsync(Settings("customer", customerWallet), logLevel, configure: tap.Attach, ct: ct);
            Console.WriteLine($"  customer  {customer.Url}  wallet {customerWallet.Address.ToLowerHex()}");
            Console.WriteLine($"  dashboard {customer.Url}/dashboard  (sign in with this run's API key {apiKey}; --keep-running leaves it up after the run)");
            Console.WriteLine($"  data      two Gaussian blobs: 200 training rows go to the provider; 100 hidden test rows stay in the verifier; SLA accuracy >= {s.MinAccuracy:0.##}");

            var customerBefore = await rpc.GetBalanceAsync(customerWallet.Address, ct: ct);
            var payeeBefore = await rpc.GetBalanceAsync(payee, ct: ct);

            // Start it through the customer's HTTP API, as a user would.
            using var api = new NodeApiClient(customer.Url, apiKey);
            var started = await api.StartAsync(new JsonObject
            {
                ["providerUrl"] = provider.Url,
                ["service"] = "train-classifier",
                ["input"] = new JsonObject { ["text"] = DemoDataset.Training },
                ["sla"] = new JsonObject { ["kind"] = "classifier-accuracy", ["minAccuracy"] = s.MinAccuracy },
                ["assets"] = new JsonObject { ["test-set"] = new JsonObject { ["text"] = DemoDataset.HiddenTestSet } },
                ["wageWei"] = Wage.ToString(CultureInfo.InvariantCulture),
            }, ct);
            var id = started.GetProperty("id").GetString()!;
            Console.WriteLine($"delegation {id}: 202 Accepted from POST {customer.Url}/api/delegations; steps as they happen:");
            var providerDurable = provider.Get<DurableTaskClient>();
            var view = await DelegationFollower.FollowAsync(api, id, TimeSpan.FromSeconds(180), ct, async (v, c) =>
            {
                if (v.TryGetProperty("agreementId", out var a) && a.GetString() is { } agreementId
                    && await providerDurable.GetInstanceAsync(Quote.InstanceId(agreementId), true, c) is { } meta
                    && meta.ReadCustomStatusAs<StepStatus>() is { } step)
                    return step.Step == "end" ? $"ended {step.Name}" + (step.Detail is null ? "" : ": " + step.Detail) : step + (step.Detail is null ? "" : ": " + step.Detail);
                return null;
            }, pollInterval: TimeSpan.FromMilliseconds(15));

            // The outcome on both sides.
            Console.WriteLine("outcome");
            var outcome = view.TryGetProperty("outcome", out var o) ? o.GetString() : null;
            var agreement = view.TryGetProperty("agreementId", out var ag) ? ag.GetString() : null;
            DelegationOutcome? providerOutcome = null;
            if (agreement is not null)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
                wait.CancelAfter(TimeSpan.FromSeconds(60));
                var meta = await providerDurable.WaitForInstanceCompletionAsync(Quote.InstanceId(agreement), true, wait.Token);
                providerOutcome = meta.ReadOutputAs<DelegationOutcome>();
            }
            Console.WriteLine($"  customer: {outcome ?? view.GetProperty("runtimeStatus").GetString()}   provider: {providerOutcome?.Status.ToString() ?? "-"}");
            if (outcome != "Completed" || providerOutcome?.Status != DelegationStatus.Completed)
            {
                var reason = view.TryGetProperty("reason", out var r) && r.GetString() is { } why ? why : providerOutcome?.Reason ?? "unknown";
                throw new CliException($"the delegation did not complete: {reason}");
            }

            // Money: the payee got the wage; the customer paid the wage and its gas.
            var customerAfter = await rpc.GetBalanceAsync(customerWallet.Address, ct: ct);
            var payeeAfter = await rpc.GetBalanceAsync(payee, ct: ct);
            var transactions = view.GetProperty("transactions").EnumerateArray().ToList();
            var customerFees = transactions.Aggregate(BigInteger.Zero, (sum, t) => sum + BigInteger.Parse(t.GetProperty("feeWei").GetString()!, CultureInfo.InvariantCulture));
            if (payeeAfter - payeeBefore != Wage) throw new CliException($"the payee received {payeeAfter - payeeBefore} wei, not the wage {Wage}");
            if (customerBefore - customerAfter != Wage + customerFees) throw new CliException("the customer's balance did not fall by exactly the wage plus its gas");
            Console.WriteLine($"  wage moved: {Eth(payeeAfter - payeeBefore)} from the customer to the provider's payee ({payeeAfter - payeeBefore} wei, exactly the agreed wage)");
            Console.WriteLine($"    customer wallet {Short(customerWallet.Address)}  {Eth(customerBefore)} -> {Eth(customerAfter)}  (the wage + {customerFees} wei of gas)");
            Console.WriteLine($"    provider payee  {Short(payee)}  {Eth(payeeBefore)} -> {Eth(payeeAfter)}");

            Console.WriteLine("  gas per transaction:");
            foreach (var t in transactions)
                Console.WriteLine($"    {t.GetProperty("step").GetString(),-12} customer  {Gas(BigInteger.Parse(t.GetProperty("gasUsed").GetString()!, CultureInfo.InvariantCulture)),9} gas  fee {Eth(BigInteger.Parse(t.GetProperty("feeWei").GetString()!, CultureInfo.InvariantCulture))}  {t.GetProperty("hash").GetString()}");
            foreach (var t in providerOutcome.Transactions)
                Console.WriteLine($"    {t.Step,-12} provider  {Gas(t.GasUsed),9} gas  fee {Eth(t.Fee)}  {t.Hash}");

            // The stamp, checked here independently of the customer node: signed by pk_c over the H(w') that went into the escrow.
            var terms = AgreementTerms.FromJson(view.GetProperty("terms").GetRawText());
            if (tap.Stamp is null) throw new CliException("the demo did not see the stamp being delivered");
            var stamp = Stamp.FromJson(tap.Stamp);
            var signer = stamp.RecoverSigner(terms.ChainId, terms.Escrow);
            var workHash = view.GetProperty("workHash").GetString();
            var stampValid = signer == terms.VerifierKey && stamp.WorkHash.ToHex() == workHash && stamp.AgreementId == terms.AgreementId
                             && stamp.WorkKey == terms.WorkKey && stamp.Wage == terms.Wage;
            Console.WriteLine($"  stamp: {(stampValid ? "valid" : "INVALID")}: signed by the verifier key {Short(signer)} (pk_c: {Short(terms.VerifierKey)}) over H(w') {workHash}, the hash in the escrow");
            if (!stampValid) throw new CliException("the stamp does not check");

            // The work: the model the customer decrypted, scored on the hidden test set.
            var model = LinearModel.FromJson(System.Text.Encoding.UTF8.GetString(await api.ResultAsync(id, ct)));
            var (accuracy, correct, count) = ClassifierEvaluator.Accuracy(model, CsvDataset.Parse(DemoDataset.HiddenTestSet));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  model: accuracy {accuracy:0.000} ({correct}/{count}) on the hidden test set (SLA >= {s.MinAccuracy:0.##}); weights [{string.Join(", ", model.Weights.Select(w => w.ToString("0.###", CultureInfo.InvariantCulture)))}], bias {model.Bias:0.###}"));
            if (accuracy < s.MinAccuracy) throw new CliException("the model does not meet the SLA");

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"demo succeeded in {total.Elapsed.TotalSeconds:0.0} s"));
            if (s.KeepRunning)
            {
                Console.WriteLine("keeping everything running; Ctrl+C stops it. Try:");
                Console.WriteLine($"  {customer.Url}/dashboard in a browser (API key {apiKey}); the provider's side: {provider.Url}/dashboard");
                Console.WriteLine($"  curl -H 'X-Api-Key: {apiKey}' {customer.Url}/api/delegations/{id}");
                Console.WriteLine($"  curl {customer.Url}/health/ready    (OpenAPI: {customer.Url}/openapi/v1.json)");
                try { await Task.Delay(Timeout.Infinite, ct); }
                catch (OperationCanceledException) { Console.WriteLine("stopping"); }
            }
            return 0;
        }
        finally
        {
            if (customer is not null) await customer.DisposeAsync();
            if (provider is not null) await provider.DisposeAsync();
            if (azurite is not null) await azurite.DisposeAsync();
            if (anvil is not null) await anvil.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(dataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static string Short(EthereumAddress a) => a.ToLowerHex();

    private static string Gas(BigInteger gas) => gas.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>Wei as ETH with 6 decimals (rounded down).</summary>
    public static string Eth(BigInteger wei)
    {
        var sign = wei.Sign < 0 ? "-" : "";
        var whole = BigInteger.DivRem(BigInteger.Abs(wei), BigInteger.Pow(10, 18), out var rest);
        return $"{sign}{whole}.{(rest / BigInteger.Pow(10, 12)).ToString(CultureInfo.InvariantCulture).PadLeft(6, '0')} ETH";
    }
}
