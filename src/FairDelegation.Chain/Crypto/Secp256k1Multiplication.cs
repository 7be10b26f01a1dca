using System.Runtime.CompilerServices;

namespace FairDelegation.Chain.Crypto;

/// <summary>
/// Scalar multiplications on secp256k1:
/// <list type="bullet">
/// <item><see cref="MulGenerator"/>: k·G with a fixed table j·64^i·G (43 windows × 32 points, 86 KiB, built once),
/// signed 6-bit digits, 43 mixed additions and no doublings. Constant-time: every table entry of a window is read
/// and masked, every window performs its addition, a zero digit discards the sum by masking.</item>
/// <item><see cref="Mul"/>: k·P for any P, GLV-split into two 132-bit halves with 4-bit fixed windows: 128
/// doublings and 66 additions of entries chosen by masked scans. Constant-time (complete formulas, so the point at
/// infinity needs no branch; signs applied by masks).</item>
/// <item><see cref="MulGeneratorAddMulVartime"/>: u1·G + u2·Q for verification and recovery, where every input is
/// public: GLV endomorphism split, Shamir's trick over width-w NAFs in Jacobian coordinates. Not constant-time,
/// and need not be.</item>
/// </list>
/// </summary>
internal static class EcMultiplication
{
    /// <summary>The generator G.</summary>
    public static readonly AffinePoint G = new(
        new FieldElement(0x59F2815B16F81798UL, 0x029BFCDB2DCE28D9UL, 0x55A06295CE870B07UL, 0x79BE667EF9DCBBACUL),
        new FieldElement(0x9C47D08FFB10D4B8UL, 0xFD17B448A6855419UL, 0x5DA4FBFC0E1108A8UL, 0x483ADA7726A3C465UL));

    /// <summary>β, a cube root of unity mod p: (x, y) -> (βx, y) is the endomorphism P -> λ·P.</summary>
    private static readonly FieldElement Beta =
        new(0xC1396C28719501EEUL, 0x9CF0497512F58995UL, 0x6E64479EAC3434E9UL, 0x7AE96A2B657C0710UL);

    /// <summary>λ, the matching cube root of unity mod n.</summary>
    internal static readonly System.Numerics.BigInteger Lambda = System.Numerics.BigInteger.Parse(
        "05363ad4cc05c30e0a5261c028812645a122e22ea20816678df02967c1b23bd72", System.Globalization.NumberStyles.HexNumber);

    // From a reduced basis (a1, b1), (a2, b2) of the lattice {(a, b) : a + bλ ≡ 0 mod n}, with b2 = a1 and b1 < 0,
    // the split needs a1 and -b1 only (a2 = 0x114ca50f7a8e2f3f657c1108d9d44cfd8 is not needed: k1 = k - k2·λ).
    private static readonly System.Numerics.BigInteger A1 = System.Numerics.BigInteger.Parse(
        "03086d221a7d46bcde86c90e49284eb15", System.Globalization.NumberStyles.HexNumber);
    private static readonly System.Numerics.BigInteger MinusB1 = System.Numerics.BigInteger.Parse(
        "0e4437ed6010e88286f547fa90abfe4c3", System.Globalization.NumberStyles.HexNumber);

    /// <summary>Bits per window of the fixed-base comb, signed digits in [-31, 32].</summary>
    private const int CombBits = 6;

    /// <summary>ceil(256 / 6) windows.</summary>
    private const int CombWindows = 43;

    /// <summary>Entries per window: |digit| = 1..32.</summary>
    private const int CombEntries = 32;

    /// <summary>Entry i·32 + (j - 1) = j·2^(6i)·G for j = 1..32 (43 × 32 affine points, 86 KiB).</summary>
    private static readonly AffinePoint[] GeneratorTable = BuildGeneratorTable();

    private static AffinePoint[] BuildGeneratorTable()
    {
        var points = new CurvePoint[CombWindows * CombEntries];
        var baseI = CurvePoint.FromAffine(G);
        for (var i = 0; i < CombWindows; i++)
        {
            var acc = baseI;
            points[i * CombEntries] = acc;
            for (var j = 2; j <= CombEntries; j++)
            {
                acc = CurvePoint.Add(acc, baseI);
                points[i * CombEntries + j - 1] = acc;
            }
            baseI = CurvePoint.Double(acc); // 64·baseI
        }
        return CurvePoint.ToAffineBatch(points);
    }

