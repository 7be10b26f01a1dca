using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using FairDelegation.Chain.Crypto;
using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.EC;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math.EC;
using Org.BouncyCastle.Math.EC.Multiplier;
using ECPoint = Org.BouncyCastle.Math.EC.ECPoint;
using BcBigInteger = Org.BouncyCastle.Math.BigInteger;

namespace FairDelegation.Cli.Commands;

/// <summary>
/// `fairdelegation bench secp256k1`: microseconds and operations per second of every secp256k1 operation a
/// delegation uses (derive, key generation, sign, recover, verify, ECDH), for our adapter over libsecp256k1
/// (Secp256k1.Net) next to the baseline measured in the same run: BouncyCastle's generic Fp curve (SecNamedCurves),
/// which is what Nethereum's signer runs by default. BouncyCastle's specialised curve (CustomNamedCurves: SecP256K1Curve with GLV) is shown too,
/// as the cheaper alternative that was considered. Single-threaded; each figure is the best of several rounds,
/// the rounds interleave the implementations so load from other processes hits them alike.
/// </summary>
public static class BenchSecp256k1Command
{
    public static Command Create()
    {
        var rounds = new Option<int>("--rounds") { Description = "Rounds per operation; each reports its best", DefaultValueFactory = _ => 5 };
        var millis = new Option<int>("--ms") { Description = "Target milliseconds per round and operation", DefaultValueFactory = _ => 300 };
        var cmd = new Command("secp256k1", "secp256k1 sign/recover/derive/ECDH: the libsecp256k1 adapter vs BouncyCastle, ops/s and ratio") { rounds, millis };
        cmd.SetAction(async (parse, ct) =>
        {
            var n = parse.GetValue(rounds);
            var ms = parse.GetValue(millis);
            if (n < 1) throw new CliException("--rounds must be at least 1");
            if (ms < 10) throw new CliException("--ms must be at least 10");
            await Task.Run(() => Run(n, ms, ct), ct);
            return 0;
        });
        return cmd;
    }

    private sealed record Operation(string Name, Action Ours, Action Generic, Action? Custom);

