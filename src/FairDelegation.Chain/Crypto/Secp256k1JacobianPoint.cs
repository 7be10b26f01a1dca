namespace FairDelegation.Chain.Crypto;

/// <summary>
/// A point in Jacobian coordinates (x = X/Z^2, y = Y/Z^3; Z = 0 is infinity) for the variable-time paths
/// (recovery, verification): cheaper doubling (2M + 5S, "dbl-2009-l") and additions ("add-2007-bl",
/// "madd-2007-bl" from the Explicit-Formulas Database) than the complete formulas, at the price of branches on
/// the special cases (infinity, equal or opposite points). Never use on secrets.
/// </summary>
internal readonly struct JacobianPoint(FieldElement x, FieldElement y, FieldElement z)
{
    public readonly FieldElement X = x;
    public readonly FieldElement Y = y;
    public readonly FieldElement Z = z;

    public static readonly JacobianPoint Infinity = new(FieldElement.One, FieldElement.One, FieldElement.Zero);

    public bool IsInfinity => Z.IsZero;

    public static JacobianPoint FromAffine(in AffinePoint a) => new(a.X, a.Y, FieldElement.One);

    public JacobianPoint Negate() => new(X, FieldElement.Negate(Y), Z);

    /// <summary>The affine form; the caller must have excluded infinity.</summary>
    public AffinePoint ToAffine()
    {
        var zi = FieldElement.Invert(Z);
        var zi2 = FieldElement.Square(zi);
        return new AffinePoint(FieldElement.Mul(X, zi2), FieldElement.Mul(Y, FieldElement.Mul(zi2, zi)));
    }

    /// <summary>The same point in homogeneous projective coordinates: (X·Z : Y : Z^3).</summary>
    public CurvePoint ToProjective() =>
        IsInfinity ? CurvePoint.Infinity : new CurvePoint(FieldElement.Mul(X, Z), Y, FieldElement.Mul(FieldElement.Square(Z), Z));

    public static JacobianPoint Double(in JacobianPoint p)
    {
        if (p.IsInfinity) return p; // no point of order 2 on secp256k1, so y is never 0
        var a = FieldElement.Square(p.X);
        var b = FieldElement.Square(p.Y);
        var c = FieldElement.Square(b);
        var d = FieldElement.Sub(FieldElement.Sub(FieldElement.Square(FieldElement.Add(p.X, b)), a), c);
        d = FieldElement.Double(d);
        var e = FieldElement.Add(FieldElement.Double(a), a);
        var f = FieldElement.Square(e);
        var x3 = FieldElement.Sub(f, FieldElement.Double(d));
        var c8 = FieldElement.Double(FieldElement.Double(FieldElement.Double(c)));
        var y3 = FieldElement.Sub(FieldElement.Mul(e, FieldElement.Sub(d, x3)), c8);
        var z3 = FieldElement.Double(FieldElement.Mul(p.Y, p.Z));
        return new JacobianPoint(x3, y3, z3);
    }

    /// <summary>P + Q for affine Q (madd-2007-bl: 7M + 4S).</summary>
    public static JacobianPoint AddAffine(in JacobianPoint p, in AffinePoint q)
    {
        if (p.IsInfinity) return FromAffine(q);
        var z1z1 = FieldElement.Square(p.Z);
        var u2 = FieldElement.Mul(q.X, z1z1);
        var s2 = FieldElement.Mul(q.Y, FieldElement.Mul(p.Z, z1z1));
        var h = FieldElement.Sub(u2, p.X);
        var r = FieldElement.Double(FieldElement.Sub(s2, p.Y));
        if (h.IsZero) return r.IsZero ? Double(p) : Infinity;
        var hh = FieldElement.Square(h);
        var i = FieldElement.Double(FieldElement.Double(hh));
        var j = FieldElement.Mul(h, i);
        var v = FieldElement.Mul(p.X, i);
        var x3 = FieldElement.Sub(FieldElement.Sub(FieldElement.Square(r), j), FieldElement.Double(v));
        var y3 = FieldElement.Sub(FieldElement.Mul(r, FieldElement.Sub(v, x3)), FieldElement.Double(FieldElement.Mul(p.Y, j)));
        var z3 = FieldElement.Sub(FieldElement.Sub(FieldElement.Square(FieldElement.Add(p.Z, h)), z1z1), hh);
        return new JacobianPoint(x3, y3, z3);
    }

    /// <summary>P + Q (add-2007-bl: 11M + 5S).</summary>
    public static JacobianPoint Add(in JacobianPoint p, in JacobianPoint q)
    {
        if (p.IsInfinity) return q;
        if (q.IsInfinity) return p;
        var z1z1 = FieldElement.Square(p.Z);
        var z2z2 = FieldElement.Square(q.Z);
        var u1 = FieldElement.Mul(p.X, z2z2);
        var u2 = FieldElement.Mul(q.X, z1z1);
        var s1 = FieldElement.Mul(p.Y, FieldElement.Mul(q.Z, z2z2));
        var s2 = FieldElement.Mul(q.Y, FieldElement.Mul(p.Z, z1z1));
        var h = FieldElement.Sub(u2, u1);
        var r = FieldElement.Double(FieldElement.Sub(s2, s1));
        if (h.IsZero) return r.IsZero ? Double(p) : Infinity;
        var i = FieldElement.Square(FieldElement.Double(h));
        var j = FieldElement.Mul(h, i);
        var v = FieldElement.Mul(u1, i);
        var x3 = FieldElement.Sub(FieldElement.Sub(FieldElement.Square(r), j), FieldElement.Double(v));
        var y3 = FieldElement.Sub(FieldElement.Mul(r, FieldElement.Sub(v, x3)), FieldElement.Double(FieldElement.Mul(s1, j)));
        var z3 = FieldElement.Mul(FieldElement.Sub(FieldElement.Sub(FieldElement.Square(FieldElement.Add(p.Z, q.Z)), z1z1), z2z2), h);
        return new JacobianPoint(x3, y3, z3);
    }
}
