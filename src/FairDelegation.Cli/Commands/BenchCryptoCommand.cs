using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using FairDelegation.Protocol.Encryption;
using FairDelegation.Protocol.Keys;

namespace FairDelegation.Cli.Commands;

/// <summary>
/// `fairdelegation bench crypto --size 1GiB`: encrypt+hash and decrypt throughput and peak memory, next to plain
/// SHA-256 (the pipeline's bound) and AES-256-GCM of the same bytes measured in the same run.
/// Source: a generated stream (a 4 MiB random block, cycled); sink: a counting null stream, so the disk is out of
/// the figures. Decryption reads the ciphertext from a temp file written beforehand (page cache), then deletes it.
/// </summary>
public static class BenchCryptoCommand
{
    public static Command Create()
    {
        var size = new Option<string>("--size") { Description = "Bytes of work to process, e.g. 1GiB, 512MiB, 100MB", DefaultValueFactory = _ => "1GiB" };
        var rounds = new Option<int>("--rounds") { Description = "Rounds over all phases; each phase reports its best", DefaultValueFactory = _ => 3 };
        var cmd = new Command("crypto", "Work encryption + H(w') throughput vs plain SHA-256, and peak memory") { size, rounds };
        cmd.SetAction(async (parse, ct) =>
        {
            var bytes = ParseSize(parse.GetValue(size)!);
            var n = parse.GetValue(rounds);
            if (n < 1) throw new CliException("--rounds must be at least 1");
            await Task.Run(() => Run(bytes, n, ct), ct);
            return 0;
        });
        return cmd;
    }

