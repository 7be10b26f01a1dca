using System.Numerics;
using FairDelegation.Chain.Crypto;

namespace FairDelegation.Chain.Tests.Crypto;

/// <summary>The field and scalar arithmetic under the curve, against System.Numerics.BigInteger on random and edge values.</summary>
public class Secp256k1ArithmeticTests
{
    private static readonly BigInteger P = BigInteger.Pow(2, 256) - BigInteger.Pow(2, 32) - 977;
    private static readonly BigInteger N = Secp256k1.N;

    /// <summary>Random values below the modulus plus the edges: 0, 1, 2, m - 1, m - 2, values near 2^64 boundaries, 2^255.</summary>
    private static List<BigInteger> Values(BigInteger modulus, int seed, int random = 300)
    {
        var values = new List<BigInteger>
        {
            0, 1, 2, 3, modulus - 1, modulus - 2, (modulus - 1) / 2, (modulus + 1) / 2,
            BigInteger.Pow(2, 64) - 1, BigInteger.Pow(2, 64), BigInteger.Pow(2, 128) - 1, BigInteger.Pow(2, 192),
            BigInteger.Pow(2, 255), BigInteger.Pow(2, 256) - BigInteger.Pow(2, 33) - 1,
        };
        var rng = new Random(seed);
        var bytes = new byte[32];
        for (var i = 0; i < random; i++)
        {
            rng.NextBytes(bytes);
            // Mix in limbs of all ones and all zeros: carries and borrows across every limb.
            if (i % 5 == 1) bytes.AsSpan(0, 8 * rng.Next(1, 4)).Fill(0xFF);
            if (i % 5 == 2) bytes.AsSpan(8 * rng.Next(0, 4), 8).Clear();
            values.Add(new BigInteger(bytes, isUnsigned: true, isBigEndian: true) % modulus);
        }
        return values.Select(v => v % modulus).ToList();
    }

    private static FieldElement Fe(BigInteger v)
    {
        var b = new byte[32];
        Secp256k1.WriteUInt256(v, b);
        FieldElement.TryRead(b, out var fe).Should().BeTrue();
        return fe;
    }

    private static BigInteger Big(FieldElement fe)
    {
        var b = new byte[32];
        fe.Write(b);
        return new BigInteger(b, isUnsigned: true, isBigEndian: true);
    }

    private static BigInteger Mod(BigInteger v, BigInteger m) => ((v % m) + m) % m;

    [Fact]
    public void Field_operations_agree_with_big_integers_mod_p()
    {
        var values = Values(P, 1);
        var rng = new Random(2);
        foreach (var a in values)
        {
            var b = values[rng.Next(values.Count)];
            var fa = Fe(a);
            var fb = Fe(b);
            Big(FieldElement.Add(fa, fb)).Should().Be(Mod(a + b, P));
            Big(FieldElement.Sub(fa, fb)).Should().Be(Mod(a - b, P));
            Big(FieldElement.Mul(fa, fb)).Should().Be(Mod(a * b, P));
            Big(FieldElement.Square(fa)).Should().Be(Mod(a * a, P));
            Big(FieldElement.Negate(fa)).Should().Be(Mod(-a, P));
            Big(FieldElement.MulSmall(fa, 21)).Should().Be(Mod(a * 21, P));
            Big(FieldElement.Invert(fa)).Should().Be(a.IsZero ? 0 : BigInteger.ModPow(a, P - 2, P));
            var isSquare = a.IsZero || BigInteger.ModPow(a, (P - 1) / 2, P).IsOne;
            FieldElement.TrySqrt(fa, out var root).Should().Be(isSquare);
            if (isSquare) Mod(Big(root) * Big(root), P).Should().Be(a);
        }
    }

    [Fact]
    public void Field_reading_rejects_values_not_below_p()
    {
        foreach (var v in new[] { P, P + 1, BigInteger.Pow(2, 256) - 1 })
        {
            var b = new byte[32];
            Secp256k1.WriteUInt256(v, b);
            FieldElement.TryRead(b, out _).Should().BeFalse();
        }
    }

    private static Scalar Sc(BigInteger v) => Scalar.FromBigInteger(v);

    [Fact]
    public void Scalar_operations_agree_with_big_integers_mod_n()
    {
        var values = Values(N, 3);
        var rng = new Random(4);
        foreach (var a in values)
        {
            var b = values[rng.Next(values.Count)];
            var sa = Sc(a);
            var sb = Sc(b);
            Scalar.Add(sa, sb).ToBigInteger().Should().Be(Mod(a + b, N));
            Scalar.Mul(sa, sb).ToBigInteger().Should().Be(Mod(a * b, N));
            Scalar.Negate(sa).ToBigInteger().Should().Be(Mod(-a, N));
            Scalar.Invert(sa).ToBigInteger().Should().Be(a.IsZero ? 0 : BigInteger.ModPow(a, N - 2, N));
            Scalar.InvertVartime(sa).ToBigInteger().Should().Be(a.IsZero ? 0 : BigInteger.ModPow(a, N - 2, N));
            if (!a.IsZero) Scalar.InvertBlinded(sa).ToBigInteger().Should().Be(BigInteger.ModPow(a, N - 2, N));
            sa.IsHigh.Should().Be(a > N / 2);
        }
    }