    private static void Run(int rounds, int millis, CancellationToken ct)
    {
        var sk = RandomNumberGenerator.GetBytes(32);
        while (!Secp256k1.IsValidPrivateKey(sk)) sk = RandomNumberGenerator.GetBytes(32);
        var peerSk = RandomNumberGenerator.GetBytes(32);
        while (!Secp256k1.IsValidPrivateKey(peerSk)) peerSk = RandomNumberGenerator.GetBytes(32);
        var pk = Secp256k1.PublicKeyFromPrivateKey(sk);
        var peerPk = Secp256k1.PublicKeyFromPrivateKey(peerSk);
        var hashes = Enumerable.Range(0, 64).Select(i => Keccak256.HashUtf8("bench message " + i)).ToArray();
        var signatures = hashes.Select(h => Secp256k1.Sign(h, sk)).ToArray();
        var generic = new BouncyCastleBaseline(SecNamedCurves.GetByName("secp256k1"));
        var custom = new BouncyCastleBaseline(CustomNamedCurves.GetByName("secp256k1"));

        // The baselines must compute what we compute, or the comparison is void.
        for (var i = 0; i < 8; i++)
        {
            if (!generic.Sign(hashes[i], sk).Equals(signatures[i]) || !custom.Sign(hashes[i], sk).Equals(signatures[i]))
                throw new CliException("baseline signatures differ from ours");
            if (!generic.Recover(hashes[i], signatures[i]).AsSpan().SequenceEqual(pk) || !custom.Recover(hashes[i], signatures[i]).AsSpan().SequenceEqual(pk))
                throw new CliException("baseline recovery differs from ours");
        }
        if (!generic.Ecdh(sk, peerPk).AsSpan().SequenceEqual(Secp256k1.SharedSecretX(sk, peerPk)))
            throw new CliException("baseline ECDH differs from ours");

        var i0 = 0;
        byte[] NextHash() => hashes[i0++ & 63];
        EcdsaSignature NextSig(out byte[] hash) { var j = i0++ & 63; hash = hashes[j]; return signatures[j]; }

        var operations = new[]
        {
            new Operation("derive pk = sk·G",
                () => Secp256k1.PublicKeyFromPrivateKey(sk), () => generic.Derive(sk), () => custom.Derive(sk)),
            new Operation("new key pair + address",
                () => NewKeyPair(k => Secp256k1.PublicKeyFromPrivateKey(k)), () => NewKeyPair(generic.Derive), () => NewKeyPair(custom.Derive)),
            new Operation("sign (RFC 6979, low-s, v)",
                () => Secp256k1.Sign(NextHash(), sk), () => generic.Sign(NextHash(), sk), () => custom.Sign(NextHash(), sk)),
            new Operation("recover pk",
                () => { var s = NextSig(out var h); Secp256k1.RecoverPublicKey(h, s); },
                () => { var s = NextSig(out var h); generic.Recover(h, s); },
                () => { var s = NextSig(out var h); custom.Recover(h, s); }),
            new Operation("verify",
                () => { var s = NextSig(out var h); Secp256k1.Verify(h, s, pk); },
                () => { var s = NextSig(out var h); generic.Verify(h, s, pk); },
                () => { var s = NextSig(out var h); custom.Verify(h, s, pk); }),
            new Operation("ECDH x(sk·PK)",
                () => Secp256k1.SharedSecretX(sk, peerPk), () => generic.Ecdh(sk, peerPk), () => custom.Ecdh(sk, peerPk)),
        };

        Console.Out.WriteLine($"bench secp256k1: {Environment.ProcessorCount} cores, .NET {Environment.Version}, 1 thread, best of {rounds} round(s) " +
                              $"of ~{millis} ms per operation, load average {LoadAverage()}");
        // Warm-up: JIT, tables, BouncyCastle's precomputations.
        foreach (var op in operations)
        {
            for (var k = 0; k < 20; k++) { op.Ours(); op.Generic(); op.Custom?.Invoke(); }
        }

        // µs per op: CPU ours, generic, custom, then wall ours, generic, custom.
        var best = operations.ToDictionary(o => o.Name, _ => new double[6]);
        foreach (var b in best.Values) Array.Fill(b, double.MaxValue);
        static void Keep(double[] b, int column, (double Wall, double Cpu) m)
        {
            b[column] = Math.Min(b[column], m.Cpu);
            b[column + 3] = Math.Min(b[column + 3], m.Wall);
        }
        for (var round = 0; round < rounds; round++)
        {
            foreach (var op in operations)
            {
                ct.ThrowIfCancellationRequested();
                var b = best[op.Name];
                Keep(b, 0, MicrosPerOp(op.Ours, millis));
                Keep(b, 1, MicrosPerOp(op.Generic, millis));
                if (op.Custom is not null) Keep(b, 2, MicrosPerOp(op.Custom, millis));
            }
        }

        Console.Out.WriteLine("  CPU µs per operation (this thread's CPU time), ops/s from wall time; ours = the libsecp256k1 adapter; speedup = baseline CPU / ours CPU");
        Console.Out.WriteLine($"  {"operation",-28} {"ours µs",8} {"ops/s",7} | {"BC generic µs",13} {"ops/s",6} {"speedup",8} | {"BC custom µs",12} {"speedup",8}");
        foreach (var op in operations)
        {
            var b = best[op.Name];
            Console.Out.WriteLine($"  {op.Name,-28} {b[0],8:0.0} {1e6 / b[3],7:0} | {b[1],13:0.0} {1e6 / b[4],6:0} {b[1] / b[0],7:0.0}x | " +
                                  $"{b[2],12:0.0} {b[2] / b[0],7:0.0}x");
        }
        // What one delegation spends (PROTOCOL.md's count: 3 key pairs, ~9 signatures, ~7 recoveries, ECDH on encrypt and decrypt).
        double PerDelegation(int column) =>
            3 * best["new key pair + address"][column] + 9 * best["sign (RFC 6979, low-s, v)"][column]
            + 7 * best["recover pk"][column] + 2 * best["ECDH x(sk·PK)"][column] + 2 * best["derive pk = sk·G"][column];
        Console.Out.WriteLine($"  CPU per delegation (3 key pairs, 9 signs, 7 recoveries, 2 ECDH, 2 derivations): ours {PerDelegation(0) / 1000:0.00} ms, " +
                              $"BC generic {PerDelegation(1) / 1000:0.00} ms (ratio {PerDelegation(1) / PerDelegation(0):0.0}), BC custom {PerDelegation(2) / 1000:0.00} ms");
        // Addresses are keccak (BouncyCastle's KeccakDigest), the same code before and after: shown for scale.
        var address = MicrosPerOp(() => EthereumAddress.FromPublicKey(pk).ToChecksumString(), millis);
        Console.Out.WriteLine($"  address of a public key + EIP-55 string (keccak x2, unchanged code): {address.Cpu:0.0} µs CPU");
        Console.Out.WriteLine($"  load average at the end: {LoadAverage()}");
    }

    private static void NewKeyPair(Func<byte[], byte[]> derive)
    {
        var sk = new byte[32];
        do RandomNumberGenerator.Fill(sk);
        while (!Secp256k1.IsValidPrivateKey(sk));
        EthereumAddress.FromPublicKey(derive(sk));
    }

