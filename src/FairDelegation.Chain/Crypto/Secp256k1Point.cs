using System.Runtime.CompilerServices;

namespace FairDelegation.Chain.Crypto;

/// <summary>A point of secp256k1 in affine coordinates (never the point at infinity).</summary>
internal readonly struct AffinePoint(FieldElement x, FieldElement y)
{
    public readonly FieldElement X = x;
    public readonly FieldElement Y = y;

    /// <summary>y^2 = x^3 + 7.</summary>
    public bool IsOnCurve => FieldElement.Square(Y).Equals(FieldElement.Add(FieldElement.Mul(FieldElement.Square(X), X), CurvePoint.B));
}

/// <summary>
/// A point of secp256k1 in homogeneous projective coordinates (x = X/Z, y = Y/Z; infinity is (0 : 1 : 0)), with
/// the complete addition formulas of Renes, Costello and Batina ("Complete addition formulas for prime order
/// elliptic curves", 2016, algorithms 7, 8 and 9 for a = 0). Complete means one formula for every input,
/// doubling and the point at infinity included: no branch on the points, hence usable on secrets.
/// </summary>
internal readonly struct CurvePoint(FieldElement x, FieldElement y, FieldElement z)
{
    public readonly FieldElement X = x;
    public readonly FieldElement Y = y;
    public readonly FieldElement Z = z;

    /// <summary>b = 7.</summary>
    public static readonly FieldElement B = new(7, 0, 0, 0);

    /// <summary>3b = 21.</summary>
    private const ulong B3 = 21;

    public static readonly CurvePoint Infinity = new(FieldElement.Zero, FieldElement.One, FieldElement.Zero);

    public bool IsInfinity => Z.IsZero;

    public static CurvePoint FromAffine(in AffinePoint a) => new(a.X, a.Y, FieldElement.One);

    public static CurvePoint Negate(in CurvePoint p) => new(p.X, FieldElement.Negate(p.Y), p.Z);

    /// <summary>mask ? a : b.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static CurvePoint Select(ulong mask, in CurvePoint a, in CurvePoint b) =>
        new(FieldElement.Select(mask, a.X, b.X), FieldElement.Select(mask, a.Y, b.Y), FieldElement.Select(mask, a.Z, b.Z));

    /// <summary>The affine form; the caller must have excluded infinity.</summary>
    public AffinePoint ToAffine()
    {
        var zi = FieldElement.Invert(Z);
        return new AffinePoint(FieldElement.Mul(X, zi), FieldElement.Mul(Y, zi));
    }

    /// <summary>P1 + P2 (RCB algorithm 7: 12M + 2·m3b + 19a).</summary>
    public static CurvePoint Add(in CurvePoint p, in CurvePoint q)
    {
        var t0 = FieldElement.Mul(p.X, q.X);
        var t1 = FieldElement.Mul(p.Y, q.Y);
        var t2 = FieldElement.Mul(p.Z, q.Z);
        var t3 = FieldElement.Mul(FieldElement.Add(p.X, p.Y), FieldElement.Add(q.X, q.Y));
        var t4 = FieldElement.Add(t0, t1);
        t3 = FieldElement.Sub(t3, t4);
        t4 = FieldElement.Mul(FieldElement.Add(p.Y, p.Z), FieldElement.Add(q.Y, q.Z));
        var x3 = FieldElement.Add(t1, t2);
        t4 = FieldElement.Sub(t4, x3);
        x3 = FieldElement.Mul(FieldElement.Add(p.X, p.Z), FieldElement.Add(q.X, q.Z));
        var y3 = FieldElement.Add(t0, t2);
        y3 = FieldElement.Sub(x3, y3);
        x3 = FieldElement.Add(t0, t0);
        t0 = FieldElement.Add(x3, t0);
        t2 = FieldElement.MulSmall(t2, B3);
        var z3 = FieldElement.Add(t1, t2);
        t1 = FieldElement.Sub(t1, t2);
        y3 = FieldElement.MulSmall(y3, B3);
        x3 = FieldElement.Mul(t4, y3);
        t2 = FieldElement.Mul(t3, t1);
        x3 = FieldElement.Sub(t2, x3);
        y3 = FieldElement.Mul(y3, t0);
        t1 = FieldElement.Mul(t1, z3);
        y3 = FieldElement.Add(t1, y3);
        t0 = FieldElement.Mul(t0, t3);
        z3 = FieldElement.Mul(z3, t4);
        z3 = FieldElement.Add(z3, t0);
        return new CurvePoint(x3, y3, z3);
    }

    /// <summary>P1 + P2 with P2 affine (RCB algorithm 8: 11M + 2·m3b + 13a). P2 must not be infinity.</summary>
    public static CurvePoint AddAffine(in CurvePoint p, in AffinePoint q)
    {
        var t0 = FieldElement.Mul(p.X, q.X);
        var t1 = FieldElement.Mul(p.Y, q.Y);
        var t3 = FieldElement.Mul(FieldElement.Add(q.X, q.Y), FieldElement.Add(p.X, p.Y));
        var t4 = FieldElement.Add(t0, t1);
        t3 = FieldElement.Sub(t3, t4);
        t4 = FieldElement.Add(FieldElement.Mul(q.Y, p.Z), p.Y);
        var y3 = FieldElement.Add(FieldElement.Mul(q.X, p.Z), p.X);
        var x3 = FieldElement.Add(t0, t0);
        t0 = FieldElement.Add(x3, t0);
        var t2 = FieldElement.MulSmall(p.Z, B3);
        var z3 = FieldElement.Add(t1, t2);
        t1 = FieldElement.Sub(t1, t2);
        y3 = FieldElement.MulSmall(y3, B3);
        x3 = FieldElement.Mul(t4, y3);
        t2 = FieldElement.Mul(t3, t1);
        x3 = FieldElement.Sub(t2, x3);
        y3 = FieldElement.Mul(y3, t0);
        t1 = FieldElement.Mul(t1, z3);
        y3 = FieldElement.Add(t1, y3);
        t0 = FieldElement.Mul(t0, t3);
        z3 = FieldElement.Mul(z3, t4);
        z3 = FieldElement.Add(z3, t0);
        return new CurvePoint(x3, y3, z3);
    }

    /// <summary>2P (RCB algorithm 9: 6M + 2S + 1·m3b + 9a).</summary>
    public static CurvePoint Double(in CurvePoint p)
    {
        var t0 = FieldElement.Square(p.Y);
        var z3 = FieldElement.Add(t0, t0);
        z3 = FieldElement.Add(z3, z3);
        z3 = FieldElement.Add(z3, z3);
        var t1 = FieldElement.Mul(p.Y, p.Z);
        var t2 = FieldElement.Square(p.Z);
        t2 = FieldElement.MulSmall(t2, B3);
        var x3 = FieldElement.Mul(t2, z3);
        var y3 = FieldElement.Add(t0, t2);
        z3 = FieldElement.Mul(t1, z3);
        t1 = FieldElement.Add(t2, t2);
        t2 = FieldElement.Add(t1, t2);
        t0 = FieldElement.Sub(t0, t2);
        y3 = FieldElement.Mul(t0, y3);
        y3 = FieldElement.Add(x3, y3);
        t1 = FieldElement.Mul(p.X, p.Y);
        x3 = FieldElement.Mul(t0, t1);
        x3 = FieldElement.Add(x3, x3);
        return new CurvePoint(x3, y3, z3);
    }

    /// <summary>Affine forms of many finite points with one inversion (Montgomery's trick).</summary>
    public static AffinePoint[] ToAffineBatch(ReadOnlySpan<CurvePoint> points)
    {
        var prefix = new FieldElement[points.Length];
        var acc = FieldElement.One;
        for (var i = 0; i < points.Length; i++)
        {
            prefix[i] = acc;
            acc = FieldElement.Mul(acc, points[i].Z);
        }
        var inv = FieldElement.Invert(acc); // 1 / (Z0 ... Zk)
        var result = new AffinePoint[points.Length];
        for (var i = points.Length - 1; i >= 0; i--)
        {
            var zi = FieldElement.Mul(inv, prefix[i]);
            inv = FieldElement.Mul(inv, points[i].Z);
            result[i] = new AffinePoint(FieldElement.Mul(points[i].X, zi), FieldElement.Mul(points[i].Y, zi));
        }
        return result;
    }
}
