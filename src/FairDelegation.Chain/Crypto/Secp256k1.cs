using System.Numerics;
using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math.EC;
using Org.BouncyCastle.Math.EC.Multiplier;
using BcBigInteger = Org.BouncyCastle.Math.BigInteger;

namespace FairDelegation.Chain.Crypto;

/// <summary>
/// The secp256k1 curve as Ethereum uses it: private key to public key, deterministic (RFC 6979) low-s
/// ECDSA over a 32-byte hash with a recovery id, public key recovery, verification.
/// Public keys are 64 bytes, X || Y (the uncompressed SEC1 point without its 0x04 prefix);
/// inputs may also be 65 bytes with the prefix, or 33 bytes compressed.
/// </summary>
public static class Secp256k1
{
    private static readonly X9ECParameters Curve = SecNamedCurves.GetByName("secp256k1");
    private static readonly ECDomainParameters Domain = new(Curve.Curve, Curve.G, Curve.N, Curve.H);

    /// <summary>The group order n.</summary>
    public static readonly BigInteger N = ToSystem(Curve.N);

    /// <summary>n / 2: the largest S of a canonical (low-s) signature.</summary>
    public static readonly BigInteger HalfN = N / 2;

    /// <summary>The base point's x coordinate (used by the on-chain P(pk, sk) check).</summary>
    public static readonly BigInteger Gx = ToSystem(Curve.G.Normalize().AffineXCoord.ToBigInteger());

    /// <summary>True when the 32 bytes are a valid private key: 1 &lt;= d &lt; n.</summary>
    public static bool IsValidPrivateKey(ReadOnlySpan<byte> privateKey)
    {
        if (privateKey.Length != 32) return false;
        var d = new BigInteger(privateKey, isUnsigned: true, isBigEndian: true);
        return d.Sign > 0 && d < N;
    }

    /// <summary>sk·G as 64 bytes X || Y.</summary>
    public static byte[] PublicKeyFromPrivateKey(ReadOnlySpan<byte> privateKey)
    {
        var d = PrivateScalar(privateKey);
        var q = new FixedPointCombMultiplier().Multiply(Domain.G, d).Normalize();
        return EncodePoint(q);
    }

    /// <summary>Checks a public key (64, 65 or 33 bytes) is a point on the curve and returns its 64-byte form.</summary>
    public static byte[] NormalizePublicKey(ReadOnlySpan<byte> publicKey) => EncodePoint(DecodePublicKey(publicKey));

    /// <summary>
    /// Signs a 32-byte hash: k from RFC 6979 (HMAC-SHA256), S normalized to the low half, and the recovery id
    /// computed for the normalized signature (normalizing S flips the parity the verifier must assume).
    /// </summary>
    public static EcdsaSignature Sign(ReadOnlySpan<byte> hash32, ReadOnlySpan<byte> privateKey)
    {
        if (hash32.Length != 32) throw new ArgumentException("ECDSA signs a 32-byte hash");
        var d = PrivateScalar(privateKey);
        var signer = new ECDsaSigner(new HMacDsaKCalculator(new Sha256Digest()));
        signer.Init(true, new ECPrivateKeyParameters(d, Domain));
        var rs = signer.GenerateSignature(hash32.ToArray());
        var r = ToSystem(rs[0]);
        var s = ToSystem(rs[1]);
        if (s > HalfN) s = N - s;

        var expected = new FixedPointCombMultiplier().Multiply(Domain.G, d).Normalize();
        for (byte v = 0; v < 2; v++)
        {
            var q = RecoverPoint(hash32, r, s, v);
            if (q is not null && q.Equals(expected)) return new EcdsaSignature(r, s, v);
        }
        // Only possible when r's point has x >= n (probability ~2^-128): Ethereum cannot express it.
        throw new InvalidOperationException("no Ethereum recovery id for this signature; sign a different message");
    }

    /// <summary>
    /// The 64-byte public key that produced the signature over the hash. High-s signatures are rejected
    /// unless <paramref name="allowHighS"/> (Ethereum rejects them since EIP-2: they are malleable copies).
    /// </summary>
    public static byte[] RecoverPublicKey(ReadOnlySpan<byte> hash32, EcdsaSignature signature, bool allowHighS = false)
    {
        if (hash32.Length != 32) throw new ArgumentException("recovery needs the 32-byte signed hash");
        if (!allowHighS && !signature.IsLowS)
            throw new System.Security.Cryptography.CryptographicException("signature has a high s value (not canonical)");
        var q = RecoverPoint(hash32, signature.R, signature.S, signature.V)
                ?? throw new System.Security.Cryptography.CryptographicException("signature does not recover to a public key");
        return EncodePoint(q);
    }

