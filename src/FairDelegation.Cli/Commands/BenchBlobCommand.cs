using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using FairDelegation.Storage;
using FairDelegation.Storage.Azure;
using FairDelegation.Storage.FileSystem;

namespace FairDelegation.Cli.Commands;

/// <summary>
/// `fairdelegation bench blob`: upload and download throughput of one large blob through AzureBlobStore (Azurite) and
/// FileSystemBlobStore, next to a raw single-PUT / single-GET HttpClient baseline against the same Azurite in the same
/// run, plus the process's peak working set per phase.
/// </summary>
public static class BenchBlobCommand
{
    private const int ReadBufferSize = 1 << 20;
    private static readonly byte[] DrainBuffer = new byte[ReadBufferSize];

    public static Command Create()
    {
        var size = new Option<string>("--size") { Description = "Blob size (e.g. 1GiB, 256MiB)", DefaultValueFactory = _ => "1GiB" };
        var connection = new Option<string?>("--connection-string") { Description = "Use this Azure Storage account instead of starting Azurite" };
        var blockSize = new Option<string>("--block-size") { Description = "AzureBlobStore block size", DefaultValueFactory = _ => "4MiB" };
        var concurrency = new Option<int>("--concurrency") { Description = "AzureBlobStore parallel Put Block requests", DefaultValueFactory = _ => 4 };
        var noMd5 = new Option<bool>("--no-content-md5") { Description = "Do not send Content-MD5 with each block (Azurite then computes a CRC64 of each block itself)" };
        var runs = new Option<int>("--runs") { Description = "Rounds (baseline and store back to back, alternating order); medians are reported", DefaultValueFactory = _ => 3 };
        var inMemory = new Option<bool>("--azurite-in-memory") { Description = "Start Azurite with --inMemoryPersistence (default: a temporary directory)" };
        var directory = new Option<string?>("--dir") { Description = "Directory for the file system store (default: a temporary directory)" };
        var singleBlock = new Option<bool>("--single-block-baseline")
        {
            Description = "Also measure a raw HttpClient doing ONE streamed Put Block (no Content-MD5: it cannot be known before the body) + Put Block List",
        };
        var smallCount = new Option<int>("--small-count")
        {
            Description = "Small-blob phase: this many 4 KiB writes and reads through AzureBlobStore and through a raw HttpClient (0: skip)",
            DefaultValueFactory = _ => 1000,
        };
        var smallOnly = new Option<bool>("--small-only") { Description = "Run only the small-blob phase" };
        var command = new Command("blob", "Blob storage throughput: AzureBlobStore vs a raw HttpClient PUT/GET on Azurite, and the file system store")
        {
            size, connection, blockSize, concurrency, runs, noMd5, inMemory, directory, singleBlock, smallCount, smallOnly,
        };
        command.SetAction(async (parse, ct) =>
        {
            var settings = new Settings(ParseSize(parse.GetValue(size)!, "--size"), ParseSize(parse.GetValue(blockSize)!, "--block-size"),
                parse.GetValue(concurrency), Math.Max(1, parse.GetValue(runs)), !parse.GetValue(noMd5), parse.GetValue(connection), parse.GetValue(inMemory), parse.GetValue(directory),
                parse.GetValue(singleBlock), Math.Max(0, parse.GetValue(smallCount)), parse.GetValue(smallOnly));
            if (settings.BlockSize > int.MaxValue) throw new CliException("--block-size is too large");
            await RunAsync(settings, ct);
            return 0;
        });
        return command;
    }

    private sealed record Settings(long Size, long BlockSize, int Concurrency, int Runs, bool ContentMd5, string? ConnectionString, bool AzuriteInMemory, string? Directory,
        bool SingleBlockBaseline, int SmallCount, bool SmallOnly);

    private sealed record Measurement(string Name, long Bytes, TimeSpan Elapsed, long PeakWorkingSet, TimeSpan ClientCpu, TimeSpan? ServerCpu, long PeakPrivate = 0)
    {
        public double MiBPerSecond => Bytes / 1048576.0 / Elapsed.TotalSeconds;
    }

