using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FairDelegation.Chain.Accounts;
using FairDelegation.Chain.Crypto;
using FairDelegation.Chain.Dev;
using FairDelegation.Chain.Escrow;
using FairDelegation.Chain.Rpc;
using FairDelegation.Chain.Transactions;
using FairDelegation.Cli.Demo;
using FairDelegation.Workflows;
using Microsoft.DurableTask.Client;
using FairDelegation.Node.Model;
using FairDelegation.Node.Services;
using FairDelegation.Protocol.Encryption;
using FairDelegation.Protocol.Keys;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FairDelegation.Cli.Commands;

/// <summary>
/// `fairdelegation bench delegations`: M delegations, C at a time, between two in-process nodes on anvil (automine) and
/// Azurite, with a trivial service (echo). End-to-end latency (POST to the customer API until the customer's
/// orchestration has ended Completed) p50/p95 and delegations per second; time in chain RPC, blob storage and peer
/// HTTP calls (every HttpClient call, timed by the System.Net.Http ActivitySource and classed by port), crypto estimated
/// from the same operations timed alone; next to the baseline: the escrow's two transactions (open, claim) sent back
/// to back with the same binding, measured in the same run.
/// </summary>
public static class BenchDelegationsCommand
{
    public static Command Create()
    {
        var count = new Option<int>("--count") { Description = "Delegations measured (M)", DefaultValueFactory = _ => 100 };
        var concurrency = new Option<int>("--concurrency") { Description = "Delegations in flight at once (C)", DefaultValueFactory = _ => 10 };
        var baseline = new Option<int>("--baseline") { Description = "open+claim pairs in the baseline", DefaultValueFactory = _ => 30 };
        var warmupOption = new Option<int>("--warmup") { Description = "Delegations run before measuring at least (JIT, pools); then more, in rounds, until the JIT settles", DefaultValueFactory = _ => 20 };
        var blobs = new Option<string>("--blobs") { Description = "The nodes' blob stores: azurite (Azure Blob on Azurite, the default) or filesystem", DefaultValueFactory = _ => "azurite" };
        blobs.AcceptOnlyFromAmong("azurite", "filesystem");
        var backend = new Option<string>("--backend") { Description = "The workflows' backend", DefaultValueFactory = _ => DurableBackend.Default };
        backend.AcceptOnlyFromAmong([.. DurableBackend.Names]);
        var keepData = new Option<bool>("--keep-data") { Description = "Keep the nodes' data directory (engine databases, blobs) for inspection" };
        var jitMethods = new Option<int>("--jit-methods") { Description = "List the N methods the JIT compiled most in the measured phase (runtime events; adds their cost)" };
        var command = new Command("delegations", "End-to-end delegations: p50/p95 latency and delegations/s with a breakdown, vs the raw open+claim transactions");
        foreach (var o in new Option[] { count, concurrency, baseline, warmupOption, blobs, backend, keepData, jitMethods }) command.Options.Add(o);
        command.SetAction(async (parse, ct) =>
        {
            var m = parse.GetValue(count);
            var c = parse.GetValue(concurrency);
            var b = parse.GetValue(baseline);
            if (m < 1) throw new CliException("--count must be at least 1");
            if (c < 1 || c > m) throw new CliException("--concurrency must be between 1 and --count");
            if (b < 1) throw new CliException("--baseline must be at least 1");
            if (parse.GetValue(warmupOption) < 0) throw new CliException("--warmup must not be negative");
            if (parse.GetValue(jitMethods) < 0) throw new CliException("--jit-methods must not be negative");
            await RunAsync(m, c, b, parse.GetValue(warmupOption), parse.GetValue(blobs) == "filesystem", parse.GetValue(backend)!, parse.GetValue(keepData), parse.GetValue(jitMethods), ct);
            return 0;
        });
        return command;
    }

    /// <summary>The trivial service: the work is the input, copied.</summary>
    private sealed class EchoService : IDelegationService
    {
        public string Name => "echo";

        public Task ProduceAsync(ServiceRun run, CancellationToken cancellationToken)
        {
            File.Copy(run.InputPath, run.OutputPath);
            return Task.CompletedTask;
        }
    }