    /// <summary>All ones when a == b (small non-negative integers), else 0, without a branch.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong EqualMask(int a, int b) => 0UL - (((uint)(a ^ b) - 1) >> 31);

    /// <summary>
    /// k·G, constant-time in k: k recoded on the fly into 43 signed 6-bit digits (carry and sign by arithmetic),
    /// per window a masked scan of all 32 entries, a masked negation, and a mixed addition whose result a zero
    /// digit discards by mask. 43 additions, no doublings.
    /// </summary>
    public static CurvePoint MulGenerator(in Scalar k)
    {
        var acc = CurvePoint.Infinity;
        var table = GeneratorTable;
        var carry = 0;
        for (var i = 0; i < CombWindows; i++)
        {
            var d = k.Bits(i * CombBits, Math.Min(CombBits, 256 - i * CombBits)) + carry; // 0..64
            carry = (int)((uint)(CombEntries - d) >> 31); // 1 when d > 32
            d -= carry << CombBits; // -31..32
            var sign = d >> 31; // all ones when negative
            var magnitude = (d ^ sign) - sign;
            ulong x0 = 0, x1 = 0, x2 = 0, x3 = 0, y0 = 0, y1 = 0, y2 = 0, y3 = 0;
            for (var j = 1; j <= CombEntries; j++)
            {
                var m = EqualMask(j, magnitude);
                ref readonly var e = ref table[i * CombEntries + j - 1];
                x0 |= e.X.L0 & m; x1 |= e.X.L1 & m; x2 |= e.X.L2 & m; x3 |= e.X.L3 & m;
                y0 |= e.Y.L0 & m; y1 |= e.Y.L1 & m; y2 |= e.Y.L2 & m; y3 |= e.Y.L3 & m;
            }
            var y = new FieldElement(y0, y1, y2, y3);
            y = FieldElement.Select((ulong)(long)sign, FieldElement.Negate(y), y);
            var sum = CurvePoint.AddAffine(acc, new AffinePoint(new FieldElement(x0, x1, x2, x3), y));
            acc = CurvePoint.Select(~EqualMask(magnitude, 0), sum, acc);
        }
        return acc;
    }

    // g1 = round(2^384·a1 / n), g2 = round(2^384·(-b1) / n): round(k·gi / 2^384) approximates Babai's rounding
    // without a division (the split of libsecp256k1); the halves stay below 2^128 in magnitude.
    private const ulong G1L0 = 0xE893209A45DBB031UL, G1L1 = 0x3DAA8A1471E8CA7FUL, G1L2 = 0xE86C90E49284EB15UL, G1L3 = 0x3086D221A7D46BCDUL;
    private const ulong G2L0 = 0x1571B4AE8AC47F71UL, G2L1 = 0x221208AC9DF506C6UL, G2L2 = 0x6F547FA90ABFE4C4UL, G2L3 = 0xE4437ED6010E8828UL;

    private static readonly Scalar MinusB1Scalar = Scalar.FromBigInteger(MinusB1);
    private static readonly Scalar MinusB2Scalar = Scalar.FromBigInteger(Scalar.Order - A1);
    private static readonly Scalar MinusLambdaScalar = Scalar.FromBigInteger(Scalar.Order - Lambda);

    /// <summary>Windows of 4 bits covering the halves (128 bits, with 4 bits of margin).</summary>
    private const int HalfWindows = 33;

    /// <summary>
    /// k = k1 + k2·λ (mod n), both returned as magnitudes below 2^132 with all-ones masks for their signs;
    /// the same instructions whatever k (constant-time).
    /// </summary>
    internal static (Scalar K1, ulong Negative1, Scalar K2, ulong Negative2) SplitLambdaConstantTime(in Scalar k)
    {
        var c1 = Scalar.MulShift384(k, G1L0, G1L1, G1L2, G1L3);
        var c2 = Scalar.MulShift384(k, G2L0, G2L1, G2L2, G2L3);
        var k2 = Scalar.Add(Scalar.Mul(c1, MinusB1Scalar), Scalar.Mul(c2, MinusB2Scalar));
        var k1 = Scalar.Add(Scalar.Mul(k2, MinusLambdaScalar), k);
        var neg1 = k1.HighMask;
        var neg2 = k2.HighMask;
        k1 = Scalar.Select(neg1, Scalar.Negate(k1), k1);
        k2 = Scalar.Select(neg2, Scalar.Negate(k2), k2);
        // Never true (the bound is proven for this split); checked because a silent wrong product would be worse.
        if (((k1.L3 | k2.L3) | ((k1.L2 | k2.L2) >> 4)) != 0) throw new InvalidOperationException("scalar split out of bounds");
        return (k1, neg1, k2, neg2);
    }