    private static async Task RunAsync(Settings s, CancellationToken ct)
    {
        Console.WriteLine($"working set at start: {PeakMemory.Current() / 1048576.0:F1} MiB");
        await using var azurite = s.ConnectionString is null ? await AzuriteServer.StartAsync(s.AzuriteInMemory, ct) : null;
        s_serverCpu = azurite is null ? null : azurite.ProcessorTime;
        var connectionString = s.ConnectionString ?? azurite!.ConnectionString;
        var options = new AzureBlobClientOptions { BlockSize = (int)s.BlockSize, MaxConcurrency = s.Concurrency, TransactionalMd5 = s.ContentMd5 };
        var container = "bench" + Guid.NewGuid().ToString("N")[..12];
        AzureBlobStore store;
        try { store = AzureBlobStore.FromConnectionString(connectionString, container, options); }
        catch (FormatException e) { throw new CliException($"--connection-string: {e.Message} (the raw baseline uses a SAS made with the account key)"); }
        // The raw baseline authenticates with a container SAS made by the SDK's builder: no signing code of ours.
        var sdkContainer = new global::Azure.Storage.Blobs.BlobServiceClient(connectionString, new AzureBlobClientOptions()).GetBlobContainerClient(container);
        var sas = sdkContainer.GenerateSasUri(global::Azure.Storage.Sas.BlobContainerSasPermissions.All, DateTimeOffset.UtcNow.AddDays(1)).Query.TrimStart('?');
        var fsRoot = s.Directory ?? System.IO.Directory.CreateTempSubdirectory("fd-bench-blobs-").FullName;
        var fsStore = new FileSystemBlobStore(fsRoot);
        using var http = new HttpClient(new SocketsHttpHandler()) { Timeout = Timeout.InfiniteTimeSpan };
        var raw = new RawBlobClient(http, store, sdkContainer, sas);

        Console.WriteLine($"bench blob: {Format(s.Size)} of pseudo-random data; AzureBlobStore block {Format(s.BlockSize)} x {s.Concurrency} in flight, Content-MD5 {(s.ContentMd5 ? "on" : "off")}; " +
                          $"load average {LoadAverage()}");
        Console.WriteLine(azurite is null
            ? $"Azure endpoint: {store.Endpoint}"
            : $"Azurite {azurite.Endpoint} ({(s.AzuriteInMemory ? "in-memory" : "on disk at " + azurite.Location)}); file store at {fsRoot}");
        try
        {
            if (s.SmallCount > 0) await SmallBlobsAsync(store, raw, s.SmallCount, s.Runs, ct);
            if (s.SmallOnly) return;
            // Warm up every path (JIT, connections, container) with a small blob so the first measurement is not penalised.
            const long warm = 8 << 20;
            await store.EnsureContainerAsync(ct);
            await raw.PutAsync("warm/raw", warm, ct);
            await store.WriteAsync("warm/store", new PseudoRandomStream(warm, 1), ct);
            await store.WriteAsync("warm/store-known", new PseudoRandomStream(warm, 1), warm, ct);
            await raw.GetAsync("warm/raw", ct);
            await Drain(await store.OpenReadAsync("warm/store", ct), ct);
            await fsStore.WriteAsync("warm", new PseudoRandomStream(warm, 1), ct);
            await Drain(await fsStore.OpenReadAsync("warm", ct), ct);

            var afterWarmUp = PeakMemory.Current() / 1048576.0;
            var gc = GC.GetGCMemoryInfo();
            Console.WriteLine($"working set after warm-up: {PeakMemory.Current() / 1048576.0:F1} MiB (peak so far {PeakMemory.Read() / 1048576.0:F1} MiB; " +
                              $"GC heap {gc.HeapSizeBytes / 1048576.0:F1} MiB, committed {gc.TotalCommittedBytes / 1048576.0:F1} MiB)");
            // Each round measures the baseline and the store back to back, and rounds alternate which goes first, so
            // a noisy neighbour (2 shared cores) hits both sides alike; the table reports the median of each phase.
            var rounds = new List<Measurement?[]>();
            for (var round = 0; round < s.Runs; round++)
            {
                Console.WriteLine($"round {round + 1}/{s.Runs} (load average {LoadAverage()})");
                var storeFirst = round % 2 == 1;
                var m = new Measurement?[Phases.Count];
                async Task RawPut() => m[Phases.RawPut] = await Measure("raw HttpClient Put Blob (Azurite)", s.Size, () => raw.PutAsync("bench/raw", s.Size, ct));
                async Task StoreKnown() => m[Phases.StoreKnown] = await Measure("AzureBlobStore.WriteAsync, known length", s.Size, async () =>
                {
                    // The length is declared (as the raw PUT's Content-Length is): one streamed Put Blob + Copy Blob.
                    var r = await store.WriteAsync("bench/store", new PseudoRandomStream(s.Size, 42), s.Size, ct);
                    if (r.Length != s.Size) throw new InvalidOperationException($"store wrote {r.Length} bytes, expected {s.Size}");
                });
                async Task StoreUnknown() => m[Phases.StoreUnknown] = await Measure("AzureBlobStore.WriteAsync, unknown length", s.Size, async () =>
                {
                    // A non-seekable stream and no length: Put Block in parallel + Put Block List.
                    var r = await store.WriteAsync("bench/store-blocks", new PseudoRandomStream(s.Size, 42), ct);
                    if (r.Length != s.Size) throw new InvalidOperationException($"store wrote {r.Length} bytes, expected {s.Size}");
                });
                async Task RawBlocks() => m[Phases.RawBlocks] = await Measure($"raw HttpClient Put Block x{s.Concurrency} + List", s.Size,
                    () => raw.PutBlocksAsync("bench/raw-blocks", s.Size, (int)s.BlockSize, s.Concurrency, s.ContentMd5, ct));
                async Task RawGet() => m[Phases.RawGet] = await Measure("raw HttpClient Get Blob (Azurite)", s.Size, async () => Expect(s.Size, await raw.GetAsync("bench/raw", ct)));
                async Task StoreGet() => m[Phases.StoreGet] = await Measure("AzureBlobStore.OpenReadAsync (Azurite)", s.Size,
                    async () => Expect(s.Size, await Drain(await store.OpenReadAsync("bench/store", ct), ct)));
                // Each pair that gives a ratio runs back to back, alternating which goes first. The block baseline goes
                // after the store's block upload: its buffers were seen to stay committed for a while after it, which
                // would inflate the next phase's memory figure (later phases' figures err on the high side, not the store's).
                if (storeFirst) { await StoreKnown(); await RawPut(); await StoreUnknown(); await RawBlocks(); await StoreGet(); await RawGet(); }
                else { await RawPut(); await StoreKnown(); await StoreUnknown(); await RawBlocks(); await RawGet(); await StoreGet(); }
                await store.DeleteAsync("bench/raw-blocks", ct);
                if (s.SingleBlockBaseline)
                {
                    m[Phases.RawSingleBlock] = await Measure("raw HttpClient 1 streamed Put Block + List", s.Size,
                        () => raw.PutSingleBlockAsync("bench/raw-1block", s.Size, ct));
                    await store.DeleteAsync("bench/raw-1block", ct);
                }
                // Cross reads separate the client from the blob's layout on the server (one extent vs many blocks).
                m[Phases.StoreGetRaw] = await Measure("AzureBlobStore.OpenReadAsync of the raw blob", s.Size,
                    async () => Expect(s.Size, await Drain(await store.OpenReadAsync("bench/raw", ct), ct)));
                m[Phases.RawGetBlocks] = await Measure("raw HttpClient Get of the store's block blob", s.Size,
                    async () => Expect(s.Size, await raw.GetAsync("bench/store-blocks", ct)));
                m[Phases.FsWrite] = await Measure("FileSystemBlobStore.WriteAsync", s.Size, async () => await fsStore.WriteAsync("bench", new PseudoRandomStream(s.Size, 42), ct));
                m[Phases.FsRead] = await Measure("FileSystemBlobStore.OpenReadAsync", s.Size, async () => Expect(s.Size, await Drain(await fsStore.OpenReadAsync("bench", ct), ct)));
                // Free Azurite's and the file store's space before the next round.
                foreach (var n in new[] { "bench/store", "bench/store-blocks", "bench/raw" }) await store.DeleteAsync(n, ct);
                await fsStore.DeleteAsync("bench", ct);
                Console.WriteLine($"  round {round + 1} upload ratios: known length / raw PUT {Ratio(m, Phases.StoreKnown, Phases.RawPut):F2}; " +
                                  $"unknown length / raw PUT {Ratio(m, Phases.StoreUnknown, Phases.RawPut):F2}, / raw blocks {Ratio(m, Phases.StoreUnknown, Phases.RawBlocks):F2}; " +
                                  $"raw blocks / raw PUT {Ratio(m, Phases.RawBlocks, Phases.RawPut):F2} (load average {LoadAverage()})");
                rounds.Add(m);
            }
            var results = Enumerable.Range(0, Phases.Count).Select(i =>
            {
                var all = rounds.Select(r => r[i]).OfType<Measurement>().OrderBy(x => x.Elapsed).ToList();
                return all.Count == 0 ? null : all[all.Count / 2] with { PeakWorkingSet = all.Max(x => x.PeakWorkingSet), PeakPrivate = all.Max(x => x.PeakPrivate) };
            }).ToArray();

            Console.WriteLine();
            Console.WriteLine($"median of {s.Runs} round(s):");
            Console.WriteLine($"{"phase",-46} {"MiB/s",9} {"seconds",8} {"peak WS MiB",12} {"CPU s client",13} {"CPU s Azurite",14}");
            foreach (var m in results.OfType<Measurement>())
                Console.WriteLine($"{m.Name,-46} {m.MiBPerSecond,9:F1} {m.Elapsed.TotalSeconds,8:F2} {m.PeakWorkingSet / 1048576.0,12:F1} {m.ClientCpu.TotalSeconds,13:F2} " +
                                  $"{(m.ServerCpu is { } sc ? sc.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture) : "n/a"),14}");
            Console.WriteLine();
            var known = Ratio(results, Phases.StoreKnown, Phases.RawPut);
            var unknown = Ratio(results, Phases.StoreUnknown, Phases.RawPut);
            var download = Ratio(results, Phases.StoreGet, Phases.RawGet);
            // The raw baselines' own buffers (block arrays) are not the store's memory.
            var peak = results.Where((m, i) => m is not null && i is not (Phases.RawBlocks or Phases.RawSingleBlock)).Max(m => m!.PeakWorkingSet) / 1048576.0;
            var storePeak = new[] { Phases.StoreKnown, Phases.StoreUnknown, Phases.StoreGet }.Max(i => results[i]!.PeakWorkingSet) / 1048576.0;
            // Two estimates of each ratio: of the median speeds, and the median of the per-round ratios (each round's pair
            // runs back to back, so a paired ratio cancels load that drifts between rounds). Both are printed.
            var knownPaired = PairedRatio(rounds, Phases.StoreKnown, Phases.RawPut);
            var downloadPaired = PairedRatio(rounds, Phases.StoreGet, Phases.RawGet);
            Console.WriteLine($"upload   ratio AzureBlobStore, known length (streamed Put Blob + Copy Blob) / raw PUT: {known:F2} of the median speeds " +
                              $"{Verdict(known)}; median of the {s.Runs} per-round ratios {knownPaired:F2} {Verdict(knownPaired)}  (target >= 0.90)");
            Console.WriteLine($"upload   ratio AzureBlobStore, unknown length (Put Block x{s.Concurrency} + List) / raw PUT: {unknown:F2} of the median speeds; " +
                              $"/ raw Put Block + List with the same blocks: {Ratio(results, Phases.StoreUnknown, Phases.RawBlocks):F2}; raw blocks / raw PUT: {Ratio(results, Phases.RawBlocks, Phases.RawPut):F2}");
            if (results[Phases.RawSingleBlock] is not null)
                Console.WriteLine($"upload   ratio raw 1 streamed Put Block (no Content-MD5) + List / raw PUT: {Ratio(results, Phases.RawSingleBlock, Phases.RawPut):F2}");
            Console.WriteLine($"upload   ratio AzureBlobStore, unknown length / raw PUT: median of the per-round ratios {PairedRatio(rounds, Phases.StoreUnknown, Phases.RawPut):F2}; " +
                              $"/ raw blocks {PairedRatio(rounds, Phases.StoreUnknown, Phases.RawBlocks):F2}");
            Console.WriteLine($"download ratio AzureBlobStore / raw GET: {download:F2} of the median speeds {Verdict(download)}; " +
                              $"median of the per-round ratios {downloadPaired:F2} {Verdict(downloadPaired)}  (target >= 0.90)");
            double Peak(int phase) => results[phase]!.PeakWorkingSet / 1048576.0;
            Console.WriteLine($"peak working set (whole process) during AzureBlobStore upload, known length: {Peak(Phases.StoreKnown):F1} MiB " +
                              $"{(Peak(Phases.StoreKnown) < 100 ? "OK" : "ABOVE TARGET")}; unknown length: {Peak(Phases.StoreUnknown):F1} MiB " +
                              $"{(Peak(Phases.StoreUnknown) < 100 ? "OK" : "ABOVE TARGET")}; download: {Peak(Phases.StoreGet):F1} MiB  (target < 100)");
            double Private(int phase) => results[phase]!.PeakPrivate / 1048576.0;
            Console.WriteLine($"peak private memory (anonymous + shared-anonymous pages, sampled every 5 ms; the whole-process figure above adds the mapped " +
                              $"assembly and library files, about {MappedFiles() / 1048576.0:F0} MiB now) during AzureBlobStore upload, known length: {Private(Phases.StoreKnown):F1} MiB " +
                              $"{(Private(Phases.StoreKnown) < 100 ? "OK" : "ABOVE TARGET")}; unknown length: {Private(Phases.StoreUnknown):F1} MiB " +
                              $"{(Private(Phases.StoreUnknown) < 100 ? "OK" : "ABOVE TARGET")}; download: {Private(Phases.StoreGet):F1} MiB " +
                              $"{(Private(Phases.StoreGet) < 100 ? "OK" : "ABOVE TARGET")}  (target < 100)");
            Console.WriteLine($"peak working set during all AzureBlobStore phases: {storePeak:F1} MiB; whole run except the raw block baselines: {peak:F1} MiB; " +
                              $"after warm-up the process held {afterWarmUp:F1} MiB");
            Console.WriteLine($"file system store vs raw PUT/GET on Azurite: upload {Ratio(results, Phases.FsWrite, Phases.RawPut):F2}x, download {Ratio(results, Phases.FsRead, Phases.RawGet):F2}x");
            Console.WriteLine($"load average at the end: {LoadAverage()}");
        }
        finally
        {
            await TryAsync(() => raw.DeleteContainerAsync());
            if (s.Directory is null) TryDelete(fsRoot);
            else foreach (var n in new[] { "bench", "warm" }) await TryAsync(() => fsStore.DeleteAsync(n));
        }
    }