    /// <summary>Sums the duration of outgoing HTTP calls by destination port.</summary>
    private sealed class HttpTimes : IDisposable
    {
        private readonly ActivityListener _listener;
        private readonly ConcurrentDictionary<int, long> _ticks = new();
        private readonly ConcurrentDictionary<int, long> _calls = new();

        public HttpTimes()
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = s => s.Name == "System.Net.Http",
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
                ActivityStopped = a =>
                {
                    if (Port(a) is not { } port) return;
                    _ticks.AddOrUpdate(port, a.Duration.Ticks, (_, t) => t + a.Duration.Ticks);
                    _calls.AddOrUpdate(port, 1, (_, n) => n + 1);
                    _byRoute.AddOrUpdate((port, Route(a)), 1, (_, n) => n + 1);
                },
            };
            ActivitySource.AddActivityListener(_listener);
        }

        private static int? Port(Activity a)
        {
            if (a.GetTagItem("server.port") is int p) return p;
            return a.GetTagItem("url.full") is string url && Uri.TryCreate(url, UriKind.Absolute, out var u) ? u.Port : null;
        }

        private readonly ConcurrentDictionary<(int Port, string Route), long> _byRoute = new();

        /// <summary>"GET /container/agreements/*/input": the method and the path with ids and hashes replaced by *.</summary>
        private static string Route(Activity a)
        {
            var method = a.GetTagItem("http.request.method") as string ?? "?";
            if (a.GetTagItem("url.full") is not string url || !Uri.TryCreate(url, UriKind.Absolute, out var u)) return method;
            var segments = u.AbsolutePath.Split('/').Select(x => x.Length >= 16 || x.Any(char.IsDigit) && x.Length > 6 ? "*" : x);
            var query = u.Query.Contains("comp=", StringComparison.Ordinal) ? " " + string.Join('&', u.Query.TrimStart('?').Split('&').Where(q => q.StartsWith("comp=", StringComparison.Ordinal))) : "";
            return $"{method} {string.Join('/', segments)}{query}";
        }

        /// <summary>Calls per route to the given ports, most frequent first.</summary>
        public IEnumerable<(string Route, long Calls)> Routes(params int[] ports) =>
            _byRoute.Where(kv => ports.Contains(kv.Key.Port)).Select(kv => (kv.Key.Route, kv.Value)).OrderByDescending(x => x.Value);

        public void Reset()
        {
            _ticks.Clear();
            _calls.Clear();
            _byRoute.Clear();
        }

        public (TimeSpan Time, long Calls) For(params int[] ports) =>
            (TimeSpan.FromTicks(ports.Sum(p => _ticks.GetValueOrDefault(p))), ports.Sum(p => _calls.GetValueOrDefault(p)));

        public void Dispose() => _listener.Dispose();
    }

    private static async Task RunAsync(int m, int c, int pairs, int warmup, bool fileSystemBlobs, string backend, bool keepData, int jitMethods, CancellationToken ct)
    {
        using var jit = jitMethods > 0 ? new JitTally() : null;
        Console.WriteLine($"delegations benchmark: {m} delegations of a trivial service (echo), {c} at a time; anvil (automine) + {(fileSystemBlobs ? "file-system blob stores" : "Azurite")}; workflows on {backend}; {Environment.ProcessorCount} cores");
        using var http = new HttpTimes();
        using var rpcMethods = new RpcMethodTally();
        var dataDirectory = Directory.CreateTempSubdirectory("fd-bench-delegations-").FullName;
        await using var anvil = await LocalAnvil.StartAsync(ct: ct);
        await using var workflowStorage = fileSystemBlobs && backend != DurableBackend.AzureStorage ? null : await LocalAzurite.StartAsync(ct);
        var azurite = fileSystemBlobs ? null : workflowStorage;
        InProcessNode? provider = null, customer = null;
        try
        {
            using var rpc = new EthRpcClient(anvil.RpcUrl);
            var (escrow, deployment) = await EscrowContract.DeployAsync(new TransactionSender(rpc, LocalAnvil.DevAccount(0)), ct);
            var apiKey = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            Dictionary<string, string?> Settings(string role, int account) => new()
            {
                ["FairDelegation:Role"] = role,
                ["FairDelegation:DataDirectory"] = Path.Combine(dataDirectory, role),
                ["FairDelegation:Chain:RpcUrl"] = anvil.RpcUrl.ToString(),
                ["FairDelegation:Chain:EscrowAddress"] = escrow.Address.ToLowerHex(),
                ["FairDelegation:Chain:Confirmations"] = "1",
                ["FairDelegation:Chain:PollInterval"] = "00:00:00.050",
                ["FairDelegation:Chain:WatchFromBlock"] = deployment.BlockNumber.ToString(CultureInfo.InvariantCulture),
                ["FairDelegation:Wallet:PrivateKey"] = Hex.Encode(LocalAnvil.DevAccount(account).ExportPrivateKey()),
                ["FairDelegation:Blobs:Kind"] = azurite is null ? "FileSystem" : "AzureBlob",
                ["FairDelegation:Blobs:ConnectionString"] = azurite?.ConnectionString,
                ["FairDelegation:Blobs:Container"] = azurite is null ? null : "bench-" + role,
                ["FairDelegation:Timeouts:DeadlineCheck"] = "00:00:05",
                ["FairDelegation:Provider:Services:echo:Kind"] = "registered",
                ["FairDelegation:Provider:Services:echo:WageWei"] = "1000",
                ["FairDelegation:Api:ApiKey"] = apiKey,
                ["FairDelegation:Durable:Backend"] = backend,
                ["FairDelegation:Durable:AzureStorage:ConnectionString"] = workflowStorage?.StorageConnectionString,
                ["FairDelegation:Durable:AzureStorage:TaskHubName"] = "bench" + role,
                ["FairDelegation:Durable:AzureStorage:PartitionCount"] = "1",
            };
            provider = await InProcessNode.StartAsync(Settings("provider", 2), LogLevel.None, s => s.AddSingleton<IDelegationService, EchoService>(), ct: ct);
            customer = await InProcessNode.StartAsync(Settings("customer", 1), LogLevel.None, ct: ct);
            var durable = customer.Get<DurableTaskClient>();
            using var client = new HttpClient { BaseAddress = new Uri(customer.Url) };
            client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);

            // The driver's polls share the nodes' CPU: one read every 5 ms overall, whatever the concurrency. The latency is
            // not the poll's but the engine's own record: the final episode's commit time (last updated) minus the start.
            var poll = TimeSpan.FromMilliseconds(5 * c);
            async Task<TimeSpan> OneAsync(int i)
            {
                var watch = Stopwatch.StartNew();
                var startedAt = DateTimeOffset.UtcNow;
                var body = JsonSerializer.Serialize(new
                {
                    providerUrl = provider.Url, service = "echo", input = new { text = $"hello, delegation {i}" },
                    sla = new { kind = "max-bytes", maxBytes = 1024 }, wageWei = "1000",
                });
                using var response = await client.PostAsync("/api/delegations", new StringContent(body, Encoding.UTF8, "application/json"), ct);
                if (!response.IsSuccessStatusCode) throw new CliException($"POST /api/delegations answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
                var id = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("id").GetString()!;
                while (true)
                {
                    var meta = await durable.GetInstanceAsync(id, false, ct);
                    if (meta is { IsCompleted: true })
                    {
                        var elapsed = meta.LastUpdatedAt - startedAt;
                        var outcome = (await durable.GetInstanceAsync(id, true, ct))!.ReadOutputAs<DelegationOutcome>();
                        if (outcome?.Status != DelegationStatus.Completed)
                            throw new CliException($"delegation {id} ended {meta.RuntimeStatus} / {outcome?.Status}: {outcome?.Reason ?? meta.FailureDetails?.ErrorMessage}");
                        return elapsed;
                    }
                    if (watch.Elapsed > TimeSpan.FromMinutes(2))
                        throw new CliException($"delegation {id} did not end within 2 minutes (status {meta?.RuntimeStatus.ToString() ?? "not found"}, custom status {meta?.SerializedCustomStatus ?? "none"}); " +
                            $"the provider's unfinished orchestrations: {await UnfinishedAsync(provider.Get<DurableTaskClient>(), ct)}");
                    await Task.Delay(poll, ct);
                }
            }

            // Warm-up (JIT and tiered compilation, connection pools, containers): not measured. A few delegations leave the
            // runtime still compiling (a profile showed the JIT thread at a quarter of the CPU after 3), hence --warmup; and
            // the tier-1 promotion of a node's few thousand methods takes longer than 20 delegations on a loaded machine, so
            // after --warmup it goes on in rounds until a round compiles fewer than SettledJit methods per delegation (at most
            // MaxExtraWarmup more): the measured phase is the steady state a long-running node is in.
            const double SettledJit = 5;
            const int MaxExtraWarmup = 300;
            var warmWidth = Math.Min(c, Math.Max(1, warmup));
            Console.WriteLine($"  nodes up (customer {customer.Url}, provider {provider.Url}); warming up with at least {warmup} delegations, {warmWidth} at a time, until the JIT settles");
            var nextWarm = 0;
            async Task WarmAsync(int upTo) => await Task.WhenAll(Enumerable.Range(0, warmWidth).Select(async _ =>
            {
                int w;
                while ((w = Interlocked.Increment(ref nextWarm)) <= upTo) await OneAsync(-w);
            }));
            await WarmAsync(warmup);
            var warmed = warmup;
            var lastRoundJit = double.NaN;
            if (warmup > 0)
            {
                var round = Math.Max(10, c);
                while (warmed < warmup + MaxExtraWarmup)
                {
                    var jitBefore = System.Runtime.JitInfo.GetCompiledMethodCount();
                    nextWarm = warmed;
                    await WarmAsync(warmed + round);
                    warmed += round;
                    lastRoundJit = (double)(System.Runtime.JitInfo.GetCompiledMethodCount() - jitBefore) / round;
                    if (lastRoundJit < SettledJit) break;
                }
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  warm-up: {warmed} delegations; the last round compiled {lastRoundJit:0.0} methods per delegation"));

            http.Reset();
            var cpuBefore = CpuByProcess();
            var runtimeBefore = RuntimeWork.Now();
            var enginesBefore = EngineWork.Of(customer, provider);
            rpcMethods.Reset();
            jit?.Start();
            var latencies = new ConcurrentBag<TimeSpan>();
            var next = -1;
            var wall = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, c).Select(async _ =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < m)
                {
                    latencies.Add(await OneAsync(i));
                    var done = latencies.Count;
                    if (done % Math.Max(1, m / 4) == 0) Console.WriteLine($"  {done}/{m} delegations completed ({wall.Elapsed.TotalSeconds:0.0} s)");
                }
            }));
            wall.Stop();
            jit?.Stop();
            var cpuUsed = CpuByProcess().Select(kv => (kv.Key, Used: kv.Value - cpuBefore.GetValueOrDefault(kv.Key))).ToList();
            var runtimeWork = RuntimeWork.Now() - runtimeBefore;
            var engineWork = EngineWork.Of(customer, provider) - enginesBefore;
            var chain = http.For(anvil.Port);
            int[] blobPorts = azurite is null ? [] : [new Uri(azurite.BlobEndpoint).Port];
            int[] peerPorts = [new Uri(provider.Url).Port, new Uri(customer.Url).Port];
            var storage = http.For(blobPorts);
            var storageRoutes = http.Routes(blobPorts).ToList();
            var peer = http.For(peerPorts);
            var peerRoutes = http.Routes(peerPorts).ToList();
            var chainMethods = rpcMethods.PerItem(m);

            // Baseline, same run: the escrow's two transactions back to back (open by one account, claim by another).
            Console.WriteLine($"  baseline: {pairs} escrow open + claim pairs; then the crypto estimate");
            var baseline = await OpenClaimPairsAsync(rpc, escrow, pairs, ct);
            var crypto = CryptoPerDelegation(ct);
            var chainPath = await ChainPath.MeasureAsync(anvil.RpcUrl, escrow.Address, pairs, ct);

            var sorted = latencies.Order().ToList();
            var p50 = Percentile(sorted, 0.50);
            var p95 = Percentile(sorted, 0.95);
            var rate = m / wall.Elapsed.TotalSeconds;
            var b50 = Percentile(baseline, 0.50);
            var b95 = Percentile(baseline, 0.95);
            string Ms(TimeSpan t) => t.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture) + " ms";
            string PerDelegation((TimeSpan Time, long Calls) x) =>
                $"{Ms(x.Time / m),10} per delegation ({(double)x.Calls / m:0.0} calls, {x.Time.TotalMilliseconds / Math.Max(1, x.Calls):0.00} ms each)";
            Console.WriteLine();
            Console.WriteLine($"end to end (POST /api/delegations -> customer orchestration Completed), {m} delegations, {c} in flight:");
            Console.WriteLine($"  p50 {Ms(p50)}   p95 {Ms(p95)}   {rate:0.0} delegations/s   (wall {wall.Elapsed.TotalSeconds:0.00} s)");
            Console.WriteLine($"baseline (same run): escrow open + claim sent back to back, {pairs} pairs, one at a time:");
            Console.WriteLine($"  p50 {Ms(b50)}   p95 {Ms(b95)}   {1000 / b50.TotalMilliseconds:0.0} pairs/s");
            Console.WriteLine($"ratio: delegation p50 / open+claim p50 = {p50 / b50:0.0}x");
            Console.WriteLine(chainPath);
            Console.WriteLine("where the time goes (summed over calls, which overlap; averaged per delegation):");
            Console.WriteLine($"  chain RPC (anvil)        {PerDelegation(chain)}  [includes both nodes' watcher polls]");
            Console.WriteLine($"    JSON-RPC calls by method, per delegation: {chainMethods}");
            if (azurite is not null) Console.WriteLine($"  blob storage (Azurite)   {PerDelegation(storage)}");
            else Console.WriteLine("  blob storage             file system: not timed (in engine + the rest)");
            Console.WriteLine($"  peer HTTP (node to node) {PerDelegation(peer)}  [includes the receiving node's handling]");
            foreach (var (route, calls) in storageRoutes) Console.WriteLine($"      blob  {(double)calls / m,5:0.0} x {route}");
            foreach (var (route, calls) in peerRoutes) Console.WriteLine($"      peer  {(double)calls / m,5:0.0} x {route}");
            Console.WriteLine($"  crypto (estimated)       {Ms(crypto),10} per delegation  [3 key pairs, 9 ECDSA signs, 7 recoveries, encrypt + decrypt of the work, timed alone]");
            Console.WriteLine($"  engine + the rest        {Ms(p50 - (chain.Time + storage.Time) / m - crypto),10} at p50  [p50 minus chain, storage and crypto: the durable engine's scheduling and SQLite commits, timers, waits between polls]");
            Console.WriteLine($"CPU per delegation (measured phase; {Environment.ProcessorCount} cores, load average {LoadAverage()}): " +
                string.Join(", ", cpuUsed.Select(x => $"{x.Key} {Ms(x.Used / m)}")) + $"; total {Ms(cpuUsed.Aggregate(TimeSpan.Zero, (sum, x) => sum + x.Used) / m)}");
            Console.WriteLine($"JIT and GC in the measured phase (this process): {runtimeWork.Per(m)}");
            if (jit is not null)
            {
                Console.WriteLine($"  JIT compilations by tier, per delegation: {string.Join(", ", jit.ByTier(m))}; most compiled:");
                foreach (var line in jit.Top(jitMethods, m)) Console.WriteLine("    " + line);
                Console.WriteLine("  allocated per delegation by type (sampled every ~100 KB):");
                foreach (var line in jit.TopAllocated(jitMethods, m)) Console.WriteLine("    " + line);
            }
            if (engineWork.Episodes > 0) Console.WriteLine($"engine (both nodes, sqlite provider): {engineWork.Per(m)}");
            Console.WriteLine($"targets: p50 <= 300 ms: {(p50.TotalMilliseconds <= 300 ? "met" : "NOT met")}; >= 20 delegations/s: {(rate >= 20 ? "met" : "NOT met")}");
        }
        finally
        {
            if (customer is not null) await customer.DisposeAsync();
            if (provider is not null) await provider.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (keepData) Console.WriteLine($"  data kept in {dataDirectory}");
            else try { Directory.Delete(dataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>Up to 5 orchestrations not yet ended, with their step (custom status): where a stalled delegation stands.</summary>
    private static async Task<string> UnfinishedAsync(DurableTaskClient client, CancellationToken ct)
    {
        var query = new OrchestrationQuery
        {
            Statuses = [OrchestrationRuntimeStatus.Running, OrchestrationRuntimeStatus.Pending, OrchestrationRuntimeStatus.Suspended],
            FetchInputsAndOutputs = true,
            PageSize = 5,
        };
        var found = new List<string>();
        await foreach (var m in client.GetAllInstancesAsync(query).WithCancellation(ct))
        {
            found.Add($"{m.InstanceId} {m.RuntimeStatus} {m.SerializedCustomStatus ?? "(no custom status)"}");
            if (found.Count == 5) break;
        }
        return found.Count == 0 ? "none" : string.Join("; ", found);
    }

    /// <summary>
    /// CPU time used so far by this process (both nodes) and by each child process (anvil, Azurite's node), from
    /// /proc on Linux; only this process elsewhere.
    /// </summary>
    private static Dictionary<string, TimeSpan> CpuByProcess()
    {
        var cpu = new Dictionary<string, TimeSpan> { ["nodes + bench driver (this process)"] = Process.GetCurrentProcess().TotalProcessorTime };
        if (!OperatingSystem.IsLinux()) return cpu;
        var self = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                // pid (comm) state ppid ... utime stime: fields after the closing parenthesis.
                var close = stat.LastIndexOf(')');
                var fields = stat[(close + 2)..].Split(' ');
                if (fields[1] != self) continue;
                var comm = stat[(stat.IndexOf('(') + 1)..close];
                var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                var name = comm == "node" ? "azurite" : comm;
                cpu[name] = cpu.GetValueOrDefault(name) + TimeSpan.FromSeconds(ticks / 100.0); // USER_HZ is 100 on Linux
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException) { }
        }
        return cpu;
    }

    /// <summary>
    /// What the runtime itself did in this process: methods compiled (first compilations, tier-ups, dynamic methods) and
    /// time in the JIT, garbage collections and bytes allocated. A measured phase that still compiles is not steady state.
    /// </summary>
    private readonly record struct RuntimeWork(long JitMethods, TimeSpan JitTime, int Gen0, int Gen1, int Gen2, long Allocated)
    {
        public static RuntimeWork Now() => new(System.Runtime.JitInfo.GetCompiledMethodCount(), System.Runtime.JitInfo.GetCompilationTime(),
            GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalAllocatedBytes());

        public static RuntimeWork operator -(RuntimeWork a, RuntimeWork b) =>
            new(a.JitMethods - b.JitMethods, a.JitTime - b.JitTime, a.Gen0 - b.Gen0, a.Gen1 - b.Gen1, a.Gen2 - b.Gen2, a.Allocated - b.Allocated);

        public string Per(int m) => string.Create(CultureInfo.InvariantCulture,
            $"{(double)JitMethods / m:0.0} methods compiled per delegation ({JitTime.TotalMilliseconds / m:0.0} ms in the JIT, wall); " +
            $"{(double)Allocated / m / 1024:0} KiB allocated per delegation; GCs gen0/1/2 {Gen0}/{Gen1}/{Gen2}");
    }

    /// <summary>The SQLite provider's own counters, summed over both nodes (zero on other backends).</summary>
    private readonly record struct EngineWork(long Episodes, long Activities, long HistoryReads, long Commits, long Writes)
    {
        public static EngineWork Of(params InProcessNode[] nodes)
        {
            var sum = new EngineWork();
            foreach (var node in nodes)
            {
                if (node.Get<DurableTask.Core.IOrchestrationService>() is not FairDelegation.Durable.Sqlite.SqliteOrchestrationService s) continue;
                var (commits, writes) = s.WriterStatistics;
                sum = new EngineWork(sum.Episodes + s.EpisodesCompleted, sum.Activities + s.ActivitiesCompleted, sum.HistoryReads + s.HistoryReads,
                    sum.Commits + commits, sum.Writes + writes);
            }
            return sum;
        }

        public static EngineWork operator -(EngineWork a, EngineWork b) =>
            new(a.Episodes - b.Episodes, a.Activities - b.Activities, a.HistoryReads - b.HistoryReads, a.Commits - b.Commits, a.Writes - b.Writes);

        public string Per(int m) => string.Create(CultureInfo.InvariantCulture,
            $"per delegation {(double)Episodes / m:0.0} episodes, {(double)Activities / m:0.0} activities, {(double)HistoryReads / m:0.00} history reads, " +
            $"{(double)Commits / m:0.0} commits holding {(double)Writes / m:0.0} writes");
    }

    private static string LoadAverage()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "?"; }
    }

    private static async Task<List<TimeSpan>> OpenClaimPairsAsync(EthRpcClient rpc, EscrowContract escrow, int pairs, CancellationToken ct)
    {
        var customer = new TransactionSender(rpc, LocalAnvil.DevAccount(3));
        var provider = new TransactionSender(rpc, LocalAnvil.DevAccount(4));
        var payee = EthAccount.Generate().Address;
        var times = new List<TimeSpan>();
        for (var i = 0; i < pairs + 2; i++)
        {
            var sk = NewPrivateKey();
            var workKey = EthereumAddress.FromPrivateKey(sk);
            var deadline = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
            var watch = Stopwatch.StartNew();
            var (terms, _) = await escrow.OpenAsync(customer, new EscrowOpening(RandomNumberGenerator.GetBytes(32), payee, workKey,
                RandomNumberGenerator.GetBytes(32), new BigInteger(1000), deadline), ct);
            await escrow.ClaimAsync(provider, terms, sk, ct);
            if (i >= 2) times.Add(watch.Elapsed); // the first two warm up
        }
        times.Sort();
        return times;
    }

    /// <summary>The crypto one delegation does (both sides), timed alone: average over repetitions.</summary>
    private static TimeSpan CryptoPerDelegation(CancellationToken ct)
    {
        const int runs = 50;
        var payload = Encoding.UTF8.GetBytes("hello, delegation 12345");
        var digest = SHA256.HashData(payload);
        var watch = Stopwatch.StartNew();
        for (var r = 0; r < runs; r++)
        {
            ct.ThrowIfCancellationRequested();
            byte[] sk = [];
            for (var k = 0; k < 3; k++) sk = NewPrivateKey(); // sk_c, sk_sp, the encryption's ephemeral key
            var pk = PublicKey.FromBytes(Secp256k1.PublicKeyFromPrivateKey(sk));
            EcdsaSignature sig = default!;
            for (var s = 0; s < 9; s++) sig = Secp256k1.Sign(digest, sk); // 6 peer envelopes, the stamp, 2 transactions
            for (var v = 0; v < 7; v++) Secp256k1.RecoverPublicKey(digest, sig); // 6 envelopes checked, the stamp checked
            using var ciphertext = new MemoryStream();
            WorkEncryption.Encrypt(new MemoryStream(payload), ciphertext, pk, ct);
            ciphertext.Position = 0;
            WorkEncryption.Decrypt(ciphertext, new MemoryStream(), sk, ct);
        }
        return watch.Elapsed / runs;
    }

    private static byte[] NewPrivateKey()
    {
        while (true)
        {
            var sk = RandomNumberGenerator.GetBytes(32);
            if (Secp256k1.IsValidPrivateKey(sk)) return sk;
        }
    }

    private static TimeSpan Percentile(IReadOnlyList<TimeSpan> sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}

