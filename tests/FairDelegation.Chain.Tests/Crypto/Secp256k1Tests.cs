using System.Security.Cryptography;
using FairDelegation.Chain.Crypto;
using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace FairDelegation.Chain.Tests.Crypto;

public class Secp256k1Tests
{
    private static byte[][] Hashes(int count) =>
        Enumerable.Range(0, count).Select(i => Keccak256.HashUtf8("message " + i)).ToArray();

    [Fact]
    public async Task Raw_hash_signatures_equal_cast_wallet_sign_no_hash_including_high_s_cases()
    {
        var highSBeforeNormalization = 0;
        foreach (var key in new[] { Keys.Anvil0, Keys.Anvil1 })
        {
            foreach (var hash in Hashes(10))
            {
                var ours = Secp256k1.Sign(hash, Keys.Bytes(key));
                ours.IsLowS.Should().BeTrue();
                var cast = await Cast.RunAsync("wallet", "sign", "--no-hash", Hex.Encode(hash), "--private-key", key);
                cast.Should().Be(ours.ToHex(), "RFC 6979 + low-s + recovery id must agree with cast");
                if (RawBouncyCastleSIsHigh(hash, Keys.Bytes(key))) highSBeforeNormalization++;
            }
        }
        // The set exercises the normalization path (and its recovery-id flip), not just lucky low-s signatures.
        highSBeforeNormalization.Should().BeGreaterThan(0);
    }

    [Fact]
    public void Signing_is_deterministic_and_key_dependent()
    {
        var hash = Keccak256.HashUtf8("same");
        var a = Secp256k1.Sign(hash, Keys.Bytes(Keys.Anvil0));
        Secp256k1.Sign(hash, Keys.Bytes(Keys.Anvil0)).Should().Be(a);
        Secp256k1.Sign(hash, Keys.Bytes(Keys.Anvil1)).R.Should().NotBe(a.R);
    }

    [Fact]
    public void Recovery_returns_the_signer_and_verification_agrees()
    {
        foreach (var key in Keys.All)
        {
            var pub = Secp256k1.PublicKeyFromPrivateKey(Keys.Bytes(key));
            foreach (var hash in Hashes(4))
            {
                var sig = Secp256k1.Sign(hash, Keys.Bytes(key));
                Secp256k1.RecoverPublicKey(hash, sig).Should().Equal(pub);
                Secp256k1.Verify(hash, sig, pub).Should().BeTrue();
            }
        }
    }

    [Fact]
    public void A_different_hash_or_key_does_not_verify()
    {
        var hash = Keccak256.HashUtf8("paid");
        var sig = Secp256k1.Sign(hash, Keys.Bytes(Keys.Anvil0));
        var pub0 = Secp256k1.PublicKeyFromPrivateKey(Keys.Bytes(Keys.Anvil0));
        var pub1 = Secp256k1.PublicKeyFromPrivateKey(Keys.Bytes(Keys.Anvil1));
        var other = Keccak256.HashUtf8("unpaid");
        Secp256k1.Verify(other, sig, pub0).Should().BeFalse();
        Secp256k1.Verify(hash, sig, pub1).Should().BeFalse();
        Secp256k1.RecoverPublicKey(other, sig).Should().NotEqual(pub0);
    }

    [Fact]
    public void High_s_twin_is_rejected_by_recovery_unless_allowed()
    {
        var hash = Keccak256.HashUtf8("malleable");
        var sig = Secp256k1.Sign(hash, Keys.Bytes(Keys.Anvil0));
        var twin = new EcdsaSignature(sig.R, Secp256k1.N - sig.S, (byte)(sig.V ^ 1));
        twin.IsLowS.Should().BeFalse();
        FluentActions.Invoking(() => Secp256k1.RecoverPublicKey(hash, twin)).Should().Throw<CryptographicException>();
        Secp256k1.RecoverPublicKey(hash, twin, allowHighS: true)
            .Should().Equal(Secp256k1.PublicKeyFromPrivateKey(Keys.Bytes(Keys.Anvil0)));
    }

    [Fact]
    public void Signature_bytes_round_trip_and_bad_encodings_are_rejected()
    {
        var sig = Secp256k1.Sign(Keccak256.HashUtf8("x"), Keys.Bytes(Keys.Anvil0));
        var bytes = sig.ToBytes();
        bytes[64].Should().BeOneOf((byte)27, (byte)28);
        EcdsaSignature.FromBytes(bytes).Should().Be(sig);
        EcdsaSignature.FromBytes(sig.ToBytes(vOffset: 0)).Should().Be(sig);
        EcdsaSignature.FromHex(sig.ToHex()).Should().Be(sig);

        var badV = (byte[])bytes.Clone();
        badV[64] = 29;
        FluentActions.Invoking(() => EcdsaSignature.FromBytes(badV)).Should().Throw<FormatException>();
        FluentActions.Invoking(() => EcdsaSignature.FromBytes(bytes[..64])).Should().Throw<FormatException>();
        var zeroR = (byte[])bytes.Clone();
        Array.Clear(zeroR, 0, 32);
        FluentActions.Invoking(() => EcdsaSignature.FromBytes(zeroR)).Should().Throw<FormatException>();
    }

    [Fact]
    public void Ecdh_shared_secret_is_symmetric_and_rejects_bad_points()
    {
        var a = Keys.Bytes(Keys.Anvil0);
        var b = Keys.Bytes(Keys.Anvil1);
        var ab = Secp256k1.SharedSecretX(a, Secp256k1.PublicKeyFromPrivateKey(b));
        ab.Should().HaveCount(32).And.Equal(Secp256k1.SharedSecretX(b, Secp256k1.PublicKeyFromPrivateKey(a)));
        Secp256k1.SharedSecretX(a, Secp256k1.PublicKeyFromPrivateKey(Keys.Bytes(Keys.All[2]))).Should().NotEqual(ab);
        FluentActions.Invoking(() => Secp256k1.SharedSecretX(a, new byte[64])).Should().Throw<FormatException>();
    }

    /// <summary>What plain RFC 6979 ECDSA (before our normalization) gives for s.</summary>
    private static bool RawBouncyCastleSIsHigh(byte[] hash, byte[] key)
    {
        var curve = SecNamedCurves.GetByName("secp256k1");
        var domain = new ECDomainParameters(curve.Curve, curve.G, curve.N, curve.H);
        var signer = new ECDsaSigner(new HMacDsaKCalculator(new Sha256Digest()));
        signer.Init(true, new ECPrivateKeyParameters(new Org.BouncyCastle.Math.BigInteger(1, key), domain));
        var s = signer.GenerateSignature(hash)[1];
        return s.CompareTo(curve.N.ShiftRight(1)) > 0;
    }
}