    private const int SmallBlobSize = 4 << 10;

    /// <summary>
    /// Small blobs, the size a delegation writes (inputs, w', verifier packages, results): per-call CPU and rate of
    /// AzureBlobStore 4 KiB write + read next to a raw HttpClient Put Blob + Get Blob (authenticated by a container SAS from the SDK's builder, nothing else).
    /// </summary>
    private static async Task SmallBlobsAsync(AzureBlobStore store, RawBlobClient raw, int count, int runs, CancellationToken ct)
    {
        var data = new byte[SmallBlobSize];
        new PseudoRandomStream(data.Length, 7).ReadExactly(data);
        await store.EnsureContainerAsync(ct);
        // Warm-up: JIT and connections of both sides.
        for (var i = 0; i < 50; i++)
        {
            await store.WriteAsync($"small/warm-store-{i % 10}", new MemoryStream(data, writable: false), ct);
            await Drain(await store.OpenReadAsync($"small/warm-store-{i % 10}", ct), ct);
            await raw.PutSmallAsync($"small/warm-raw-{i % 10}", data, ct);
            await raw.GetAsync($"small/warm-raw-{i % 10}", ct);
        }
        Console.WriteLine($"small blobs: {count} x ({SmallBlobSize} B write + read), {runs} round(s), load average {LoadAverage()}");
        var storeRuns = new List<Measurement>();
        var rawRuns = new List<Measurement>();
        for (var round = 0; round < runs; round++)
        {
            async Task Store() => storeRuns.Add(await Measure("AzureBlobStore 4 KiB write + read", 2L * count * SmallBlobSize, async () =>
            {
                for (var i = 0; i < count; i++)
                {
                    var name = $"small/store-{i % 100}";
                    await store.WriteAsync(name, new MemoryStream(data, writable: false), ct);
                    Expect(SmallBlobSize, await Drain(await store.OpenReadAsync(name, ct), ct));
                }
            }));
            async Task Raw() => rawRuns.Add(await Measure("raw HttpClient 4 KiB Put Blob + Get Blob", 2L * count * SmallBlobSize, async () =>
            {
                for (var i = 0; i < count; i++)
                {
                    var name = $"small/raw-{i % 100}";
                    await raw.PutSmallAsync(name, data, ct);
                    Expect(SmallBlobSize, await raw.GetAsync(name, ct));
                }
            }));
            if (round % 2 == 0) { await Raw(); await Store(); } else { await Store(); await Raw(); }
        }
        Measurement Median(List<Measurement> all) => all.OrderBy(x => x.Elapsed).ToList()[all.Count / 2];
        var st = Median(storeRuns);
        var rw = Median(rawRuns);
        string PerOp(TimeSpan cpu) => (cpu.TotalMilliseconds / count).ToString("F3", CultureInfo.InvariantCulture);
        string PerOpServer(Measurement m) => m.ServerCpu is { } sc ? PerOp(sc) : "n/a";
        Console.WriteLine($"{"small-blob phase (median)",-46} {"pairs/s",9} {"ms CPU client/pair",19} {"ms CPU Azurite/pair",20}");
        foreach (var m in new[] { st, rw })
            Console.WriteLine($"{m.Name,-46} {count / m.Elapsed.TotalSeconds,9:F0} {PerOp(m.ClientCpu),19} {PerOpServer(m),20}");
        Console.WriteLine($"small blobs: AzureBlobStore / raw HttpClient: rate {rw.Elapsed.TotalSeconds / st.Elapsed.TotalSeconds:F2}, " +
                          $"client CPU per pair {st.ClientCpu.TotalMilliseconds / rw.ClientCpu.TotalMilliseconds:F2}x (load average {LoadAverage()})");
        Console.WriteLine();
    }

