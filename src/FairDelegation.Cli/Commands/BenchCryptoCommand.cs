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
        var cmd = new Command("crypto", "Work encryption + H(w') throughput vs plain SHA-256, and peak memory") { size };
        cmd.SetAction(async (parse, ct) =>
        {
            var bytes = ParseSize(parse.GetValue(size)!);
            await Task.Run(() => Run(bytes, ct), ct);
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

    private static void Run(long size, CancellationToken ct)
    {
        var block = RandomNumberGenerator.GetBytes(4 << 20);
        using var key = DisposableKeyPair.Generate();
        Console.Out.WriteLine($"bench crypto: {size:N0} bytes ({size / (double)(1 << 20):0} MiB), segment {WorkEncryptionFormat.DefaultSegmentSize / 1024} KiB, " +
                              $"{Environment.ProcessorCount} cores, .NET {Environment.Version}");
        // Warm up the JIT and the AES/SHA code paths on a small input.
        WorkEncryption.Encrypt(new CyclingStream(block, 8 << 20), Stream.Null, key.PublicKey, ct);
        Sha256(new CyclingStream(block, 8 << 20));

        var sha = Measure(() => Sha256(new CyclingStream(block, size)));
        var aes = Measure(() => AesGcmOnly(new CyclingStream(block, size)));
        WorkEncryptionResult? encrypted = null;
        var enc = Measure(() =>
            encrypted = WorkEncryption.Encrypt(new CyclingStream(block, size), new CountingNullStream(), key.PublicKey, ct));

        var temp = Path.Combine(Path.GetTempPath(), $"fd-bench-{Guid.NewGuid():N}.enc");
        Phase dec;
        try
        {
            using (var f = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
                WorkEncryption.Encrypt(new CyclingStream(block, size), f, key.PublicKey, ct);
            var sk = key.ExportPrivateKey();
            dec = Measure(() =>
            {
                using var f = new FileStream(temp, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
                WorkEncryption.Decrypt(f, new CountingNullStream(), sk, ct);
            });
        }
        finally { File.Delete(temp); }

        double Mbps(Phase p) => size / p.Seconds / 1e6;
        string Memory(Phase p) => $"peak RSS {p.Peak >> 20,3} MiB (+{p.Growth >> 20} MiB over the phase's start)";
        Console.Out.WriteLine($"  SHA-256 alone (baseline) : {Mbps(sha),6:0} MB/s   {Memory(sha)}");
        Console.Out.WriteLine($"  AES-256-GCM alone        : {Mbps(aes),6:0} MB/s");
        Console.Out.WriteLine($"  encrypt + H(w')          : {Mbps(enc),6:0} MB/s   {Memory(enc)}   ratio to SHA-256 {Mbps(enc) / Mbps(sha):0.00}");
        Console.Out.WriteLine($"  decrypt (from page cache): {Mbps(dec),6:0} MB/s   {Memory(dec)}   ratio to SHA-256 {Mbps(dec) / Mbps(sha):0.00}");
        Console.Out.WriteLine($"  H(w') {encrypted!.WorkHash}  ({encrypted.CiphertextLength:N0} bytes)");
        Console.Out.WriteLine($"  load average at the end: {LoadAverage()}");
    }

    private sealed record Phase(double Seconds, long Peak, long Growth);

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
        var sw = Stopwatch.StartNew();
        action();
        sw.Stop();
        var peak = PeakResident();
        return new Phase(sw.Elapsed.TotalSeconds, peak, Math.Max(0, peak - before));
    }

    private static void ResetPeak()
    {
        // Writing 5 to clear_refs resets VmHWM to the current RSS (Linux >= 4.0), so each phase gets its own peak.
        try { File.WriteAllText("/proc/self/clear_refs", "5"); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static long CurrentResident() => StatusKiB("VmRSS:") ?? Environment.WorkingSet;

    private static long PeakResident() => StatusKiB("VmHWM:") ?? Process.GetCurrentProcess().PeakWorkingSet64;

    private static long? StatusKiB(string field)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith(field, StringComparison.Ordinal))
                    return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }
        catch (IOException) { }
        return null;
    }

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