/// <summary>The delegations benchmark's count of JSON-RPC calls by method (both nodes), from the RPC client's meter.</summary>
internal sealed class RpcMethodTally : IDisposable
{
    private readonly System.Diagnostics.Metrics.MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _calls = new();

    public RpcMethodTally()
    {
        _listener.InstrumentPublished = (instrument, l) =>
        {
            // By name: the instrument is published while RpcCallCounts' static fields are still being set.
            if (instrument.Meter.Name == "FairDelegation.Chain.Rpc" && instrument.Name == "fairdelegation.rpc.calls") l.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag.Key == "method" && tag.Value is string method) _calls.AddOrUpdate(method, value, (_, n) => n + value);
        });
        _listener.Start();
    }

    public void Reset() => _calls.Clear();

    /// <summary>"eth_call 4.0, eth_getLogs 2.0, ..." divided by <paramref name="items"/>, most frequent first.</summary>
    public string PerItem(int items) => string.Join(", ", _calls.OrderByDescending(kv => kv.Value)
        .Select(kv => $"{kv.Key} {(double)kv.Value / items:0.0}"));

    public void Dispose() => _listener.Dispose();
}

/// <summary>
/// The chain path of the delegations benchmark: from sending an escrow opening until another party's watcher (its own
/// RPC client, as the provider's node has) yields the event, polling every 50 ms (the nodes' setting in this benchmark)
/// versus woken by pushed blocks (eth_subscribe over WebSocket); with the calls the watching side made.
/// </summary>
internal static class ChainPath
{
    public static async Task<string> MeasureAsync(Uri rpcUrl, EthereumAddress escrowAddress, int rounds, CancellationToken ct)
    {
        var lines = new List<string> { $"chain path (same run): escrow open sent -> the other side's watcher has the event, {rounds} rounds:" };
        foreach (var push in new[] { false, true })
        {
            using var sending = new EthRpcClient(rpcUrl);
            using var watching = new EthRpcClient(rpcUrl, new EthRpcOptions { UseWebSocket = push });
            if (push && !await watching.Heads.WaitUntilLiveAsync(TimeSpan.FromSeconds(10), ct)) throw new CliException("no new-block subscription at anvil's WebSocket");
            var escrow = new EscrowContract(sending, escrowAddress);
            var customer = new TransactionSender(sending, LocalAnvil.DevAccount(5));
            var watcher = new EscrowContract(watching, escrowAddress).Watch(new Chain.Watching.LogWatcherOptions { PollInterval = TimeSpan.FromMilliseconds(50) });
            var times = new List<TimeSpan>();
            long calls = 0;
            for (var i = 0; i < rounds + 2; i++)
            {
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
                stop.CancelAfter(TimeSpan.FromSeconds(30));
                var from = await sending.BlockNumberAsync(ct) + 1;
                var stream = watcher.WatchAsync(null, from, stop.Token).GetAsyncEnumerator(stop.Token);
                try
                {
                    var next = stream.MoveNextAsync().AsTask();
                    await Task.Delay(60, ct); // the watcher is idle, as a node's is between blocks
                    watching.Calls.Reset();
                    var watch = Stopwatch.StartNew();
                    var sk = RandomNumberGenerator.GetBytes(32);
                    await escrow.OpenAsync(customer, new EscrowOpening(RandomNumberGenerator.GetBytes(32), customer.Account.Address,
                        EthereumAddress.FromPrivateKey(sk), RandomNumberGenerator.GetBytes(32), new BigInteger(1000), DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds()), ct);
                    if (!await next) throw new CliException("the watcher ended without the event");
                    if (i >= 2)
                    {
                        times.Add(watch.Elapsed);
                        calls += watching.Calls.Total;
                    }
                }
                finally
                {
                    stop.Cancel();
                    try { await stream.DisposeAsync(); } catch (OperationCanceledException) { }
                }
            }
            times.Sort();
            string Ms(TimeSpan t) => t.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture) + " ms";
            lines.Add($"  {(push ? "pushed blocks (WebSocket)" : "polling every 50 ms     ")}  p50 {Ms(times[times.Count / 2])}   p95 {Ms(times[Math.Min(times.Count - 1, (int)Math.Ceiling(times.Count * 0.95) - 1)])}   {(double)calls / rounds:0.0} calls by the watching side each");
        }
        return string.Join(Environment.NewLine, lines);
    }
}