    /// <summary>Indexes of the phases of one round.</summary>
    private static class Phases
    {
        public const int RawPut = 0, StoreKnown = 1, StoreUnknown = 2, RawBlocks = 3, RawGet = 4, StoreGet = 5, StoreGetRaw = 6, RawGetBlocks = 7,
            FsWrite = 8, FsRead = 9, RawSingleBlock = 10, Count = 11;
    }

    private static double PairedRatio(List<Measurement?[]> rounds, int phase, int baseline)
    {
        var ratios = rounds.Select(r => Ratio(r, phase, baseline)).Where(x => !double.IsNaN(x)).Order().ToList();
        if (ratios.Count == 0) return double.NaN;
        var mid = ratios.Count / 2;
        return ratios.Count % 2 == 1 ? ratios[mid] : (ratios[mid - 1] + ratios[mid]) / 2;
    }

    private static string Verdict(double ratio) => ratio >= 0.9 ? "OK" : "BELOW TARGET";

    private static double Ratio(Measurement?[] m, int phase, int baseline) =>
        m[phase] is { } a && m[baseline] is { } b ? a.MiBPerSecond / b.MiBPerSecond : double.NaN;

    /// <summary>The 1, 5 and 15 minute load averages (Linux), for the figures' context: the machine's cores are shared.</summary>
    private static string LoadAverage()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "n/a"; }
        catch (UnauthorizedAccessException) { return "n/a"; }
    }

    /// <summary>CPU time used so far by the Azurite process this run started (null for a remote service).</summary>
    private static Func<TimeSpan>? s_serverCpu;

    private static TimeSpan ClientCpu()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    private static async Task<Measurement> Measure(string name, long bytes, Func<Task> run)
    {
        // Off the previous phase's stack first: its last continuation may still be running inline below us, with frames
        // (e.g. a finished block send holding its buffer, or the whole buffer channel) that would keep garbage alive.
        await Task.Yield();
        // Hand back what earlier phases left behind (Aggressive decommits freed memory), so each phase's peak is its own.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true); // what the finalizers released
        PeakMemory.Reset();
        var startWs = PeakMemory.Read();
        var startGc = GC.GetGCMemoryInfo().TotalCommittedBytes;
        // CPU seconds of each side during the phase: the work done, which the shared cores' load does not change much.
        var clientCpu = ClientCpu();
        var serverCpu = s_serverCpu?.Invoke();
        using var privateSampler = new PrivateMemorySampler();
        var watch = Stopwatch.StartNew();
        await run();
        watch.Stop();
        var m = new Measurement(name, bytes, watch.Elapsed, PeakMemory.Read(), ClientCpu() - clientCpu, s_serverCpu?.Invoke() - serverCpu, privateSampler.Stop());
        Console.WriteLine($"  {name}: {m.MiBPerSecond:F1} MiB/s, peak WS {m.PeakWorkingSet / 1048576.0:F1} MiB, private {m.PeakPrivate / 1048576.0:F1} MiB (at start {startWs / 1048576.0:F1}, GC committed {startGc / 1048576.0:F1}); " +
                          $"CPU s client {m.ClientCpu.TotalSeconds:F2}, Azurite {(m.ServerCpu is { } sc ? sc.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture) : "n/a")}");
        return m;
    }

    private static void Expect(long expected, long actual)
    {
        if (expected != actual) throw new InvalidOperationException($"read {actual} bytes, expected {expected}");
    }

    private static async Task<long> Drain(Stream stream, CancellationToken ct)
    {
        await using (stream)
        {
            var buffer = DrainBuffer; // one buffer for every read phase: the consumer's own allocations stay out of the figures
            long total = 0;
            int n;
            while ((n = await stream.ReadAsync(buffer, ct)) > 0) total += n;
            return total;
        }
    }

    private static async Task TryAsync(Func<Task> action)
    {
        try { await action(); } catch (Exception e) { Console.Error.WriteLine($"cleanup: {e.Message}"); }
    }

    private static void TryDelete(string dir)
    {
        try { System.IO.Directory.Delete(dir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>"1GiB", "256MiB", "4MiB", "1000000", "10MB": a byte count.</summary>
    internal static long ParseSize(string text, string option)
    {
        var t = text.Trim();
        var units = new (string Suffix, long Factor)[]
        {
            ("GiB", 1L << 30), ("MiB", 1L << 20), ("KiB", 1L << 10), ("GB", 1_000_000_000), ("MB", 1_000_000), ("KB", 1000), ("B", 1),
        };
        foreach (var (suffix, factor) in units)
        {
            if (!t.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)) continue;
            if (double.TryParse(t[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0)
                return (long)(v * factor);
            break;
        }
        if (long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) && bytes > 0) return bytes;
        throw new CliException($"{option}: '{text}' is not a size (examples: 1GiB, 256MiB, 4MiB, 1048576)");
    }

    private static string Format(long bytes) =>
        bytes >= 1L << 30 && bytes % (1L << 30) == 0 ? $"{bytes >> 30} GiB"
        : bytes >= 1L << 20 ? $"{bytes / 1048576.0:0.##} MiB"
        : $"{bytes} B";

    /// <summary>The baseline: one Put Blob with a streamed body, one Get Blob, with nothing but HttpClient and a container SAS.</summary>
    private sealed class RawBlobClient(HttpClient http, AzureBlobStore store, global::Azure.Storage.Blobs.BlobContainerClient container, string sas)
    {
        public async Task PutAsync(string name, long size, CancellationToken ct)
        {
            using var request = Signed(HttpMethod.Put, store.GetBlobUri(name), size, r => r.Headers.Add("x-ms-blob-type", "BlockBlob"),
                new StreamContent(new PseudoRandomStream(size, 42), ReadBufferSize));
            using var response = await http.SendAsync(request, ct);
            await EnsureAsync(response, "raw Put Blob");
        }

        public async Task PutSmallAsync(string name, byte[] data, CancellationToken ct)
        {
            using var request = Signed(HttpMethod.Put, store.GetBlobUri(name), data.Length, r => r.Headers.Add("x-ms-blob-type", "BlockBlob"),
                new ByteArrayContent(data));
            using var response = await http.SendAsync(request, ct);
            await EnsureAsync(response, "raw Put Blob (small)");
        }

        /// <summary>
        /// Azurite's ceiling for a block upload: Put Block of <paramref name="blockSize"/> with <paramref name="concurrency"/>
        /// in flight (Content-MD5 on each, else Azurite computes a CRC64 itself), then Put Block List; nothing else (no SHA-256).
        /// </summary>
        public async Task PutBlocksAsync(string name, long size, int blockSize, int concurrency, bool contentMd5, CancellationToken ct)
        {
            var uri = store.GetBlobUri(name);
            var source = new PseudoRandomStream(size, 42);
            // Its own connections, closed on return: with the shared client the block buffers were seen to stay
            // committed into the following phases (their peak working set rose by BlockSize x concurrency).
            using var blockHttp = new HttpClient(new SocketsHttpHandler()) { Timeout = Timeout.InfiniteTimeSpan };
            var free = System.Threading.Channels.Channel.CreateUnbounded<byte[]>();
            for (var i = 0; i < concurrency; i++) free.Writer.TryWrite(new byte[blockSize]);
            var ids = new List<string>();
            var sends = new List<Task>();
            while (true)
            {
                var buffer = await free.Reader.ReadAsync(ct);
                var n = await source.ReadAtLeastAsync(buffer.AsMemory(0, blockSize), blockSize, throwOnEndOfStream: false, ct);
                if (n == 0) break;
                var id = Convert.ToBase64String(BitConverter.GetBytes((long)ids.Count));
                ids.Add(id);
                sends.Add(Task.Run(async () =>
                {
                    var content = new ByteArrayContent(buffer, 0, n);
#pragma warning disable CA5351 // the service's transport checksum
                    if (contentMd5) content.Headers.ContentMD5 = System.Security.Cryptography.MD5.HashData(buffer.AsSpan(0, n));
#pragma warning restore CA5351
                    using var request = Signed(HttpMethod.Put, new Uri(uri.AbsoluteUri + "?comp=block&blockid=" + Uri.EscapeDataString(id)), n, null, content);
                    using var response = await blockHttp.SendAsync(request, ct);
                    await EnsureAsync(response, "raw Put Block");
                    free.Writer.TryWrite(buffer);
                }, ct));
                if (n < blockSize) break;
            }
            await Task.WhenAll(sends);
            var xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>" + string.Concat(ids.Select(i => "<Latest>" + i + "</Latest>")) + "</BlockList>";
            var body = System.Text.Encoding.UTF8.GetBytes(xml);
            using var list = Signed(HttpMethod.Put, new Uri(uri.AbsoluteUri + "?comp=blocklist"), body.Length, null, new ByteArrayContent(body));
            using var listResponse = await blockHttp.SendAsync(list, ct);
            await EnsureAsync(listResponse, "raw Put Block List");
        }

        /// <summary>
        /// The block path with the fewest blocks: ONE Put Block whose body is streamed (so no Content-MD5: it is not known
        /// before the body is sent), then Put Block List. Shows what Azurite does with a block it must checksum itself.
        /// </summary>
        public async Task PutSingleBlockAsync(string name, long size, CancellationToken ct)
        {
            var uri = store.GetBlobUri(name);
            var id = Convert.ToBase64String(new byte[8]);
            using (var request = Signed(HttpMethod.Put, new Uri(uri.AbsoluteUri + "?comp=block&blockid=" + Uri.EscapeDataString(id)), size, null,
                       new StreamContent(new PseudoRandomStream(size, 42), ReadBufferSize)))
            using (var response = await http.SendAsync(request, ct))
                await EnsureAsync(response, "raw Put Block (streamed)");
            var body = System.Text.Encoding.UTF8.GetBytes("<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList><Latest>" + id + "</Latest></BlockList>");
            using var list = Signed(HttpMethod.Put, new Uri(uri.AbsoluteUri + "?comp=blocklist"), body.Length, null, new ByteArrayContent(body));
            using var listResponse = await http.SendAsync(list, ct);
            await EnsureAsync(listResponse, "raw Put Block List");
        }

        public async Task<long> GetAsync(string name, CancellationToken ct)
        {
            using var request = Signed(HttpMethod.Get, store.GetBlobUri(name), 0, null, null);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            await EnsureAsync(response, "raw Get Blob");
            return await Drain(await response.Content.ReadAsStreamAsync(ct), ct);
        }

        public async Task DeleteContainerAsync() => await container.DeleteIfExistsAsync();

        private HttpRequestMessage Signed(HttpMethod method, Uri uri, long length, Action<HttpRequestMessage>? extra, HttpContent? content)
        {
            var withSas = new Uri(uri.AbsoluteUri + (uri.Query.Length == 0 ? "?" : "&") + sas);
            var request = new HttpRequestMessage(method, withSas) { Content = content };
            if (content is not null) content.Headers.ContentLength = length;
            request.Headers.Add("x-ms-version", "2026-06-06");
            extra?.Invoke(request);
            return request;
        }

        private static async Task EnsureAsync(HttpResponseMessage response, string what)
        {
            if (response.IsSuccessStatusCode) return;
            var body = await response.Content.ReadAsStringAsync();
            throw new CliException($"{what}: HTTP {(int)response.StatusCode} {body}");
        }
    }

    /// <summary>
    /// Deterministic pseudo-random bytes (xorshift64*), generated on the fly so a GiB never sits in memory and the
    /// data is not trivially compressible or all zeros.
    /// </summary>
    private sealed class PseudoRandomStream(long length, ulong seed) : Stream
    {
        private ulong _state = seed * 0x9E3779B97F4A7C15UL | 1;
        private long _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = (int)Math.Min(buffer.Length, length - _position);
            if (n <= 0) return 0;
            var target = buffer[..n];
            var words = MemoryMarshal.Cast<byte, ulong>(target);
            var x = _state;
            for (var i = 0; i < words.Length; i++)
            {
                x ^= x >> 12;
                x ^= x << 25;
                x ^= x >> 27;
                words[i] = x * 0x2545F4914F6CDD1DUL;
            }
            for (var i = words.Length * 8; i < n; i++)
            {
                x ^= x >> 12;
                x ^= x << 25;
                x ^= x >> 27;
                target[i] = (byte)(x * 0x2545F4914F6CDD1DUL >> 56);
            }
            _state = x;
            _position += n;
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>Resident bytes of /proc/self/status's RssFile: the mapped assembly and native library files (shared, droppable page cache).</summary>
    private static long MappedFiles() => ProcSelfStatus.Bytes("RssFile:") ?? 0;

    /// <summary>
    /// The peak of the process's private memory during a phase (RssAnon + RssShmem: the GC heap, native buffers, the JIT's
    /// double-mapped code), sampled every 5 ms on its own thread. The kernel keeps no high-water mark for it, unlike VmHWM,
    /// which also counts the mapped assembly files (about 50 MiB here, the same for any .NET process of this size).
    /// </summary>
    private sealed class PrivateMemorySampler : IDisposable
    {
        private readonly Thread _thread;
        private volatile bool _stop;
        private long _peak;

        public PrivateMemorySampler()
        {
            Sample();
            _thread = new Thread(() => { while (!_stop) { Sample(); Thread.Sleep(5); } }) { IsBackground = true, Name = "bench private memory" };
            _thread.Start();
        }

        private void Sample()
        {
            var now = (ProcSelfStatus.Bytes("RssAnon:") ?? 0) + (ProcSelfStatus.Bytes("RssShmem:") ?? 0);
            if (now > Interlocked.Read(ref _peak)) Interlocked.Exchange(ref _peak, now);
        }

        public long Stop()
        {
            _stop = true;
            _thread.Join();
            Sample();
            return Interlocked.Read(ref _peak);
        }

        public void Dispose() { if (!_stop) Stop(); }
    }

    /// <summary>The process's peak resident set (VmHWM), reset between phases through /proc/self/clear_refs (Linux).</summary>
    private static class PeakMemory
    {
        public static void Reset()
        {
            try { File.WriteAllText("/proc/self/clear_refs", "5"); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }

        public static long Current()
        {
            using var self = Process.GetCurrentProcess();
            return self.WorkingSet64;
        }

        public static long Read()
        {
            if (ProcSelfStatus.Bytes("VmHWM:") is { } peak) return peak;
            using var self = Process.GetCurrentProcess();
            return self.PeakWorkingSet64;
        }
    }

    /// <summary>Azurite's blob service from node_modules on a free loopback port, killed (and its directory removed) on dispose.</summary>
    private sealed class AzuriteServer : IAsyncDisposable
    {
        private readonly Process _process;

        private AzuriteServer(Process process, int port, string location)
        {
            _process = process;
            Endpoint = new Uri($"http://127.0.0.1:{port}/{AzureBlobStore.DevelopmentAccountName}");
            Location = location;
        }

        public Uri Endpoint { get; }
        public string Location { get; }

        public TimeSpan ProcessorTime()
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
        public string ConnectionString =>
            $"DefaultEndpointsProtocol=http;AccountName={AzureBlobStore.DevelopmentAccountName};AccountKey={AzureBlobStore.DevelopmentAccountKey};BlobEndpoint={Endpoint};";

        public static async Task<AzuriteServer> StartAsync(bool inMemory, CancellationToken ct)
        {
            var script = FindAzurite() ?? throw new CliException(
                "azurite not found (node_modules/azurite/dist/src/blob/main.js above the current directory or the binary); " +
                "run `dotnet build` in the repository (it installs node_modules) or pass --connection-string");
            int port;
            using (var probe = new TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                port = ((IPEndPoint)probe.LocalEndpoint).Port;
            }
            var location = System.IO.Directory.CreateTempSubdirectory("fd-bench-azurite-").FullName;
            var psi = new ProcessStartInfo("node")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = location,
            };
            foreach (var a in new[] { script, "--disableTelemetry", "--silent", "--blobHost", "127.0.0.1", "--blobPort", port.ToString(CultureInfo.InvariantCulture) })
                psi.ArgumentList.Add(a);
            // Azurite refuses --location together with --inMemoryPersistence.
            foreach (var a in inMemory ? ["--inMemoryPersistence"] : new[] { "--location", location }) psi.ArgumentList.Add(a);
            var process = Process.Start(psi) ?? throw new CliException("could not start node");
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var server = new AzuriteServer(process, port, location);
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (true)
            {
                try
                {
                    using var client = new TcpClient();
                    await client.ConnectAsync(IPAddress.Loopback, port, ct);
                    return server;
                }
                catch (SocketException) when (DateTime.UtcNow < deadline && !process.HasExited)
                {
                    await Task.Delay(100, ct);
                }
                catch (SocketException)
                {
                    await server.DisposeAsync();
                    throw new CliException($"azurite did not start on port {port}");
                }
            }
        }

        private static string? FindAzurite()
        {
            foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
                for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                {
                    var candidate = Path.Combine(dir.FullName, "node_modules", "azurite", "dist", "src", "blob", "main.js");
                    if (File.Exists(candidate)) return candidate;
                }
            return null;
        }

        public ValueTask DisposeAsync()
        {
            try { if (!_process.HasExited) _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            _process.WaitForExit(10_000);
            _process.Dispose();
            TryDelete(Location);
            return ValueTask.CompletedTask;
        }
    }
}