    /// <summary>
    /// k·P, constant-time in k (and in P: its tables are built by a fixed sequence). GLV: k = ±k1 ± k2·λ with
    /// 132-bit halves, 4-bit windows over the tables j·(±P) and j·(±λP) (λ·(x, y) = (βx, y), so the second table
    /// costs one multiplication per entry), 128 doublings and 66 additions, each of an entry chosen by a masked
    /// scan of 16. Signs are applied by masked negation.
    /// </summary>
    public static CurvePoint Mul(in CurvePoint p, in Scalar k)
    {
        var (k1, neg1, k2, neg2) = SplitLambdaConstantTime(k);
        var p1 = CurvePoint.Select(neg1, CurvePoint.Negate(p), p);

        Span<CurvePoint> table1 = stackalloc CurvePoint[16];
        Span<CurvePoint> table2 = stackalloc CurvePoint[16];
        table1[0] = CurvePoint.Infinity;
        table1[1] = p1;
        for (var j = 2; j < 16; j++) table1[j] = (j & 1) == 0 ? CurvePoint.Double(table1[j / 2]) : CurvePoint.Add(table1[j - 1], p1);
        // j·(±λP) = (β·X_j, ±Y_j, Z_j), where the sign flips when the halves' signs differ.
        var flip = neg1 ^ neg2;
        for (var j = 0; j < 16; j++)
        {
            ref readonly var e = ref table1[j];
            table2[j] = new CurvePoint(FieldElement.Mul(e.X, Beta), FieldElement.Select(flip, FieldElement.Negate(e.Y), e.Y), e.Z);
        }

        var acc = CurvePoint.Infinity;
        for (var i = HalfWindows - 1; i >= 0; i--)
        {
            if (i != HalfWindows - 1)
            {
                acc = CurvePoint.Double(acc);
                acc = CurvePoint.Double(acc);
                acc = CurvePoint.Double(acc);
                acc = CurvePoint.Double(acc);
            }
            acc = CurvePoint.Add(acc, Lookup(table1, k1.Nibble(i)));
            acc = CurvePoint.Add(acc, Lookup(table2, k2.Nibble(i)));
        }
        return acc;
    }

    /// <summary>table[d] by reading all 16 entries and keeping the one whose index equals d (masks, no branch).</summary>
    private static CurvePoint Lookup(ReadOnlySpan<CurvePoint> table, int d)
    {
        var e = CurvePoint.Infinity;
        for (var j = 0; j < 16; j++) e = CurvePoint.Select(EqualMask(j, d), table[j], e);
        return e;
    }

    /// <summary>NAF width for the point given at run time (8 odd multiples, built per call).</summary>
    private const int WnafWidth = 5;

    /// <summary>NAF width for G (64 odd multiples, built once).</summary>
    private const int WnafWidthG = 8;

    /// <summary>Entry i = (2i + 1)·G.</summary>
    private static readonly AffinePoint[] GeneratorOddMultiples = BuildOddMultiples();

    private static AffinePoint[] BuildOddMultiples()
    {
        var points = new CurvePoint[1 << (WnafWidthG - 2)];
        var g = CurvePoint.FromAffine(G);
        var g2 = CurvePoint.Double(g);
        points[0] = g;
        for (var i = 1; i < points.Length; i++) points[i] = CurvePoint.Add(points[i - 1], g2);
        return CurvePoint.ToAffineBatch(points);
    }

    /// <summary>Entry i = λ·(2i + 1)·G = (β·x, y) of <see cref="GeneratorOddMultiples"/>.</summary>
    private static readonly AffinePoint[] GeneratorOddMultiplesLambda =
        GeneratorOddMultiples.Select(e => new AffinePoint(FieldElement.Mul(e.X, Beta), e.Y)).ToArray();

