using FairDelegation.Chain.Crypto;
using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math.EC;
using Org.BouncyCastle.Math.EC.Multiplier;
using BcBigInteger = Org.BouncyCastle.Math.BigInteger;

namespace FairDelegation.Chain.Tests.Crypto;

/// <summary>
/// The reference the own secp256k1 arithmetic is checked against: BouncyCastle's generic Fp curve, used the way
/// the previous implementation used it (RFC 6979 signer, low-s, recovery id found by trying both).
/// </summary>
internal static class BouncyCastleSecp256k1
{
    private static readonly X9ECParameters Curve = SecNamedCurves.GetByName("secp256k1");
    private static readonly ECDomainParameters Domain = new(Curve.Curve, Curve.G, Curve.N, Curve.H);

    public static BcBigInteger P => Curve.Curve.Field.Characteristic;

    public static BcBigInteger N => Curve.N;

    public static byte[] PublicKey(byte[] privateKey) =>
        Encode(new FixedPointCombMultiplier().Multiply(Domain.G, new BcBigInteger(1, privateKey)));

    public static byte[] SharedSecretX(byte[] privateKey, byte[] publicKey64)
    {
        var q = Curve.Curve.DecodePoint([0x04, .. publicKey64]);
        return q.Multiply(new BcBigInteger(1, privateKey)).Normalize().AffineXCoord.GetEncoded();
    }

    /// <summary>Signature with low s and the recovery id the previous implementation computed (null when none).</summary>
    public static EcdsaSignature? Sign(byte[] hash, byte[] privateKey)
    {
        var signer = new ECDsaSigner(new HMacDsaKCalculator(new Sha256Digest()));
        signer.Init(true, new ECPrivateKeyParameters(new BcBigInteger(1, privateKey), Domain));
        var rs = signer.GenerateSignature(hash);
        var r = rs[0];
        var s = rs[1];
        if (s.CompareTo(N.ShiftRight(1)) > 0) s = N.Subtract(s);
        var expected = PublicKey(privateKey);
        for (byte v = 0; v < 2; v++)
        {
            var q = Recover(hash, r, s, v);
            if (q is not null && q.AsSpan().SequenceEqual(expected)) return new EcdsaSignature(ToSystem(r), ToSystem(s), v);
        }
        return null;
    }

    /// <summary>SEC1 4.1.6 recovery, or null when R does not exist or Q is the point at infinity.</summary>
    public static byte[]? Recover(byte[] hash, EcdsaSignature signature) =>
        Recover(hash, ToBouncy(signature.R), ToBouncy(signature.S), signature.V);

    private static byte[]? Recover(byte[] hash, BcBigInteger r, BcBigInteger s, byte v)
    {
        var compressed = new byte[33];
        compressed[0] = (byte)(0x02 | v);
        var rb = r.ToByteArrayUnsigned();
        rb.CopyTo(compressed, 33 - rb.Length);
        ECPoint rPoint;
        try { rPoint = Curve.Curve.DecodePoint(compressed); }
        catch (ArgumentException) { return null; }
        var e = new BcBigInteger(1, hash);
        var rInv = r.ModInverse(N);
        var u1 = e.Negate().Multiply(rInv).Mod(N);
        var u2 = s.Multiply(rInv).Mod(N);
        var q = ECAlgorithms.SumOfTwoMultiplies(Curve.G, u1, rPoint, u2).Normalize();
        return q.IsInfinity ? null : Encode(q);
    }

    public static bool Verify(byte[] hash, EcdsaSignature signature, byte[] publicKey64)
    {
        var verifier = new ECDsaSigner();
        verifier.Init(false, new ECPublicKeyParameters(Curve.Curve.DecodePoint([0x04, .. publicKey64]), Domain));
        return verifier.VerifySignature(hash, ToBouncy(signature.R), ToBouncy(signature.S));
    }

    /// <summary>The first nonces BouncyCastle's RFC 6979 calculator gives for (key, hash).</summary>
    public static System.Numerics.BigInteger FirstNonce(byte[] privateKey, byte[] hash)
    {
        var k = new HMacDsaKCalculator(new Sha256Digest());
        k.Init(N, new BcBigInteger(1, privateKey), hash);
        return ToSystem(k.NextK());
    }

    public static System.Numerics.BigInteger ToSystem(BcBigInteger b) => new(b.ToByteArrayUnsigned(), isUnsigned: true, isBigEndian: true);

    public static BcBigInteger ToBouncy(System.Numerics.BigInteger b) => new(1, b.ToByteArray(isUnsigned: true, isBigEndian: true));

    private static byte[] Encode(ECPoint p) => p.Normalize().GetEncoded(false)[1..];
}
