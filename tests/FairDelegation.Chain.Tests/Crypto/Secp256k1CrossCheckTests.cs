using System.Numerics;
using System.Security.Cryptography;
using FairDelegation.Chain.Crypto;

namespace FairDelegation.Chain.Tests.Crypto;

/// <summary>
/// The libsecp256k1 adapter against BouncyCastle's generic curve (an independent implementation) on random keys and
/// messages and on edge cases: keys 1, 2, n-1, keys with zero windows, high s, r near n, both recovery ids,
/// recovery to the point at infinity, points off the curve.
/// </summary>
public class Secp256k1CrossCheckTests
{
    private static readonly BigInteger N = Secp256k1.N;

    private static byte[] Key(BigInteger v)
    {
        var b = new byte[32];
        Secp256k1.WriteUInt256(v, b);
        return b;
    }

    /// <summary>Random valid keys (seeded) plus edges: small keys, n - 1, n - 2, n/2, keys with runs of zero nibbles.</summary>
    private static List<byte[]> TestKeys(int random)
    {
        var keys = new List<byte[]>
        {
            Key(1), Key(2), Key(3), Key(15), Key(16), Key(17), Key(N - 1), Key(N - 2), Key(N / 2), Key(N / 2 + 1),
            Key(BigInteger.Pow(2, 255)), Key(BigInteger.Pow(2, 128)), Key(BigInteger.Pow(2, 252) - 1),
        };
        var rng = new Random(11);
        while (keys.Count < random + 13)
        {
            var b = new byte[32];
            rng.NextBytes(b);
            if (keys.Count % 4 == 0) b.AsSpan(rng.Next(0, 24), 8).Clear();
            if (Secp256k1.IsValidPrivateKey(b)) keys.Add(b);
        }
        return keys;
    }

    [Fact]
    public void Public_keys_ecdh_signatures_recovery_and_verification_equal_bouncy_castle()
    {
        var rng = new Random(12);
        var keys = TestKeys(60);
        var hash = new byte[32];
        var lowSCount = 0;
        var v1Count = 0;
        for (var i = 0; i < keys.Count; i++)
        {
            var sk = keys[i];
            var pk = Secp256k1.PublicKeyFromPrivateKey(sk);
            pk.Should().Equal(BouncyCastleSecp256k1.PublicKey(sk));

            var peer = keys[(i + 1) % keys.Count];
            var peerPk = BouncyCastleSecp256k1.PublicKey(peer);
            Secp256k1.SharedSecretX(sk, peerPk).Should().Equal(BouncyCastleSecp256k1.SharedSecretX(sk, peerPk));

            rng.NextBytes(hash);
            if (i % 7 == 0) hash.AsSpan(0, 16).Fill(0xFF); // hashes at or above n exercise e mod n
            var ours = Secp256k1.Sign(hash, sk);
            var theirs = BouncyCastleSecp256k1.Sign(hash, sk);
            ours.Should().Be(theirs);
            if (ours.V == 1) v1Count++;
            if (BouncyCastleSecp256k1.FirstNonce(sk, hash) is var k && ours.S == Mod(BigInteger.ModPow(k, N - 2, N) *
                    (new BigInteger(hash, isUnsigned: true, isBigEndian: true) + ours.R * new BigInteger(sk, isUnsigned: true, isBigEndian: true)), N))
                lowSCount++;

            Secp256k1.RecoverPublicKey(hash, ours).Should().Equal(pk);
            Secp256k1.Verify(hash, ours, pk).Should().BeTrue();
            BouncyCastleSecp256k1.Verify(hash, ours, pk).Should().BeTrue();

            // The high-s twin recovers the same key with the other id; a wrong id recovers another key (or none).
            var twin = new EcdsaSignature(ours.R, N - ours.S, (byte)(ours.V ^ 1));
            Secp256k1.RecoverPublicKey(hash, twin, allowHighS: true).Should().Equal(pk);
            Secp256k1.Verify(hash, twin, pk).Should().Be(BouncyCastleSecp256k1.Verify(hash, twin, pk));
            var wrongId = new EcdsaSignature(ours.R, ours.S, (byte)(ours.V ^ 1));
            Recovered(hash, wrongId).Should().Equal(BouncyCastleSecp256k1.Recover(hash, wrongId)).And.NotEqual(pk);

            var tampered = (byte[])hash.Clone();
            tampered[31] ^= 1;
            Secp256k1.Verify(tampered, ours, pk).Should().BeFalse();
            BouncyCastleSecp256k1.Verify(tampered, ours, pk).Should().BeFalse();
        }
        // The sample covers both recovery ids and both sides of the low-s normalization.
        v1Count.Should().BeInRange(1, keys.Count - 1);
        lowSCount.Should().BeInRange(1, keys.Count - 1);
    }

    [Fact]
    public void Recovery_of_arbitrary_r_s_v_equals_bouncy_castle_including_r_near_n()
    {
        var rng = new Random(14);
        var hash = new byte[32];
        var rs = new List<BigInteger> { 1, 2, N - 1, N - 2, N - 3, N - 1000, BigInteger.Pow(2, 255), (N - 1) / 2 };
        var sBytes = new byte[32];
        for (var i = 0; i < 30; i++)
        {
            rng.NextBytes(sBytes);
            rs.Add(new BigInteger(sBytes, isUnsigned: true, isBigEndian: true) % (N - 1) + 1);
        }
        var found = 0;
        foreach (var r in rs)
        {
            rng.NextBytes(hash);
            rng.NextBytes(sBytes);
            var s = new BigInteger(sBytes, isUnsigned: true, isBigEndian: true) % (N - 1) + 1;
            for (byte v = 0; v < 2; v++)
            {
                var sig = new EcdsaSignature(r, s, v);
                var theirs = BouncyCastleSecp256k1.Recover(hash, sig);
                Recovered(hash, sig).Should().Equal(theirs);
                if (theirs is not null) found++;
            }
        }
        found.Should().BeGreaterThan(10, "about half of the x values lie on the curve");
    }