    /// <summary>
    /// Microseconds per call, wall and this thread's CPU time, of the fastest batch within ~millis (the least
    /// disturbed by other processes on a shared machine). CPU time is what a delegation's budget is made of.
    /// </summary>
    private static (double Wall, double Cpu) MicrosPerOp(Action action, int millis)
    {
        var sw = Stopwatch.StartNew();
        var calls = 0;
        while (sw.ElapsedMilliseconds < Math.Max(2, millis / 20)) { action(); calls++; }
        var batch = Math.Max(1, calls * 4);
        double bestWall = double.MaxValue, bestCpu = double.MaxValue;
        var total = Stopwatch.StartNew();
        do
        {
            var cpu = ThreadCpuMicros();
            sw.Restart();
            for (var i = 0; i < batch; i++) action();
            bestWall = Math.Min(bestWall, sw.Elapsed.TotalMicroseconds / batch);
            bestCpu = Math.Min(bestCpu, (ThreadCpuMicros() - cpu) / batch);
        }
        while (total.ElapsedMilliseconds < millis);
        return (bestWall, bestCpu);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out Timespec time);

    /// <summary>CLOCK_THREAD_CPUTIME_ID (Linux); wall time elsewhere.</summary>
    private static double ThreadCpuMicros()
    {
        if (OperatingSystem.IsLinux() && ClockGetTime(3, out var t) == 0) return t.Seconds * 1e6 + t.Nanoseconds / 1e3;
        return Stopwatch.GetTimestamp() * 1e6 / Stopwatch.Frequency;
    }

    private static string LoadAverage()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "n/a"; }
    }

    /// <summary>
    /// The previous implementation (before the own arithmetic that libsecp256k1 now replaces), on a
    /// given BouncyCastle curve: RFC 6979 signer, low-s, recovery id found by recovering with both ids.
    /// </summary>
    private sealed class BouncyCastleBaseline
    {
        private readonly X9ECParameters _curve;
        private readonly ECDomainParameters _domain;
        private readonly FixedPointCombMultiplier _comb = new();

        public BouncyCastleBaseline(X9ECParameters curve)
        {
            _curve = curve;
            _domain = new ECDomainParameters(curve.Curve, curve.G, curve.N, curve.H);
        }

        public byte[] Derive(byte[] sk) => _comb.Multiply(_domain.G, new BcBigInteger(1, sk)).Normalize().GetEncoded(false)[1..];

        public EcdsaSignature Sign(byte[] hash, byte[] sk)
        {
            var d = new BcBigInteger(1, sk);
            var signer = new ECDsaSigner(new HMacDsaKCalculator(new Sha256Digest()));
            signer.Init(true, new ECPrivateKeyParameters(d, _domain));
            var rs = signer.GenerateSignature(hash);
            var s = rs[1];
            if (s.CompareTo(_curve.N.ShiftRight(1)) > 0) s = _curve.N.Subtract(s);
            var expected = _comb.Multiply(_domain.G, d).Normalize();
            for (byte v = 0; v < 2; v++)
            {
                var q = RecoverPoint(hash, rs[0], s, v);
                if (q is not null && q.Equals(expected)) return new EcdsaSignature(ToSystem(rs[0]), ToSystem(s), v);
            }
            throw new InvalidOperationException("no recovery id");
        }

        public byte[] Recover(byte[] hash, EcdsaSignature sig) =>
            RecoverPoint(hash, ToBouncy(sig.R), ToBouncy(sig.S), sig.V)!.GetEncoded(false)[1..];

        public bool Verify(byte[] hash, EcdsaSignature sig, byte[] pk)
        {
            var verifier = new ECDsaSigner();
            verifier.Init(false, new ECPublicKeyParameters(_curve.Curve.DecodePoint([0x04, .. pk]), _domain));
            return verifier.VerifySignature(hash, ToBouncy(sig.R), ToBouncy(sig.S));
        }

        public byte[] Ecdh(byte[] sk, byte[] pk)
        {
            var q = _curve.Curve.DecodePoint([0x04, .. pk]).Normalize();
            if (!q.IsValid()) throw new InvalidOperationException("not on curve");
            return q.Multiply(new BcBigInteger(1, sk)).Normalize().AffineXCoord.GetEncoded();
        }

        private ECPoint? RecoverPoint(byte[] hash, BcBigInteger r, BcBigInteger s, byte v)
        {
            var compressed = new byte[33];
            compressed[0] = (byte)(0x02 | v);
            var rb = r.ToByteArrayUnsigned();
            rb.CopyTo(compressed, 33 - rb.Length);
            ECPoint rPoint;
            try { rPoint = _curve.Curve.DecodePoint(compressed); }
            catch (ArgumentException) { return null; }
            var n = _curve.N;
            var rInv = r.ModInverse(n);
            var u1 = new BcBigInteger(1, hash).Negate().Multiply(rInv).Mod(n);
            var u2 = s.Multiply(rInv).Mod(n);
            var q = ECAlgorithms.SumOfTwoMultiplies(_curve.G, u1, rPoint, u2).Normalize();
            return q.IsInfinity ? null : q;
        }

        private static System.Numerics.BigInteger ToSystem(BcBigInteger b) => new(b.ToByteArrayUnsigned(), isUnsigned: true, isBigEndian: true);

        private static BcBigInteger ToBouncy(System.Numerics.BigInteger b) => new(1, b.ToByteArray(isUnsigned: true, isBigEndian: true));
    }
}
