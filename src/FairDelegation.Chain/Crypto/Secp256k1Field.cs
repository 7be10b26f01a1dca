using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace FairDelegation.Chain.Crypto;

/// <summary>
/// An element of secp256k1's base field F_p, p = 2^256 - 2^32 - 977, as four 64-bit limbs (little-endian), always
/// fully reduced (&lt; p). Arithmetic has no branches or memory indices that depend on the values: carries come
/// from comparisons the JIT compiles to setcc, selections use masks.
/// Reduction uses the special prime: 2^256 ≡ C = 2^32 + 977 (mod p).
/// </summary>
internal readonly struct FieldElement
{
    public readonly ulong L0, L1, L2, L3;

    /// <summary>2^256 mod p.</summary>
    private const ulong C = 0x1000003D1UL;

    public static readonly FieldElement Zero = default;
    public static readonly FieldElement One = new(1, 0, 0, 0);

    /// <summary>p itself (as limbs; not a reduced element).</summary>
    public static readonly FieldElement P = new(0xFFFFFFFEFFFFFC2FUL, ulong.MaxValue, ulong.MaxValue, ulong.MaxValue);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public FieldElement(ulong l0, ulong l1, ulong l2, ulong l3)
    {
        L0 = l0; L1 = l1; L2 = l2; L3 = l3;
    }

    /// <summary>Reads 32 big-endian bytes; false when the value is not below p (no reduction).</summary>
    public static bool TryRead(ReadOnlySpan<byte> bytes32, out FieldElement value)
    {
        var l3 = BinaryPrimitives.ReadUInt64BigEndian(bytes32);
        var l2 = BinaryPrimitives.ReadUInt64BigEndian(bytes32[8..]);
        var l1 = BinaryPrimitives.ReadUInt64BigEndian(bytes32[16..]);
        var l0 = BinaryPrimitives.ReadUInt64BigEndian(bytes32[24..]);
        value = new FieldElement(l0, l1, l2, l3);
        return LessThanP(l0, l1, l2, l3);
    }

    /// <summary>Writes the element as 32 big-endian bytes.</summary>
    public void Write(Span<byte> destination32)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination32, L3);
        BinaryPrimitives.WriteUInt64BigEndian(destination32[8..], L2);
        BinaryPrimitives.WriteUInt64BigEndian(destination32[16..], L1);
        BinaryPrimitives.WriteUInt64BigEndian(destination32[24..], L0);
    }

    public bool IsZero => (L0 | L1 | L2 | L3) == 0;

    public bool IsOdd => (L0 & 1) != 0;

    public bool Equals(in FieldElement other) => ((L0 ^ other.L0) | (L1 ^ other.L1) | (L2 ^ other.L2) | (L3 ^ other.L3)) == 0;

    /// <summary>mask ? a : b, for mask all ones or all zeros.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FieldElement Select(ulong mask, in FieldElement a, in FieldElement b) => new(
        (a.L0 & mask) | (b.L0 & ~mask), (a.L1 & mask) | (b.L1 & ~mask),
        (a.L2 & mask) | (b.L2 & ~mask), (a.L3 & mask) | (b.L3 & ~mask));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Carry(ulong sum, ulong addend) => sum < addend ? 1UL : 0UL;

    /// <summary>
    /// The high 64 bits of a·b. Math.BigMul's out parameter makes the JIT keep the low half in memory; mulx for
    /// the high half and a plain multiply for the low half keep both in registers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong MulHigh(ulong a, ulong b) =>
        Bmi2.X64.IsSupported ? Bmi2.X64.MultiplyNoFlags(a, b) : Math.BigMul(a, b, out _);

    private static bool LessThanP(ulong l0, ulong l1, ulong l2, ulong l3)
    {
        // v < p  <=>  v + C does not carry out of 256 bits.
        var u0 = l0 + C; var c = Carry(u0, C);
        var u1 = l1 + c; c = Carry(u1, c);
        var u2 = l2 + c; c = Carry(u2, c);
        var u3 = l3 + c; c = Carry(u3, c);
        return c == 0;
    }

    /// <summary>v mod p for any v &lt; 2^256 (&lt; 2p): subtracts p once when v &gt;= p, without branching.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static FieldElement Reduce(ulong t0, ulong t1, ulong t2, ulong t3)
    {
        // v - p = v + C - 2^256: take v + C when it carries out.
        var u0 = t0 + C; var c = Carry(u0, C);
        var u1 = t1 + c; c = Carry(u1, c);
        var u2 = t2 + c; c = Carry(u2, c);
        var u3 = t3 + c; c = Carry(u3, c);
        var mask = 0UL - c;
        return new FieldElement((u0 & mask) | (t0 & ~mask), (u1 & mask) | (t1 & ~mask),
            (u2 & mask) | (t2 & ~mask), (u3 & mask) | (t3 & ~mask));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FieldElement Add(in FieldElement a, in FieldElement b)
    {
        var t0 = a.L0 + b.L0; var c = Carry(t0, b.L0);
        var t1 = a.L1 + c; var c1 = Carry(t1, c); t1 += b.L1; c1 += Carry(t1, b.L1);
        var t2 = a.L2 + c1; var c2 = Carry(t2, c1); t2 += b.L2; c2 += Carry(t2, b.L2);
        var t3 = a.L3 + c2; var c3 = Carry(t3, c2); t3 += b.L3; c3 += Carry(t3, b.L3);
        // a + b >= p exactly when the sum carries out of 256 bits or t + C does; then the result is t + C
        // (mod 2^256). When the sum carried, t + C < p, so t + C cannot carry as well.
        var u0 = t0 + C; c = Carry(u0, C);
        var u1 = t1 + c; c = Carry(u1, c);
        var u2 = t2 + c; c = Carry(u2, c);
        var u3 = t3 + c; c = Carry(u3, c);
        var mask = 0UL - (c | c3);
        return new FieldElement((u0 & mask) | (t0 & ~mask), (u1 & mask) | (t1 & ~mask),
            (u2 & mask) | (t2 & ~mask), (u3 & mask) | (t3 & ~mask));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FieldElement Sub(in FieldElement a, in FieldElement b)
    {
        var t0 = a.L0 - b.L0; var w = a.L0 < b.L0 ? 1UL : 0UL;
        var t1 = a.L1 - b.L1; var w1 = a.L1 < b.L1 ? 1UL : 0UL; w1 += t1 < w ? 1UL : 0UL; t1 -= w;
        var t2 = a.L2 - b.L2; var w2 = a.L2 < b.L2 ? 1UL : 0UL; w2 += t2 < w1 ? 1UL : 0UL; t2 -= w1;
        var t3 = a.L3 - b.L3; var w3 = a.L3 < b.L3 ? 1UL : 0UL; w3 += t3 < w2 ? 1UL : 0UL; t3 -= w2;
        // A borrow means t = a - b + 2^256; a - b + p = t - C, and t > C then, so no further borrow.
        var k = C & (0UL - w3);
        var b0 = t0 < k ? 1UL : 0UL; t0 -= k;
        var b1 = t1 < b0 ? 1UL : 0UL; t1 -= b0;
        var b2 = t2 < b1 ? 1UL : 0UL; t2 -= b1;
        t3 -= b2;
        return new FieldElement(t0, t1, t2, t3);
    }

    public static FieldElement Negate(in FieldElement a) => Sub(Zero, a);

    /// <summary>a + a.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FieldElement Double(in FieldElement a) => Add(a, a);

    /// <summary>a · k for a small k (&lt; 2^30), e.g. 3b = 21.</summary>
    public static FieldElement MulSmall(in FieldElement a, ulong k)
    {
        var h0 = MulHigh(a.L0, k); var t0 = a.L0 * k;
        var h1 = MulHigh(a.L1, k); var t1 = a.L1 * k;
        var h2 = MulHigh(a.L2, k); var t2 = a.L2 * k;
        var h3 = MulHigh(a.L3, k); var t3 = a.L3 * k;
        t1 += h0; var c = Carry(t1, h0);
        h1 += c; t2 += h1; c = Carry(t2, h1);
        h2 += c; t3 += h2; c = Carry(t3, h2);
        var t4 = h3 + c; // < 2^31
        return ReduceTop(t0, t1, t2, t3, t4);
    }

    /// <summary>Reduces t0..t3 + t4·2^256 for t4 &lt; 2^35.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static FieldElement ReduceTop(ulong t0, ulong t1, ulong t2, ulong t3, ulong t4)
    {
        var hi = MulHigh(t4, C); var lo = t4 * C; // t4·C < 2^68
        t0 += lo; var c = Carry(t0, lo);
        var s = hi + c;
        t1 += s; c = Carry(t1, s);
        t2 += c; c = Carry(t2, c);
        t3 += c; c = Carry(t3, c);
        // Carrying out again leaves t tiny (< 2^68): adding C then cannot carry past limb 1.
        var k = C & (0UL - c);
        t0 += k; c = Carry(t0, k);
        t1 += c;
        return Reduce(t0, t1, t2, t3);
    }

    /// <summary>Adds a·b to the 192-bit accumulator (c0, c1, c2).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MulAcc(ref ulong c0, ref ulong c1, ref ulong c2, ulong a, ulong b)
    {
        var hi = MulHigh(a, b);
        var lo = a * b;
        c0 += lo;
        hi += Carry(c0, lo); // hi <= 2^64 - 2, so no overflow
        c1 += hi;
        c2 += Carry(c1, hi);
    }

    /// <summary>Adds 2·a·b to the 192-bit accumulator (c0, c1, c2).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MulAcc2(ref ulong c0, ref ulong c1, ref ulong c2, ulong a, ulong b)
    {
        var hi = MulHigh(a, b);
        var lo = a * b;
        var top = hi >> 63;
        hi = (hi << 1) | (lo >> 63);
        lo <<= 1;
        c0 += lo;
        var k = Carry(c0, lo);
        c1 += k; var k1 = Carry(c1, k);
        c1 += hi; k1 += Carry(c1, hi);
        c2 += k1 + top;
    }

    public static FieldElement Mul(in FieldElement a, in FieldElement b)
    {
        ulong c0 = 0, c1 = 0, c2 = 0;
        MulAcc(ref c0, ref c1, ref c2, a.L0, b.L0);
        var r0 = c0; c0 = c1; c1 = c2; c2 = 0;
        MulAcc(ref c0, ref c1, ref c2, a.L0, b.L1);
        MulAcc(ref c0, ref c1, ref c2, a.L1, b.L0);
        var r1 = c0; c0 = c1; c1 = c2; c2 = 0;
        MulAcc(ref c0, ref c1, ref c2, a.L0, b.L2);
        MulAcc(ref c0, ref c1, ref c2, a.L1, b.L1);
        MulAcc(ref c0, ref c1, ref c2, a.L2, b.L0);
        var r2 = c0; c0 = c1; c1 = c2; c2 = 0;
        MulAcc(ref c0, ref c1, ref c2, a.L0, b.L3);
        MulAcc(ref c0, ref c1, ref c2, a.L1, b.L2);
        MulAcc(ref c0, ref c1, ref c2, a.L2, b.L1);
        MulAcc(ref c0, ref c1, ref c2, a.L3, b.L0);
        var r3 = c0; c0 = c1; c1 = c2; c2 = 0;
        MulAcc(ref c0, ref c1, ref c2, a.L1, b.L3);
        MulAcc(ref c0, ref c1, ref c2, a.L2, b.L2);
        MulAcc(ref c0, ref c1, ref c2, a.L3, b.L1);
        var r4 = c0; c0 = c1; c1 = c2; c2 = 0;
        MulAcc(ref c0, ref c1, ref c2, a.L2, b.L3);
        MulAcc(ref c0, ref c1, ref c2, a.L3, b.L2);
        var r5 = c0; c0 = c1; c1 = c2; c2 = 0;
        MulAcc(ref c0, ref c1, ref c2, a.L3, b.L3);
        return Reduce512(r0, r1, r2, r3, r4, r5, c0, c1);
    }

    public static FieldElement Square(in FieldElement a)
    {
        ulong c0 = 0, c1 = 0, c2 = 0;
        MulAcc(ref c0, ref c1, ref c2, a.L0, a.L0);
        var r0 = c0; c0 = c1; c1 = c2; c2 = 0;
        MulAcc2(ref c0, ref c1, ref c2, a.L0, a.L1);
        var r1 = c0; c0 = c1; c1 = c2; c2 = 0;
        MulAcc2(ref c0, ref c1, ref c2, a.L0, a.L2);
        MulAcc(ref c0, ref c1, ref c2, a.L1, a.L1);
        var r2 = c0; c0 = c1; c1 = c2; c2 = 0;
        MulAcc2(ref c0, ref c1, ref c2, a.L0, a.L3);
        MulAcc2(ref c0, ref c1, ref c2, a.L1, a.L2);
        var r3 = c0; c0 = c1; c1 = c2; c2 = 0;
        MulAcc2(ref c0, ref c1, ref c2, a.L1, a.L3);
        MulAcc(ref c0, ref c1, ref c2, a.L2, a.L2);
        var r4 = c0; c0 = c1; c1 = c2; c2 = 0;
        MulAcc2(ref c0, ref c1, ref c2, a.L2, a.L3);
        var r5 = c0; c0 = c1; c1 = c2; c2 = 0;
        MulAcc(ref c0, ref c1, ref c2, a.L3, a.L3);
        return Reduce512(r0, r1, r2, r3, r4, r5, c0, c1);
    }

    /// <summary>(r0..r3) + (r4..r7)·2^256 mod p, using 2^256 ≡ C.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static FieldElement Reduce512(ulong r0, ulong r1, ulong r2, ulong r3, ulong r4, ulong r5, ulong r6, ulong r7)
    {
        var hi = MulHigh(r4, C); var lo = r4 * C;
        var t0 = r0 + lo; var acc = hi + Carry(t0, lo);

        hi = MulHigh(r5, C); lo = r5 * C;
        var t1 = r1 + acc; var c = Carry(t1, acc);
        t1 += lo; c += Carry(t1, lo);
        acc = hi + c;

        hi = MulHigh(r6, C); lo = r6 * C;
        var t2 = r2 + acc; c = Carry(t2, acc);
        t2 += lo; c += Carry(t2, lo);
        acc = hi + c;

        hi = MulHigh(r7, C); lo = r7 * C;
        var t3 = r3 + acc; c = Carry(t3, acc);
        t3 += lo; c += Carry(t3, lo);
        acc = hi + c; // < 2^34

        return ReduceTop(t0, t1, t2, t3, acc);
    }

    /// <summary>a^(2^n) by n squarings.</summary>
    private static FieldElement SquareTimes(FieldElement a, int n)
    {
        for (var i = 0; i < n; i++) a = Square(a);
        return a;
    }

    /// <summary>The chain shared by inversion and square root: a^(2^223 - 1), and a^(2^22 - 1), a^(2^2 - 1).</summary>
    private static (FieldElement X223, FieldElement X22, FieldElement X2) PowerChain(in FieldElement a)
    {
        // xk = a^(2^k - 1).
        var x2 = Mul(Square(a), a);
        var x3 = Mul(Square(x2), a);
        var x6 = Mul(SquareTimes(x3, 3), x3);
        var x9 = Mul(SquareTimes(x6, 3), x3);
        var x11 = Mul(SquareTimes(x9, 2), x2);
        var x22 = Mul(SquareTimes(x11, 11), x11);
        var x44 = Mul(SquareTimes(x22, 22), x22);
        var x88 = Mul(SquareTimes(x44, 44), x44);
        var x176 = Mul(SquareTimes(x88, 88), x88);
        var x220 = Mul(SquareTimes(x176, 44), x44);
        var x223 = Mul(SquareTimes(x220, 3), x3);
        return (x223, x22, x2);
    }

    /// <summary>a^(p-2) = a^-1 (0 for 0). A fixed sequence of operations: constant-time.</summary>
    public static FieldElement Invert(in FieldElement a)
    {
        // p - 2 = [223 ones] 0 [22 ones] 0000 1 0 11 0 1.
        var (x223, x22, x2) = PowerChain(a);
        var t = Mul(SquareTimes(x223, 23), x22);
        t = Mul(SquareTimes(t, 5), a);
        t = Mul(SquareTimes(t, 3), x2);
        return Mul(SquareTimes(t, 2), a);
    }

    /// <summary>A square root of a when one exists (p ≡ 3 mod 4: a^((p+1)/4)), checked by squaring.</summary>
    public static bool TrySqrt(in FieldElement a, out FieldElement root)
    {
        // (p + 1) / 4 = [223 ones] 0 [22 ones] 0000 11 00.
        var (x223, x22, x2) = PowerChain(a);
        var t = Mul(SquareTimes(x223, 23), x22);
        t = Mul(SquareTimes(t, 6), x2);
        root = SquareTimes(t, 2);
        return Square(root).Equals(a);
    }
}
