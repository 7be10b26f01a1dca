using System.Numerics;
using System.Security.Cryptography;

namespace FairDelegation.Chain.Crypto;

/// <summary>
/// The secp256k1 curve as Ethereum uses it: private key to public key, deterministic (RFC 6979) low-s
/// ECDSA over a 32-byte hash with a recovery id, public key recovery, verification, ECDH.
/// Public keys are 64 bytes, X || Y (the uncompressed SEC1 point without its 0x04 prefix);
/// inputs may also be 65 bytes with the prefix, or 33 bytes compressed.
/// </summary>
/// <remarks>
/// Our own arithmetic (<see cref="FieldElement"/>, <see cref="Scalar"/>, <see cref="CurvePoint"/>,
/// <see cref="EcMultiplication"/>): 64-bit limbs, the special prime's reduction, complete projective formulas, a
/// fixed table for G. Operations on a private key or nonce (public key derivation, signing, ECDH) run a fixed
/// sequence of instructions and memory accesses whatever the secret; recovery and verification, which only see
/// public values, take shortcuts. Results are cross-checked against BouncyCastle and Foundry's cast in the tests.
/// </remarks>
public static class Secp256k1
{
    /// <summary>The group order n.</summary>
    public static readonly BigInteger N = Scalar.Order;

    /// <summary>n / 2: the largest S of a canonical (low-s) signature.</summary>
    public static readonly BigInteger HalfN = N / 2;

    /// <summary>The base point's x coordinate (used by the on-chain P(pk, sk) check).</summary>
    public static readonly BigInteger Gx = ToBigInteger(EcMultiplication.G.X);

    /// <summary>True when the 32 bytes are a valid private key: 1 &lt;= d &lt; n.</summary>
    public static bool IsValidPrivateKey(ReadOnlySpan<byte> privateKey) =>
        privateKey.Length == 32 && Scalar.TryRead(privateKey, out var d) && !d.IsZero;

    /// <summary>sk·G as 64 bytes X || Y.</summary>
    public static byte[] PublicKeyFromPrivateKey(ReadOnlySpan<byte> privateKey)
    {
        var result = new byte[64];
        PublicKeyFromPrivateKey(privateKey, result);
        return result;
    }

    /// <summary>sk·G written as X || Y to <paramref name="destination64"/> (no allocation).</summary>
    public static void PublicKeyFromPrivateKey(ReadOnlySpan<byte> privateKey, Span<byte> destination64)
    {
        if (destination64.Length != 64) throw new ArgumentException("a public key is 64 bytes (X || Y)", nameof(destination64));
        var d = PrivateScalar(privateKey);
        Encode(EcMultiplication.MulGenerator(d).ToAffine(), destination64);
    }

    /// <summary>Checks a public key (64, 65 or 33 bytes) is a point on the curve and returns its 64-byte form.</summary>
    public static byte[] NormalizePublicKey(ReadOnlySpan<byte> publicKey)
    {
        var result = new byte[64];
        Encode(DecodePublicKey(publicKey), result);
        return result;
    }

    /// <summary>
    /// Signs a 32-byte hash: k from RFC 6979 (HMAC-SHA256), S normalized to the low half, and the recovery id
    /// computed for the normalized signature (normalizing S negates the nonce point, flipping its y parity).
    /// </summary>
    public static EcdsaSignature Sign(ReadOnlySpan<byte> hash32, ReadOnlySpan<byte> privateKey)
    {
        if (hash32.Length != 32) throw new ArgumentException("ECDSA signs a 32-byte hash");
        var d = PrivateScalar(privateKey);
        var e = Scalar.ReadReduced(hash32);
        Span<byte> state = stackalloc byte[64];
        var nonces = new Rfc6979Nonce(privateKey, hash32, state);
        try
        {
            Span<byte> xBytes = stackalloc byte[32];
            while (true)
            {
                var k = nonces.Next();
                var point = EcMultiplication.MulGenerator(k).ToAffine();
                point.X.Write(xBytes);
                if (!Scalar.TryRead(xBytes, out var r))
                {
                    // x >= n (probability ~2^-128): r = x - n, whose point Ethereum's two recovery ids cannot name.
                    throw new InvalidOperationException("no Ethereum recovery id for this signature; sign a different message");
                }
                if (r.IsZero) continue;
                // s = k^-1 (e + r·d)
                var s = Scalar.Mul(Scalar.InvertBlinded(k), Scalar.Add(e, Scalar.Mul(r, d)));
                if (s.IsZero) continue;
                var v = (byte)(point.Y.IsOdd ? 1 : 0);
                if (s.IsHigh)
                {
                    s = Scalar.Negate(s);
                    v ^= 1;
                }
                return new EcdsaSignature(r.ToBigInteger(), s.ToBigInteger(), v);
            }
        }
        finally { nonces.Dispose(); }
    }