    [Fact]
    public void Recovery_to_the_point_at_infinity_is_rejected()
    {
        // Q = r^-1 (sR - eG) with R = kG is infinity when e = s·k mod n.
        var k = BigInteger.Parse("1234567890123456789012345678901234567890");
        var rPoint = Secp256k1.PublicKeyFromPrivateKey(Key(k));
        var r = new BigInteger(rPoint.AsSpan(0, 32), isUnsigned: true, isBigEndian: true);
        var v = (byte)(rPoint[63] & 1);
        var s = BigInteger.Parse("98765432109876543210");
        var e = Key(s * k % N);
        var sig = new EcdsaSignature(r, s, v);
        BouncyCastleSecp256k1.Recover(e, sig).Should().BeNull();
        FluentActions.Invoking(() => Secp256k1.RecoverPublicKey(e, sig)).Should().Throw<CryptographicException>();
        // And a nearby hash recovers normally.
        var other = (byte[])e.Clone();
        other[0] ^= 1;
        Secp256k1.RecoverPublicKey(other, sig).Should().Equal(BouncyCastleSecp256k1.Recover(other, sig));
    }

    [Fact]
    public void Ecdh_with_edge_keys_and_peers_matches_and_bad_points_are_rejected()
    {
        var g = Secp256k1.PublicKeyFromPrivateKey(Key(1));
        // (n-1)·P = -P: same x as P.
        Secp256k1.SharedSecretX(Key(N - 1), g).Should().Equal(g[..32]);
        Secp256k1.SharedSecretX(Key(1), g).Should().Equal(g[..32]);
        var twoG = Secp256k1.PublicKeyFromPrivateKey(Key(2));
        Secp256k1.SharedSecretX(Key(2), g).Should().Equal(twoG[..32]);

        // Compressed and prefixed forms of the same point give the same secret.
        var pk = Secp256k1.PublicKeyFromPrivateKey(Keys.Bytes(Keys.Anvil1));
        var compressed = new byte[33];
        compressed[0] = (byte)(0x02 | (pk[63] & 1));
        pk.AsSpan(0, 32).CopyTo(compressed.AsSpan(1));
        var sk = Keys.Bytes(Keys.Anvil0);
        Secp256k1.SharedSecretX(sk, compressed).Should().Equal(Secp256k1.SharedSecretX(sk, pk))
            .And.Equal(Secp256k1.SharedSecretX(sk, [0x04, .. pk]));
        Secp256k1.NormalizePublicKey(compressed).Should().Equal(pk);

        var offCurve = (byte[])pk.Clone();
        offCurve[63] ^= 1;
        var xAtP = new byte[64];
        Secp256k1.WriteUInt256(BigInteger.Pow(2, 256) - BigInteger.Pow(2, 32) - 977, xAtP.AsSpan(0, 32)); // x = p
        var badPrefix = (byte[])compressed.Clone();
        badPrefix[0] = 0x05;
        foreach (var bad in new[] { new byte[64], offCurve, xAtP, badPrefix, new byte[] { 0x00 }, pk[..63], NonResidueCompressed() })
        {
            FluentActions.Invoking(() => Secp256k1.SharedSecretX(sk, bad)).Should().Throw<FormatException>();
            FluentActions.Invoking(() => Secp256k1.NormalizePublicKey(bad)).Should().Throw<FormatException>();
            Secp256k1.Verify(new byte[32], Secp256k1.Sign(new byte[32], sk), bad).Should().BeFalse();
        }
    }

    [Fact]
    public void Invalid_private_keys_are_rejected_without_echoing_them()
    {
        foreach (var bad in new[] { new byte[32], Key(N), Key(N + 1), Key(BigInteger.Pow(2, 256) - 1), new byte[31] })
        {
            Secp256k1.IsValidPrivateKey(bad).Should().BeFalse();
            FluentActions.Invoking(() => Secp256k1.PublicKeyFromPrivateKey(bad)).Should().Throw<FormatException>()
                .Which.Message.Should().NotContain(Convert.ToHexString(bad));
            FluentActions.Invoking(() => Secp256k1.Sign(new byte[32], bad)).Should().Throw<FormatException>();
        }
    }

    /// <summary>A compressed key whose x has no point (x^3 + 7 is not a square): x = 5.</summary>
    private static byte[] NonResidueCompressed()
    {
        var p = BigInteger.Pow(2, 256) - BigInteger.Pow(2, 32) - 977;
        BigInteger x = 0;
        do x++;
        while (BigInteger.ModPow(BigInteger.ModPow(x, 3, p) + 7, (p - 1) / 2, p).IsOne);
        var b = new byte[33];
        b[0] = 0x02;
        Secp256k1.WriteUInt256(x, b.AsSpan(1));
        return b;
    }

    private static byte[]? Recovered(byte[] hash, EcdsaSignature sig)
    {
        try { return Secp256k1.RecoverPublicKey(hash, sig, allowHighS: true); }
        catch (CryptographicException) { return null; }
    }

    private static BigInteger Mod(BigInteger v, BigInteger m) => ((v % m) + m) % m;
}