    /// <summary>"1GiB", "512MiB", "64KiB", "100MB", "1.5GB", "1000" (bytes).</summary>
    public static long ParseSize(string text)
    {
        var s = text.Trim();
        var units = new (string Suffix, long Factor)[]
        {
            ("GiB", 1L << 30), ("MiB", 1L << 20), ("KiB", 1L << 10), ("GB", 1_000_000_000), ("MB", 1_000_000), ("KB", 1_000), ("B", 1),
        };
        foreach (var (suffix, factor) in units)
        {
            if (!s.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)) continue;
            if (double.TryParse(s[..^suffix.Length].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0)
                return (long)(v * factor);
            break;
        }
        if (long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var plain) && plain > 0) return plain;
        throw new CliException($"'{text}' is not a size (examples: 1GiB, 512MiB, 100MB)");
    }

    private static void Run(long size, int rounds, CancellationToken ct)
    {
        var block = RandomNumberGenerator.GetBytes(4 << 20);
        using var key = DisposableKeyPair.Generate();
        var sk = key.ExportPrivateKey();
        Console.Out.WriteLine($"bench crypto: {size:N0} bytes ({size / (double)(1 << 20):0} MiB), segment {WorkEncryptionFormat.DefaultSegmentSize / 1024} KiB, " +
                              $"{Environment.ProcessorCount} cores, .NET {Environment.Version}, best of {rounds} round(s), load average {LoadAverage()}");
        // Warm up the JIT and the AES/SHA code paths on a small input.
        WorkEncryption.Encrypt(new CyclingStream(block, 8 << 20), Stream.Null, key.PublicKey, ct);
        WorkEncryption.EncryptSequential(new CyclingStream(block, 8 << 20), Stream.Null, key.PublicKey);
        Sha256(new CyclingStream(block, 8 << 20));

        var temp = Path.Combine(Path.GetTempPath(), $"fd-bench-{Guid.NewGuid():N}.enc");
        WorkEncryptionResult? encrypted = null;
        Phase? sha = null, aes = null, sequential = null, enc = null, dec = null;
        try
        {
            using (var f = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
                WorkEncryption.Encrypt(new CyclingStream(block, size), f, key.PublicKey, ct);
            // Rounds interleave the phases, so a burst of load from other processes hits all of them alike;
            // each phase keeps its fastest round.
            for (var round = 0; round < rounds; round++)
            {
                ct.ThrowIfCancellationRequested();
                sha = Best(sha, Measure(() => Sha256(new CyclingStream(block, size))));
                aes = Best(aes, Measure(() => AesGcmOnly(new CyclingStream(block, size))));
                sequential = Best(sequential, Measure(() =>
                    WorkEncryption.EncryptSequential(new CyclingStream(block, size), new CountingNullStream(), key.PublicKey)));
                enc = Best(enc, Measure(() =>
                    encrypted = WorkEncryption.Encrypt(new CyclingStream(block, size), new CountingNullStream(), key.PublicKey, ct)));
                dec = Best(dec, Measure(() =>
                {
                    using var f = new FileStream(temp, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
                    WorkEncryption.Decrypt(f, new CountingNullStream(), sk, ct);
                }));
            }
        }
        finally { File.Delete(temp); }

        double Mbps(Phase p) => size / p.Seconds / 1e6;
        string Memory(Phase p) => $"peak RSS {p.Peak >> 20,3} MiB (+{p.Growth >> 20} MiB over the phase's start)";
        Console.Out.WriteLine($"  SHA-256 alone (baseline) : {Mbps(sha!),6:0} MB/s   {Memory(sha!)}");
        Console.Out.WriteLine($"  AES-256-GCM alone        : {Mbps(aes!),6:0} MB/s");
        Console.Out.WriteLine($"  encrypt + H(w'), 1 thread: {Mbps(sequential!),6:0} MB/s   ratio to SHA-256 {Mbps(sequential!) / Mbps(sha!):0.00}   (reference without pipelining)");
        Console.Out.WriteLine($"  encrypt + H(w')          : {Mbps(enc!),6:0} MB/s   ratio to SHA-256 {Mbps(enc!) / Mbps(sha!):0.00}   {Memory(enc!)}");
        Console.Out.WriteLine($"  decrypt (from page cache): {Mbps(dec!),6:0} MB/s   ratio to SHA-256 {Mbps(dec!) / Mbps(sha!):0.00}   {Memory(dec!)}");
        // A busy machine hides what the pipeline does with two free cores (Linux autogroups give a session one
        // share however many threads it runs). CPU time does not depend on the load: on an idle machine the hashing
        // thread spends the SHA-256 phase's CPU and the encrypting thread the rest, so the pipeline takes
        // max(SHA, total - SHA).
        var projected = Math.Max(sha!.CpuSeconds, enc!.CpuSeconds - sha.CpuSeconds);
        Console.Out.WriteLine($"  CPU seconds: SHA-256 {sha.CpuSeconds:0.00}, AES-GCM {aes!.CpuSeconds:0.00}, encrypt + H(w') 1 thread {sequential!.CpuSeconds:0.00}, " +
                              $"pipelined {enc.CpuSeconds:0.00} (both threads), " +
                              $"decrypt {dec!.CpuSeconds:0.00}");
        Console.Out.WriteLine($"  projected for 2 idle cores: encrypt + H(w') {size / projected / 1e6:0} MB/s vs SHA-256 {size / sha.CpuSeconds / 1e6:0} MB/s, " +
                              $"ratio {sha.CpuSeconds / projected:0.00}");
        Console.Out.WriteLine($"  H(w') of the last run {encrypted!.WorkHash} ({encrypted.CiphertextLength:N0} bytes)");
        Console.Out.WriteLine($"  load average at the end: {LoadAverage()}");
    }

    private static Phase Best(Phase? best, Phase candidate) =>
        best is null ? candidate : best with
        {
            Seconds = Math.Min(best.Seconds, candidate.Seconds),
            CpuSeconds = Math.Min(best.CpuSeconds, candidate.CpuSeconds),
            Peak = Math.Max(best.Peak, candidate.Peak), Growth = Math.Max(best.Growth, candidate.Growth),
        };

    /// <summary>Wall seconds, CPU seconds of the whole process, peak RSS and its growth over the phase.</summary>
    private sealed record Phase(double Seconds, double CpuSeconds, long Peak, long Growth);

    private static string LoadAverage()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "n/a"; }
    }

    /// <summary>Seconds taken, peak resident set (Linux VmHWM, reset before the phase when allowed) and its growth.</summary>
    private static Phase Measure(Action action)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        ResetPeak();
        var before = CurrentResident();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        action();
        sw.Stop();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        var peak = PeakResident();
        return new Phase(sw.Elapsed.TotalSeconds, cpu.TotalSeconds, peak, Math.Max(0, peak - before));
    }

    private static void ResetPeak()
    {
        // Writing 5 to clear_refs resets VmHWM to the current RSS (Linux >= 4.0), so each phase gets its own peak.
        try { File.WriteAllText("/proc/self/clear_refs", "5"); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static long CurrentResident() => ProcSelfStatus.Bytes("VmRSS:") ?? Environment.WorkingSet;

    private static long PeakResident() => ProcSelfStatus.Bytes("VmHWM:") ?? Process.GetCurrentProcess().PeakWorkingSet64;

    private static void Sha256(Stream source)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        int n;
        while ((n = source.Read(buffer)) > 0) hash.AppendData(buffer.AsSpan(0, n));
        hash.GetHashAndReset();
    }

    private static void AesGcmOnly(Stream source)
    {
        using var aes = new AesGcm(RandomNumberGenerator.GetBytes(32), 16);
        var input = new byte[WorkEncryptionFormat.DefaultSegmentSize];
        var output = new byte[WorkEncryptionFormat.DefaultSegmentSize];
        Span<byte> tag = stackalloc byte[16];
        Span<byte> nonce = stackalloc byte[12];
        int n;
        ulong i = 0;
        while ((n = source.ReadAtLeast(input, input.Length, throwOnEndOfStream: false)) > 0)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(nonce[4..], i++);
            aes.Encrypt(nonce, input.AsSpan(0, n), output.AsSpan(0, n), tag);
        }
    }

    /// <summary>A read-only stream of <c>length</c> bytes cycling through a block.</summary>
    private sealed class CyclingStream(byte[] block, long length) : Stream
    {
        private long _position;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var total = 0;
            while (total < buffer.Length && _position < length)
            {
                var at = (int)(_position % block.Length);
                var n = (int)Math.Min(Math.Min(buffer.Length - total, block.Length - at), length - _position);
                block.AsSpan(at, n).CopyTo(buffer[total..]);
                total += n;
                _position += n;
            }
            return total;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>A sink that only counts (like /dev/null, without a system call per write).</summary>
    private sealed class CountingNullStream : Stream
    {
        private long _count;
        public override void Write(byte[] buffer, int offset, int count) => _count += count;
        public override void Write(ReadOnlySpan<byte> buffer) => _count += buffer.Length;
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _count;
        public override long Position { get => _count; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