    /// <summary>
    /// The 64-byte public key that produced the signature over the hash. High-s signatures are rejected
    /// unless <paramref name="allowHighS"/> (Ethereum rejects them since EIP-2: they are malleable copies).
    /// </summary>
    public static byte[] RecoverPublicKey(ReadOnlySpan<byte> hash32, EcdsaSignature signature, bool allowHighS = false)
    {
        if (hash32.Length != 32) throw new ArgumentException("recovery needs the 32-byte signed hash");
        if (!allowHighS && !signature.IsLowS)
            throw new CryptographicException("signature has a high s value (not canonical)");
        var q = RecoverPoint(hash32, signature)
                ?? throw new CryptographicException("signature does not recover to a public key");
        var result = new byte[64];
        Encode(q, result);
        return result;
    }

    /// <summary>The Ethereum address that produced the signature (ecrecover); same rules as <see cref="RecoverPublicKey"/>.</summary>
    public static EthereumAddress RecoverAddress(ReadOnlySpan<byte> hash32, EcdsaSignature signature, bool allowHighS = false) =>
        EthereumAddress.FromPublicKey(RecoverPublicKey(hash32, signature, allowHighS));

    /// <summary>Plain ECDSA verification against a public key (the recovery id is not used).</summary>
    public static bool Verify(ReadOnlySpan<byte> hash32, EcdsaSignature signature, ReadOnlySpan<byte> publicKey)
    {
        if (hash32.Length != 32) return false;
        AffinePoint q;
        try { q = DecodePublicKey(publicKey); }
        catch (FormatException) { return false; }
        var r = Scalar.FromBigInteger(signature.R);
        var w = Scalar.InvertVartime(Scalar.FromBigInteger(signature.S));
        var u1 = Scalar.Mul(Scalar.ReadReduced(hash32), w);
        var u2 = Scalar.Mul(r, w);
        var x = EcMultiplication.MulGeneratorAddMulVartime(u1, u2, q);
        if (x.IsInfinity) return false;
        Span<byte> xBytes = stackalloc byte[32];
        x.ToAffine().X.Write(xBytes);
        // x mod n == r (x < p < 2n, so at most one subtraction).
        return Scalar.ReadReduced(xBytes).Equals(r);
    }

    /// <summary>
    /// ECDH: the x coordinate (32 bytes, big-endian) of sk·PK. Used by ECIES to wrap a key to a public key.
    /// </summary>
    public static byte[] SharedSecretX(ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> publicKey)
    {
        var d = PrivateScalar(privateKey);
        var q = DecodePublicKey(publicKey);
        var p = EcMultiplication.Mul(CurvePoint.FromAffine(q), d);
        if (p.IsInfinity) throw new CryptographicException("ECDH produced the point at infinity");
        var x = new byte[32];
        p.ToAffine().X.Write(x);
        return x;
    }