    [Fact]
    public void Scalar_reading_checks_or_reduces_against_n()
    {
        foreach (var v in new[] { N, N + 1, BigInteger.Pow(2, 256) - 1 })
        {
            var b = new byte[32];
            Secp256k1.WriteUInt256(v, b);
            Scalar.TryRead(b, out _).Should().BeFalse();
            Scalar.ReadReduced(b).ToBigInteger().Should().Be(v - N);
        }
        var below = new byte[32];
        Secp256k1.WriteUInt256(N - 1, below);
        Scalar.TryRead(below, out var s).Should().BeTrue();
        s.ToBigInteger().Should().Be(N - 1);
    }

    [Fact]
    public void Lambda_times_a_point_is_beta_times_its_x()
    {
        // The pairing of β and λ the GLV tables rely on: λ·G = (β·Gx, Gy), checked with the constant-time multiplier.
        var beta = BigInteger.Parse("07ae96a2b657c07106e64479eac3434e99cf0497512f58995c1396c28719501ee", System.Globalization.NumberStyles.HexNumber);
        var g = EcMultiplication.G;
        var lg = EcMultiplication.MulGenerator(Sc(EcMultiplication.Lambda)).ToAffine();
        Big(lg.X).Should().Be(Mod(Big(g.X) * beta, P));
        Big(lg.Y).Should().Be(Big(g.Y));
    }

    [Fact]
    public void Constant_time_endomorphism_split_gives_signed_halves_below_2_to_the_128()
    {
        var lambda = EcMultiplication.Lambda;
        var limit = BigInteger.Pow(2, 128);
        var values = Values(N, 6, random: 3000);
        values.AddRange([lambda, N - lambda, N / 2 - 1, (N + 1) / 2]);
        foreach (var k in values)
        {
            var (k1, neg1, k2, neg2) = EcMultiplication.SplitLambdaConstantTime(Sc(k));
            neg1.Should().BeOneOf(0UL, ulong.MaxValue);
            neg2.Should().BeOneOf(0UL, ulong.MaxValue);
            var s1 = neg1 == 0 ? k1.ToBigInteger() : -k1.ToBigInteger();
            var s2 = neg2 == 0 ? k2.ToBigInteger() : -k2.ToBigInteger();
            Mod(s1 + s2 * lambda, N).Should().Be(k);
            k1.ToBigInteger().Should().BeLessThan(limit);
            k2.ToBigInteger().Should().BeLessThan(limit);
        }
    }

    [Fact]
    public void Variable_base_multiplication_agrees_with_the_generator_table_and_the_variable_time_path()
    {
        // k·G three ways: the GLV constant-time ladder on G, the fixed G table, and u1·G + 0·Q.
        var g = CurvePoint.FromAffine(EcMultiplication.G);
        var values = Values(N, 7, random: 150).Where(v => !v.IsZero).ToList();
        // Signed-digit edges of the 6-bit comb: digits 32 (kept) and 33 (-31 with a carry), carries running
        // through windows of all ones, the top window's 4 bits.
        values.AddRange([32, 33, 63, 64, 65, 32 * BigInteger.Pow(64, 20), 33 * BigInteger.Pow(64, 41), BigInteger.Pow(2, 252) - 1,
            BigInteger.Pow(2, 252), 15 * BigInteger.Pow(2, 252), BigInteger.Pow(2, 250) * 63]);
        foreach (var k in values)
        {
            var viaLadder = EcMultiplication.Mul(g, Sc(k)).ToAffine();
            var viaTable = EcMultiplication.MulGenerator(Sc(k)).ToAffine();
            var viaShamir = EcMultiplication.MulGeneratorAddMulVartime(Sc(k), Scalar.Zero, EcMultiplication.G).ToAffine();
            Big(viaLadder.X).Should().Be(Big(viaTable.X));
            Big(viaLadder.Y).Should().Be(Big(viaTable.Y));
            Big(viaShamir.X).Should().Be(Big(viaTable.X));
            Big(viaShamir.Y).Should().Be(Big(viaTable.Y));
        }
        EcMultiplication.Mul(g, Scalar.Zero).IsInfinity.Should().BeTrue();
        EcMultiplication.MulGenerator(Scalar.Zero).IsInfinity.Should().BeTrue();
    }
}