    /// <summary>
    /// u1·G + u2·Q, variable-time (public inputs only): both scalars split by the endomorphism into halves of 128
    /// bits (GLV), Shamir's trick over the four products in one chain of ~128 doublings, width-8 NAFs over the
    /// precomputed odd multiples of G and λG, width-5 NAFs over those of Q and λQ, Jacobian coordinates.
    /// </summary>
    public static JacobianPoint MulGeneratorAddMulVartime(in Scalar u1, in Scalar u2, in AffinePoint q)
    {
        // The division-free split is cheaper than the BigInteger one; its constant-time property is not needed here.
        var (g1, negG1, g2, negG2) = SplitLambdaConstantTime(u1);
        var (q1, negQ1, q2, negQ2) = SplitLambdaConstantTime(u2);
        Span<int> nafG1 = stackalloc int[257];
        Span<int> nafG2 = stackalloc int[257];
        Span<int> nafQ1 = stackalloc int[257];
        Span<int> nafQ2 = stackalloc int[257];
        var topG1 = Naf(g1, nafG1, WnafWidthG);
        var topG2 = Naf(g2, nafG2, WnafWidthG);
        var topQ1 = Naf(q1, nafQ1, WnafWidth);
        var topQ2 = Naf(q2, nafQ2, WnafWidth);
        int signG1 = negG1 == 0 ? 1 : -1, signG2 = negG2 == 0 ? 1 : -1, signQ1 = negQ1 == 0 ? 1 : -1, signQ2 = negQ2 == 0 ? 1 : -1;

        // Odd multiples Q, 3Q, ..., 15Q and their images λ·(jQ) = (β·X, Y, Z).
        Span<JacobianPoint> odd = stackalloc JacobianPoint[1 << (WnafWidth - 2)];
        Span<JacobianPoint> oddLambda = stackalloc JacobianPoint[1 << (WnafWidth - 2)];
        if (topQ1 >= 0 || topQ2 >= 0)
        {
            odd[0] = JacobianPoint.FromAffine(q);
            var twice = JacobianPoint.Double(odd[0]);
            for (var j = 1; j < odd.Length; j++) odd[j] = JacobianPoint.Add(odd[j - 1], twice);
            for (var j = 0; j < odd.Length; j++) oddLambda[j] = new JacobianPoint(FieldElement.Mul(odd[j].X, Beta), odd[j].Y, odd[j].Z);
        }

        var acc = JacobianPoint.Infinity;
        var top = Math.Max(Math.Max(topG1, topG2), Math.Max(topQ1, topQ2));
        for (var i = top; i >= 0; i--)
        {
            acc = JacobianPoint.Double(acc);
            var d = nafQ1[i] * signQ1;
            if (d != 0) acc = JacobianPoint.Add(acc, d > 0 ? odd[(d - 1) / 2] : odd[(-d - 1) / 2].Negate());
            d = nafQ2[i] * signQ2;
            if (d != 0) acc = JacobianPoint.Add(acc, d > 0 ? oddLambda[(d - 1) / 2] : oddLambda[(-d - 1) / 2].Negate());
            d = nafG1[i] * signG1;
            if (d != 0) acc = AddTableEntry(acc, GeneratorOddMultiples, d);
            d = nafG2[i] * signG2;
            if (d != 0) acc = AddTableEntry(acc, GeneratorOddMultiplesLambda, d);
        }
        return acc;
    }

    private static JacobianPoint AddTableEntry(in JacobianPoint acc, AffinePoint[] table, int digit)
    {
        if (digit > 0) return JacobianPoint.AddAffine(acc, table[(digit - 1) / 2]);
        ref readonly var e = ref table[(-digit - 1) / 2];
        return JacobianPoint.AddAffine(acc, new AffinePoint(e.X, FieldElement.Negate(e.Y)));
    }

    /// <summary>NAF of k, or -1 (and no digits) when k = 0.</summary>
    private static int Naf(in Scalar k, Span<int> digits, int width)
    {
        if (k.IsZero)
        {
            digits.Clear();
            return -1;
        }
        return Wnaf(k, digits, width);
    }

    /// <summary>
    /// Width-w non-adjacent form of k: digits odd, |digit| &lt; 2^(w-1), at least w-1 zeros between non-zero digits.
    /// Returns the index of the highest non-zero digit.
    /// </summary>
    private static int Wnaf(in Scalar k, Span<int> digits, int width)
    {
        digits.Clear();
        int carry = 0, bit = 0, top = 0;
        while (bit < 256)
        {
            // What remains to write is (k >> bit) + carry; an even value needs no digit here.
            if (k.Bit(bit) == carry) { bit++; continue; }
            var now = Math.Min(width, 256 - bit);
            var word = k.Bits(bit, now) + carry;
            carry = (word >> (width - 1)) & 1;
            word -= carry << width;
            digits[bit] = word;
            top = bit;
            bit += now;
        }
        if (carry != 0) { digits[256] = 1; top = 256; }
        return top;
    }

}