    /// <summary>Writes a non-negative integer below 2^256 as 32 big-endian bytes.</summary>
    public static void WriteUInt256(BigInteger value, Span<byte> destination32)
    {
        if (destination32.Length != 32) throw new ArgumentException("destination must be 32 bytes");
        if (value.Sign < 0) throw new ArgumentOutOfRangeException(nameof(value), "value is negative");
        destination32.Clear();
        var count = value.GetByteCount(isUnsigned: true);
        if (count > 32) throw new ArgumentOutOfRangeException(nameof(value), "value does not fit in 256 bits");
        value.TryWriteBytes(destination32[(32 - count)..], out _, isUnsigned: true, isBigEndian: true);
    }

    /// <summary>SEC1 4.1.6 public key recovery: Q = r^-1 (sR - eG), R the point with x = r and y parity v.</summary>
    private static AffinePoint? RecoverPoint(ReadOnlySpan<byte> hash32, EcdsaSignature signature)
    {
        // r < n < p always, so r is a valid x; it may have no point.
        Span<byte> rBytes = stackalloc byte[32];
        WriteUInt256(signature.R, rBytes);
        FieldElement.TryRead(rBytes, out var x);
        if (!TryLiftX(x, signature.V == 1, out var rPoint)) return null;

        var r = Scalar.FromBigInteger(signature.R);
        var rInv = Scalar.InvertVartime(r);
        var u1 = Scalar.Negate(Scalar.Mul(Scalar.ReadReduced(hash32), rInv));
        var u2 = Scalar.Mul(Scalar.FromBigInteger(signature.S), rInv);
        var q = EcMultiplication.MulGeneratorAddMulVartime(u1, u2, rPoint);
        return q.IsInfinity ? null : q.ToAffine();
    }

    /// <summary>The point with this x and y parity, when x^3 + 7 is a square.</summary>
    private static bool TryLiftX(in FieldElement x, bool odd, out AffinePoint point)
    {
        var y2 = FieldElement.Add(FieldElement.Mul(FieldElement.Square(x), x), CurvePoint.B);
        if (!FieldElement.TrySqrt(y2, out var y))
        {
            point = default;
            return false;
        }
        if (y.IsOdd != odd) y = FieldElement.Negate(y);
        point = new AffinePoint(x, y);
        return true;
    }

    private static Scalar PrivateScalar(ReadOnlySpan<byte> privateKey)
    {
        // The message never includes the key bytes.
        if (privateKey.Length != 32 || !Scalar.TryRead(privateKey, out var d) || d.IsZero)
            throw new FormatException("not a valid secp256k1 private key (32 bytes, 1 <= key < n)");
        return d;
    }

    private static AffinePoint DecodePublicKey(ReadOnlySpan<byte> publicKey)
    {
        switch (publicKey.Length)
        {
            case 64:
            case 65 when publicKey[0] == 0x04:
            {
                var xy = publicKey[^64..];
                if (!FieldElement.TryRead(xy[..32], out var x) || !FieldElement.TryRead(xy[32..], out var y))
                    throw new FormatException("public key is not a point on secp256k1");
                var p = new AffinePoint(x, y);
                if (!p.IsOnCurve) throw new FormatException("public key is not a point on secp256k1");
                return p;
            }
            case 33 when publicKey[0] is 0x02 or 0x03:
            {
                if (!FieldElement.TryRead(publicKey[1..], out var x) || !TryLiftX(x, publicKey[0] == 0x03, out var p))
                    throw new FormatException("public key is not a point on secp256k1");
                return p;
            }
            default:
                throw new FormatException(
                    $"a secp256k1 public key is 64 bytes (X || Y), 65 bytes starting 04, or 33 bytes compressed; got {publicKey.Length} bytes");
        }
    }

    private static void Encode(in AffinePoint p, Span<byte> destination64)
    {
        p.X.Write(destination64[..32]);
        p.Y.Write(destination64[32..]);
    }

    private static BigInteger ToBigInteger(in FieldElement x)
    {
        Span<byte> b = stackalloc byte[32];
        x.Write(b);
        return new BigInteger(b, isUnsigned: true, isBigEndian: true);
    }
}
