using System.Security.Cryptography;
using FairDelegation.Chain.Crypto;
using FairDelegation.Protocol.Encryption;
using FairDelegation.Protocol.Keys;
using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Math.EC.Multiplier;
using BcBigInteger = Org.BouncyCastle.Math.BigInteger;

namespace FairDelegation.Protocol.Tests.Keys;

/// <summary>
/// Disposable keys and the ECIES key wrap on the own secp256k1 against BouncyCastle's generic curve: same public
/// keys and addresses, and a work header whose ECDH secret BouncyCastle computes independently.
/// </summary>
public class Secp256k1InteropTests
{
    private static readonly Org.BouncyCastle.Asn1.X9.X9ECParameters Curve = SecNamedCurves.GetByName("secp256k1");

    private static byte[] BcPublicKey(byte[] sk) =>
        new FixedPointCombMultiplier().Multiply(Curve.G, new BcBigInteger(1, sk)).Normalize().GetEncoded(false)[1..];

    private static byte[] BcSharedX(byte[] sk, ReadOnlySpan<byte> publicKey65) =>
        Curve.Curve.DecodePoint(publicKey65.ToArray()).Multiply(new BcBigInteger(1, sk)).Normalize().AffineXCoord.GetEncoded();

    private static string BcAddress(byte[] publicKey64)
    {
        var keccak = new KeccakDigest(256);
        keccak.BlockUpdate(publicKey64, 0, 64);
        var hash = new byte[32];
        keccak.DoFinal(hash, 0);
        return "0x" + Convert.ToHexStringLower(hash[12..]);
    }

    [Fact]
    public void Generated_key_pairs_have_bouncy_castles_public_key_and_address()
    {
        for (var i = 0; i < 25; i++)
        {
            using var pair = DisposableKeyPair.Generate();
            var sk = pair.ExportPrivateKey();
            var pk = BcPublicKey(sk);
            pair.PublicKey.Bytes.ToArray().Should().Equal(pk);
            pair.Address.ToLowerHex().Should().Be(BcAddress(pk));
            DisposableKeyPair.Matches(pair.PublicKey, sk).Should().BeTrue();
            DisposableKeyPair.Matches(pair.Address, sk).Should().BeTrue();
            CryptographicOperations.ZeroMemory(sk);
        }
    }

    [Fact]
    public void Work_header_key_wrap_uses_the_ecdh_secret_bouncy_castle_computes()
    {
        using var recipient = DisposableKeyPair.Generate();
        var plaintext = RandomNumberGenerator.GetBytes(1000);
        using var ciphertext = new MemoryStream();
        WorkEncryption.Encrypt(new MemoryStream(plaintext), ciphertext, recipient.PublicKey);
        var header = ciphertext.ToArray()[..WorkEncryptionFormat.HeaderSize];
        var ephemeral65 = header.AsSpan(WorkEncryptionFormat.EphemeralKeyOffset, WorkEncryptionFormat.EphemeralKeySize);

        // Unwrap the file key by hand with BouncyCastle's ECDH: the header must open with it.
        var sk = recipient.ExportPrivateKey();
        var shared = BcSharedX(sk, ephemeral65);
        var wrapKey = WorkEncryptionFormat.WrapKey(shared, ephemeral65, recipient.PublicKey.Bytes);
        var fileKey = new byte[WorkEncryptionFormat.KeySize];
        using (var aes = new AesGcm(wrapKey, WorkEncryptionFormat.TagSize))
        {
            aes.Decrypt(new byte[WorkEncryptionFormat.NonceSize],
                header.AsSpan(WorkEncryptionFormat.WrappedKeyOffset, WorkEncryptionFormat.KeySize),
                header.AsSpan(WorkEncryptionFormat.WrappedKeyOffset + WorkEncryptionFormat.KeySize, WorkEncryptionFormat.TagSize),
                fileKey, header.AsSpan(0, WorkEncryptionFormat.WrappedKeyOffset));
        }
        fileKey.Should().NotBeEquivalentTo(new byte[32]);

        // And the ephemeral public key in the header is a valid point that decrypts end to end.
        PublicKey.FromBytes(ephemeral65).Bytes.ToArray().Should().Equal(ephemeral65[1..].ToArray());
        using var output = new MemoryStream();
        ciphertext.Position = 0;
        WorkEncryption.Decrypt(ciphertext, output, sk);
        output.ToArray().Should().Equal(plaintext);
    }

    [Fact]
    public void Each_encryption_uses_a_fresh_ephemeral_key()
    {
        using var recipient = DisposableKeyPair.Generate();
        var keys = Enumerable.Range(0, 3).Select(_ =>
        {
            using var c = new MemoryStream();
            WorkEncryption.Encrypt(new MemoryStream([1, 2, 3]), c, recipient.PublicKey);
            return Convert.ToHexString(c.ToArray(), WorkEncryptionFormat.EphemeralKeyOffset, WorkEncryptionFormat.EphemeralKeySize);
        }).ToList();
        keys.Distinct().Should().HaveCount(3);
    }
}
