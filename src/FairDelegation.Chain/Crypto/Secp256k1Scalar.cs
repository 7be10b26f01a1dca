using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace FairDelegation.Chain.Crypto;

/// <summary>
/// An integer modulo secp256k1's group order n, four 64-bit limbs (little-endian), always reduced (&lt; n).
/// Multiplication is Montgomery's (CIOS) with a masked final subtraction; like <see cref="FieldElement"/>, no
/// branch or memory index depends on the values, so signing can use it on the private key and the nonce.
/// </summary>
internal readonly struct Scalar
{
    public readonly ulong L0, L1, L2, L3;

    private const ulong N0 = 0xBFD25E8CD0364141UL, N1 = 0xBAAEDCE6AF48A03BUL, N2 = 0xFFFFFFFFFFFFFFFEUL, N3 = 0xFFFFFFFFFFFFFFFFUL;

    /// <summary>n as an integer.</summary>
    public static readonly System.Numerics.BigInteger Order = System.Numerics.BigInteger.Parse(
        "0FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", System.Globalization.NumberStyles.HexNumber);

    /// <summary>-n^-1 mod 2^64.</summary>
    private static readonly ulong NPrime = ComputeNPrime();

    /// <summary>R^2 mod n with R = 2^256, to enter the Montgomery domain.</summary>
    private static readonly Scalar R2 = FromBigInteger(System.Numerics.BigInteger.ModPow(2, 512, Order));

    public static readonly Scalar Zero = default;
    public static readonly Scalar One = new(1, 0, 0, 0);

    /// <summary>n / 2, the largest low s.</summary>
    public static readonly Scalar HalfN = new((N0 >> 1) | (N1 << 63), (N1 >> 1) | (N2 << 63), (N2 >> 1) | (N3 << 63), N3 >> 1);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Scalar(ulong l0, ulong l1, ulong l2, ulong l3)
    {
        L0 = l0; L1 = l1; L2 = l2; L3 = l3;
    }

    private static ulong ComputeNPrime()
    {
        // Newton's iteration for the inverse mod 2^64 (each step doubles the correct low bits).
        var inv = N0;
        for (var i = 0; i < 6; i++) inv *= 2 - N0 * inv;
        return 0UL - inv;
    }

    /// <summary>Reads 32 big-endian bytes as an integer; false when it is not below n.</summary>
    public static bool TryRead(ReadOnlySpan<byte> bytes32, out Scalar value)
    {
        value = ReadRaw(bytes32);
        return value.LessThanN();
    }

    /// <summary>Reads 32 big-endian bytes reduced mod n (a hash as ECDSA's e).</summary>
    public static Scalar ReadReduced(ReadOnlySpan<byte> bytes32)
    {
        var v = ReadRaw(bytes32);
        return SubtractNIfNotBelow(v.L0, v.L1, v.L2, v.L3, 0);
    }

    private static Scalar ReadRaw(ReadOnlySpan<byte> bytes32) => new(
        BinaryPrimitives.ReadUInt64BigEndian(bytes32[24..]), BinaryPrimitives.ReadUInt64BigEndian(bytes32[16..]),
        BinaryPrimitives.ReadUInt64BigEndian(bytes32[8..]), BinaryPrimitives.ReadUInt64BigEndian(bytes32));

    /// <summary>Writes 32 big-endian bytes.</summary>
    public void Write(Span<byte> destination32)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination32, L3);
        BinaryPrimitives.WriteUInt64BigEndian(destination32[8..], L2);
        BinaryPrimitives.WriteUInt64BigEndian(destination32[16..], L1);
        BinaryPrimitives.WriteUInt64BigEndian(destination32[24..], L0);
    }

    public static Scalar FromBigInteger(System.Numerics.BigInteger value)
    {
        if (value.Sign < 0 || value >= Order) throw new ArgumentOutOfRangeException(nameof(value), "not a scalar below n");
        Span<byte> b = stackalloc byte[32];
        b.Clear();
        var count = value.GetByteCount(isUnsigned: true);
        value.TryWriteBytes(b[(32 - count)..], out _, isUnsigned: true, isBigEndian: true);
        return ReadRaw(b);
    }

    public System.Numerics.BigInteger ToBigInteger()
    {
        Span<byte> b = stackalloc byte[32];
        Write(b);
        return new System.Numerics.BigInteger(b, isUnsigned: true, isBigEndian: true);
    }

    public bool IsZero => (L0 | L1 | L2 | L3) == 0;

    /// <summary>Bit i (0 = least significant).</summary>
    public int Bit(int i) => (int)((i switch { < 64 => L0, < 128 => L1, < 192 => L2, _ => L3 }) >> (i & 63)) & 1;

    /// <summary>Limb i (a public index).</summary>
    private ulong Limb(int i) => i switch { 0 => L0, 1 => L1, 2 => L2, 3 => L3, _ => 0 };

    /// <summary>
    /// <paramref name="count"/> (1..63) bits starting at bit <paramref name="offset"/> (bits above 255 read as 0).
    /// Branches and memory accesses depend only on the public offset and count, not on the value.
    /// </summary>
    public int Bits(int offset, int count)
    {
        var index = offset >> 6;
        var shift = offset & 63;
        var v = Limb(index) >> shift;
        if (shift != 0) v |= Limb(index + 1) << (64 - shift);
        return (int)(v & ((1UL << count) - 1));
    }

    /// <summary>The 4-bit digit i (0 = least significant nibble).</summary>
    public int Nibble(int i) => (int)((i switch { < 16 => L0, < 32 => L1, < 48 => L2, _ => L3 }) >> ((i & 15) * 4)) & 0xF;

    public bool Equals(in Scalar other) => ((L0 ^ other.L0) | (L1 ^ other.L1) | (L2 ^ other.L2) | (L3 ^ other.L3)) == 0;

    /// <summary>True when this &gt; n/2 (a high s).</summary>
    public bool IsHigh => HighMask != 0;

    /// <summary>All ones when this &gt; n/2, else 0 (no branch).</summary>
    public ulong HighMask
    {
        get
        {
            // HalfN - this borrows  <=>  this > HalfN.
            var h = HalfN;
            var w = h.L0 < L0 ? 1UL : 0UL;
            var t = h.L1 - L1; var w1 = (h.L1 < L1 ? 1UL : 0UL) + (t < w ? 1UL : 0UL); w = w1;
            t = h.L2 - L2; w1 = (h.L2 < L2 ? 1UL : 0UL) + (t < w ? 1UL : 0UL); w = w1;
            t = h.L3 - L3; w1 = (h.L3 < L3 ? 1UL : 0UL) + (t < w ? 1UL : 0UL);
            return 0UL - w1;
        }
    }

    private bool LessThanN()
    {
        var w = L0 < N0 ? 1UL : 0UL;
        var t = L1 - N1; var w1 = (L1 < N1 ? 1UL : 0UL) + (t < w ? 1UL : 0UL); w = w1;
        t = L2 - N2; w1 = (L2 < N2 ? 1UL : 0UL) + (t < w ? 1UL : 0UL); w = w1;
        t = L3 - N3; w1 = (L3 < N3 ? 1UL : 0UL) + (t < w ? 1UL : 0UL);
        return w1 != 0;
    }

    /// <summary>(t0..t3 + t4·2^256) mod n for a value below 2n: subtracts n when the value is not below it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Scalar SubtractNIfNotBelow(ulong t0, ulong t1, ulong t2, ulong t3, ulong t4)
    {
        var u0 = t0 - N0; var w = t0 < N0 ? 1UL : 0UL;
        var u1 = t1 - N1; var w1 = (t1 < N1 ? 1UL : 0UL) + (u1 < w ? 1UL : 0UL); u1 -= w;
        var u2 = t2 - N2; var w2 = (t2 < N2 ? 1UL : 0UL) + (u2 < w1 ? 1UL : 0UL); u2 -= w1;
        var u3 = t3 - N3; var w3 = (t3 < N3 ? 1UL : 0UL) + (u3 < w2 ? 1UL : 0UL); u3 -= w2;
        // Keep t when the subtraction borrowed beyond the 5th limb: t4 - w3 < 0.
        var keep = (t4 < w3 ? 1UL : 0UL);
        var mask = 0UL - keep;
        return new Scalar((t0 & mask) | (u0 & ~mask), (t1 & mask) | (u1 & ~mask),
            (t2 & mask) | (u2 & ~mask), (t3 & mask) | (u3 & ~mask));
    }

    public static Scalar Add(in Scalar a, in Scalar b)
    {
        var t0 = a.L0 + b.L0; var c = t0 < b.L0 ? 1UL : 0UL;
        var t1 = a.L1 + c; var c1 = t1 < c ? 1UL : 0UL; t1 += b.L1; c1 += t1 < b.L1 ? 1UL : 0UL;
        var t2 = a.L2 + c1; var c2 = t2 < c1 ? 1UL : 0UL; t2 += b.L2; c2 += t2 < b.L2 ? 1UL : 0UL;
        var t3 = a.L3 + c2; var c3 = t3 < c2 ? 1UL : 0UL; t3 += b.L3; c3 += t3 < b.L3 ? 1UL : 0UL;
        return SubtractNIfNotBelow(t0, t1, t2, t3, c3);
    }

    /// <summary>n - a (0 for 0).</summary>
    public static Scalar Negate(in Scalar a)
    {
        var t0 = N0 - a.L0; var w = N0 < a.L0 ? 1UL : 0UL;
        var t1 = N1 - a.L1; var w1 = (N1 < a.L1 ? 1UL : 0UL) + (t1 < w ? 1UL : 0UL); t1 -= w;
        var t2 = N2 - a.L2; var w2 = (N2 < a.L2 ? 1UL : 0UL) + (t2 < w1 ? 1UL : 0UL); t2 -= w1;
        var t3 = N3 - a.L3 - w2;
        // 0 maps to 0, not n: mask the result when a is zero, without a branch.
        var x = a.L0 | a.L1 | a.L2 | a.L3;
        var mask = 0UL - ((x | (0UL - x)) >> 63);
        return new Scalar(t0 & mask, t1 & mask, t2 & mask, t3 & mask);
    }

    /// <summary>mask ? a : b.</summary>
    public static Scalar Select(ulong mask, in Scalar a, in Scalar b) => new(
        (a.L0 & mask) | (b.L0 & ~mask), (a.L1 & mask) | (b.L1 & ~mask),
        (a.L2 & mask) | (b.L2 & ~mask), (a.L3 & mask) | (b.L3 & ~mask));

    /// <summary>t + a·b + carry: the low word to t, the high word to carry (never overflows 128 bits).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MulAdd(ref ulong t, ulong a, ulong b, ref ulong carry)
    {
        var hi = FieldElement.MulHigh(a, b);
        var lo = a * b;
        lo += t; hi += lo < t ? 1UL : 0UL;
        lo += carry; hi += lo < carry ? 1UL : 0UL;
        t = lo;
        carry = hi;
    }

    /// <summary>a·b·2^-256 mod n (Montgomery product, CIOS).</summary>
    private static Scalar MontMul(in Scalar a, in Scalar b)
    {
        ulong t0 = 0, t1 = 0, t2 = 0, t3 = 0, t4 = 0;
        for (var i = 0; i < 4; i++)
        {
            var bi = i switch { 0 => b.L0, 1 => b.L1, 2 => b.L2, _ => b.L3 };
            // t += a·bi
            ulong c = 0;
            MulAdd(ref t0, a.L0, bi, ref c);
            MulAdd(ref t1, a.L1, bi, ref c);
            MulAdd(ref t2, a.L2, bi, ref c);
            MulAdd(ref t3, a.L3, bi, ref c);
            t4 += c;
            var t5 = t4 < c ? 1UL : 0UL;
            // t = (t + m·n) / 2^64 with m chosen so the low limb becomes 0.
            var m = t0 * NPrime;
            c = 0;
            MulAdd(ref t0, m, N0, ref c);
            MulAdd(ref t1, m, N1, ref c);
            MulAdd(ref t2, m, N2, ref c);
            MulAdd(ref t3, m, N3, ref c);
            t4 += c;
            t5 += t4 < c ? 1UL : 0UL;
            t0 = t1; t1 = t2; t2 = t3; t3 = t4; t4 = t5;
        }
        return SubtractNIfNotBelow(t0, t1, t2, t3, t4);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MulAcc(ref ulong c0, ref ulong c1, ref ulong c2, ulong a, ulong b)
    {
        var hi = FieldElement.MulHigh(a, b);
        var lo = a * b;
        c0 += lo;
        hi += c0 < lo ? 1UL : 0UL;
        c1 += hi;
        c2 += c1 < hi ? 1UL : 0UL;
    }

    /// <summary>round(k·g / 2^384) for a 256-bit constant g: bits 384.. of the 512-bit product plus bit 383. No branches.</summary>
    public static Scalar MulShift384(in Scalar k, ulong g0, ulong g1, ulong g2, ulong g3)
    {
        ulong c0 = 0, c1 = 0, c2 = 0;
        // Columns 0..4 only matter through their carries; column 5 holds bit 383 (the rounding bit).
        MulAcc(ref c0, ref c1, ref c2, k.L0, g0);
        c0 = c1; c1 = c2; c2 = 0;
        MulAcc(ref c0, ref c1, ref c2, k.L0, g1); MulAcc(ref c0, ref c1, ref c2, k.L1, g0);
        c0 = c1; c1 = c2; c2 = 0;
        MulAcc(ref c0, ref c1, ref c2, k.L0, g2); MulAcc(ref c0, ref c1, ref c2, k.L1, g1); MulAcc(ref c0, ref c1, ref c2, k.L2, g0);
        c0 = c1; c1 = c2; c2 = 0;
        MulAcc(ref c0, ref c1, ref c2, k.L0, g3); MulAcc(ref c0, ref c1, ref c2, k.L1, g2);
        MulAcc(ref c0, ref c1, ref c2, k.L2, g1); MulAcc(ref c0, ref c1, ref c2, k.L3, g0);
        c0 = c1; c1 = c2; c2 = 0;
        MulAcc(ref c0, ref c1, ref c2, k.L1, g3); MulAcc(ref c0, ref c1, ref c2, k.L2, g2); MulAcc(ref c0, ref c1, ref c2, k.L3, g1);
        c0 = c1; c1 = c2; c2 = 0;
        MulAcc(ref c0, ref c1, ref c2, k.L2, g3); MulAcc(ref c0, ref c1, ref c2, k.L3, g2);
        var r5 = c0; c0 = c1; c1 = c2; c2 = 0;
        MulAcc(ref c0, ref c1, ref c2, k.L3, g3);
        var r6 = c0;
        var r7 = c1;
        // (r7 r6) + bit 383 (the top bit of r5); the sum stays below 2^129.
        var round = r5 >> 63;
        var l0 = r6 + round;
        var l1 = r7 + (l0 < round ? 1UL : 0UL);
        return new Scalar(l0, l1, 0, 0);
    }

    /// <summary>a·b mod n.</summary>
    public static Scalar Mul(in Scalar a, in Scalar b) => MontMul(MontMul(a, b), R2);

    /// <summary>
    /// a^-1 mod n by the binary extended Euclidean algorithm (0 for 0): about three times faster than
    /// <see cref="Invert"/>, but its branches and iteration count depend on a. Only for public values (r and s
    /// of a signature being recovered or verified).
    /// </summary>
    public static Scalar InvertVartime(in Scalar a)
    {
        if (a.IsZero) return Zero;
        // Invariants: x1·a ≡ u and x2·a ≡ v (mod n); u, v shrink until one of them is 1.
        Span<ulong> u = [a.L0, a.L1, a.L2, a.L3];
        Span<ulong> v = [N0, N1, N2, N3];
        Span<ulong> x1 = [1, 0, 0, 0];
        Span<ulong> x2 = [0, 0, 0, 0];
        while (!IsOne(u) && !IsOne(v))
        {
            while ((u[0] & 1) == 0)
            {
                ShiftRight1(u, 0);
                HalveModN(x1);
            }
            while ((v[0] & 1) == 0)
            {
                ShiftRight1(v, 0);
                HalveModN(x2);
            }
            if (!LessThan(u, v))
            {
                SubtractInPlace(u, v);
                SubtractModN(x1, x2);
            }
            else
            {
                SubtractInPlace(v, u);
                SubtractModN(x2, x1);
            }
        }
        var x = IsOne(u) ? x1 : x2;
        return new Scalar(x[0], x[1], x[2], x[3]);
    }

    /// <summary>
    /// a^-1 mod n for a secret a, by multiplicative blinding: a·b for a fresh random b is uniform and independent
    /// of a, so the variable-time inversion of a·b reveals nothing about a; then (a·b)^-1·b = a^-1. Twice as fast
    /// as <see cref="Invert"/>; the multiplications are constant-time.
    /// </summary>
    public static Scalar InvertBlinded(in Scalar a)
    {
        Span<byte> random = stackalloc byte[32];
        Scalar b;
        do System.Security.Cryptography.RandomNumberGenerator.Fill(random);
        while (!TryRead(random, out b) || b.IsZero);
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(random);
        return Mul(InvertVartime(Mul(a, b)), b);
    }

    private static bool IsOne(ReadOnlySpan<ulong> x) => x[0] == 1 && (x[1] | x[2] | x[3]) == 0;

    private static bool LessThan(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b)
    {
        for (var i = 3; i >= 0; i--)
        {
            if (a[i] != b[i]) return a[i] < b[i];
        }
        return false;
    }

    /// <summary>x = (x >> 1) with <paramref name="top"/> shifted into bit 255.</summary>
    private static void ShiftRight1(Span<ulong> x, ulong top)
    {
        x[0] = (x[0] >> 1) | (x[1] << 63);
        x[1] = (x[1] >> 1) | (x[2] << 63);
        x[2] = (x[2] >> 1) | (x[3] << 63);
        x[3] = (x[3] >> 1) | (top << 63);
    }

    /// <summary>x = x / 2 mod n for x &lt; n: x >> 1 when even, (x + n) >> 1 (a 257-bit sum) when odd.</summary>
    private static void HalveModN(Span<ulong> x)
    {
        ulong carry = 0;
        if ((x[0] & 1) != 0)
        {
            x[0] += N0; var c = x[0] < N0 ? 1UL : 0UL;
            x[1] += c; var c1 = x[1] < c ? 1UL : 0UL; x[1] += N1; c1 += x[1] < N1 ? 1UL : 0UL;
            x[2] += c1; var c2 = x[2] < c1 ? 1UL : 0UL; x[2] += N2; c2 += x[2] < N2 ? 1UL : 0UL;
            x[3] += c2; var c3 = x[3] < c2 ? 1UL : 0UL; x[3] += N3; c3 += x[3] < N3 ? 1UL : 0UL;
            carry = c3;
        }
        ShiftRight1(x, carry);
    }

    /// <summary>a = a - b for a &gt;= b.</summary>
    private static void SubtractInPlace(Span<ulong> a, ReadOnlySpan<ulong> b)
    {
        ulong borrow = 0;
        for (var i = 0; i < 4; i++)
        {
            var d = a[i] - b[i];
            var w = a[i] < b[i] ? 1UL : 0UL;
            w += d < borrow ? 1UL : 0UL;
            a[i] = d - borrow;
            borrow = w;
        }
    }

    /// <summary>a = a - b mod n for a, b &lt; n.</summary>
    private static void SubtractModN(Span<ulong> a, ReadOnlySpan<ulong> b)
    {
        if (LessThan(a, b))
        {
            // a - b + n = a + (n - b)
            Span<ulong> t = [N0, N1, N2, N3];
            SubtractInPlace(t, b);
            ulong carry = 0;
            for (var i = 0; i < 4; i++)
            {
                var s = a[i] + carry;
                var c = s < carry ? 1UL : 0UL;
                s += t[i];
                c += s < t[i] ? 1UL : 0UL;
                a[i] = s;
                carry = c;
            }
        }
        else SubtractInPlace(a, b);
    }

    /// <summary>a^-1 mod n by Fermat (a^(n-2)); 0 for 0. The exponent is public, so the sequence is fixed: constant-time in a.</summary>
    public static Scalar Invert(in Scalar a)
    {
        // Montgomery domain: aR. Window of 4 bits over n - 2.
        Span<Scalar> table = stackalloc Scalar[16];
        table[0] = MontMul(One, R2); // R mod n, i.e. 1
        table[1] = MontMul(a, R2);
        for (var i = 2; i < 16; i++) table[i] = MontMul(table[i - 1], table[1]);
        var e = new Scalar(N0 - 2, N1, N2, N3);
        var acc = table[0];
        for (var i = 63; i >= 0; i--)
        {
            acc = MontMul(acc, acc);
            acc = MontMul(acc, acc);
            acc = MontMul(acc, acc);
            acc = MontMul(acc, acc);
            var d = e.Nibble(i);
            if (d != 0) acc = MontMul(acc, table[d]); // d is a digit of the public exponent
        }
        return MontMul(acc, One);
    }
}