    /// <summary>Plain ECDSA verification against a public key (the recovery id is not used).</summary>
    public static bool Verify(ReadOnlySpan<byte> hash32, EcdsaSignature signature, ReadOnlySpan<byte> publicKey)
    {
        if (hash32.Length != 32) return false;
        ECPoint q;
        try { q = DecodePublicKey(publicKey); }
        catch (FormatException) { return false; }
        var verifier = new ECDsaSigner();
        verifier.Init(false, new ECPublicKeyParameters(q, Domain));
        return verifier.VerifySignature(hash32.ToArray(), ToBouncy(signature.R), ToBouncy(signature.S));
    }

    /// <summary>
    /// ECDH: the x coordinate (32 bytes, big-endian) of sk·PK. Used by ECIES to wrap a key to a public key.
    /// </summary>
    public static byte[] SharedSecretX(ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> publicKey)
    {
        var d = PrivateScalar(privateKey);
        var q = DecodePublicKey(publicKey);
        var p = q.Multiply(d).Normalize();
        if (p.IsInfinity) throw new System.Security.Cryptography.CryptographicException("ECDH produced the point at infinity");
        var x = new byte[32];
        WriteUInt256(ToSystem(p.AffineXCoord.ToBigInteger()), x);
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
    private static ECPoint? RecoverPoint(ReadOnlySpan<byte> hash32, BigInteger r, BigInteger s, byte v)
    {
        var prime = ToSystem(Curve.Curve.Field.Characteristic);
        if (r >= prime) return null;
        var compressed = new byte[33];
        compressed[0] = (byte)(0x02 | (v & 1));
        WriteUInt256(r, compressed.AsSpan(1));
        ECPoint rPoint;
        try { rPoint = Curve.Curve.DecodePoint(compressed); }
        catch (ArgumentException) { return null; }

        var n = Curve.N;
        var e = new BcBigInteger(1, hash32.ToArray());
        var rInv = ToBouncy(r).ModInverse(n);
        var u1 = e.Negate().Multiply(rInv).Mod(n);
        var u2 = ToBouncy(s).Multiply(rInv).Mod(n);
        var q = ECAlgorithms.SumOfTwoMultiplies(Curve.G, u1, rPoint, u2).Normalize();
        return q.IsInfinity ? null : q;
    }

    private static BcBigInteger PrivateScalar(ReadOnlySpan<byte> privateKey)
    {
        // The message never includes the key bytes.
        if (!IsValidPrivateKey(privateKey)) throw new FormatException("not a valid secp256k1 private key (32 bytes, 1 <= key < n)");
        return new BcBigInteger(1, privateKey.ToArray());
    }

    private static ECPoint DecodePublicKey(ReadOnlySpan<byte> publicKey)
    {
        byte[] encoded = publicKey.Length switch
        {
            64 => [0x04, .. publicKey],
            65 when publicKey[0] == 0x04 => publicKey.ToArray(),
            33 when publicKey[0] is 0x02 or 0x03 => publicKey.ToArray(),
            _ => throw new FormatException(
                $"a secp256k1 public key is 64 bytes (X || Y), 65 bytes starting 04, or 33 bytes compressed; got {publicKey.Length} bytes"),
        };
        try
        {
            var p = Curve.Curve.DecodePoint(encoded).Normalize();
            if (p.IsInfinity || !p.IsValid()) throw new FormatException("public key is not a point on secp256k1");
            return p;
        }
        catch (ArgumentException)
        {
            throw new FormatException("public key is not a point on secp256k1");
        }
    }

    private static byte[] EncodePoint(ECPoint p) => p.Normalize().GetEncoded(false)[1..];

    private static BigInteger ToSystem(BcBigInteger b) => new(b.ToByteArrayUnsigned(), isUnsigned: true, isBigEndian: true);

    private static BcBigInteger ToBouncy(BigInteger b) => new(1, b.ToByteArray(isUnsigned: true, isBigEndian: true));
}
