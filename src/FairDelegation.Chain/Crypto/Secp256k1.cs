using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using Native = Secp256k1Net.Secp256k1;

namespace FairDelegation.Chain.Crypto;

/// <summary>
/// The secp256k1 curve as Ethereum uses it, through libsecp256k1 (Bitcoin Core's library, shipped with its native
/// builds by the Secp256k1.Net package): private key to public key, deterministic (RFC 6979) low-s ECDSA over a
/// 32-byte hash with a recovery id, public key recovery, verification, ECDH.
/// Public keys are 64 bytes, X || Y (the uncompressed SEC1 point without its 0x04 prefix);
/// inputs may also be 65 bytes with the prefix, or 33 bytes compressed.
/// </summary>
/// <remarks>
/// This is the one adapter every signature, recovery, derivation and ECDH in the project goes through (Nethereum's
/// own signer is not used: it runs BouncyCastle's generic curve, ~40x the CPU, and its libsecp256k1 switch fails for
/// keys whose first byte is zero). We check every input before it reaches the library: libsecp256k1 treats a
/// malformed argument as a programming error and aborts the process, so nothing outside the curve's rules may
/// reach it. The arithmetic is all libsecp256k1's; what is ours is the Ethereum framing (recovery ids 0/1,
/// the 64-byte key form, ECDH's raw x coordinate, high-s rules) and the error messages, which never carry a key.
/// </remarks>
public static class Secp256k1
{
    /// <summary>The group order n.</summary>
    public static readonly BigInteger N = ParseHex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141");

    /// <summary>n / 2: the largest S of a canonical (low-s) signature.</summary>
    public static readonly BigInteger HalfN = N / 2;

    /// <summary>The base point's x coordinate (used by the on-chain P(pk, sk) check).</summary>
    public static readonly BigInteger Gx = ParseHex("79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798");

    private static readonly BigInteger P = ParseHex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F");

    // libsecp256k1 contexts are safe for concurrent use by all the (const-context) calls made here.
    private static readonly Native Context = new(null!);

    // ECDH as ECIES needs it: the shared point's x coordinate, not libsecp256k1's default SHA-256 of the point.
    private static readonly Secp256k1Net.EcdhHashFunction CopyX = static (output, x32, _, _) =>
    {
        x32.CopyTo(output);
        return 1;
    };

    private const int PubkeyObjectSize = 64;
    private const int RecoverableSignatureObjectSize = 65;

    /// <summary>True when the 32 bytes are a valid private key: 1 &lt;= d &lt; n.</summary>
    public static bool IsValidPrivateKey(ReadOnlySpan<byte> privateKey) =>
        privateKey.Length == 32 && Context.EcSeckeyVerify(privateKey);

    /// <summary>sk·G as 64 bytes X || Y.</summary>
    public static byte[] PublicKeyFromPrivateKey(ReadOnlySpan<byte> privateKey)
    {
        var result = new byte[64];
        PublicKeyFromPrivateKey(privateKey, result);
        return result;
    }

    /// <summary>sk·G written as X || Y to <paramref name="destination64"/>.</summary>
    public static void PublicKeyFromPrivateKey(ReadOnlySpan<byte> privateKey, Span<byte> destination64)
    {
        if (destination64.Length != 64) throw new ArgumentException("a public key is 64 bytes (X || Y)", nameof(destination64));
        RequirePrivateKey(privateKey);
        Span<byte> pubkey = stackalloc byte[PubkeyObjectSize];
        if (!Context.EcPubkeyCreate(pubkey, privateKey)) throw InvalidPrivateKey();
        Serialize(pubkey, destination64);
    }

    /// <summary>Checks a public key (64, 65 or 33 bytes) is a point on the curve and returns its 64-byte form.</summary>
    public static byte[] NormalizePublicKey(ReadOnlySpan<byte> publicKey)
    {
        Span<byte> pubkey = stackalloc byte[PubkeyObjectSize];
        ParsePublicKey(publicKey, pubkey);
        var result = new byte[64];
        Serialize(pubkey, result);
        return result;
    }

    /// <summary>
    /// Signs a 32-byte hash: libsecp256k1's RFC 6979 (HMAC-SHA256) nonce, S in the low half, and the recovery id of
    /// that normalized signature.
    /// </summary>
    public static EcdsaSignature Sign(ReadOnlySpan<byte> hash32, ReadOnlySpan<byte> privateKey)
    {
        if (hash32.Length != 32) throw new ArgumentException("ECDSA signs a 32-byte hash");
        RequirePrivateKey(privateKey);
        Span<byte> signature = stackalloc byte[RecoverableSignatureObjectSize];
        if (!Context.EcdsaSignRecoverable(signature, hash32, privateKey)) throw InvalidPrivateKey();
        Span<byte> compact = stackalloc byte[64];
        Context.EcdsaRecoverableSignatureSerializeCompact(compact, out var recoveryId, signature);
        if (recoveryId > 1)
        {
            // x >= n (probability ~2^-128): r = x - n, whose point Ethereum's two recovery ids cannot name.
            throw new InvalidOperationException("no Ethereum recovery id for this signature; sign a different message");
        }
        return new EcdsaSignature(ReadUInt256(compact[..32]), ReadUInt256(compact[32..]), (byte)recoveryId);
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
        Span<byte> compact = stackalloc byte[64];
        WriteUInt256(signature.R, compact[..32]);
        WriteUInt256(signature.S, compact[32..]);
        Span<byte> parsed = stackalloc byte[RecoverableSignatureObjectSize];
        Span<byte> pubkey = stackalloc byte[PubkeyObjectSize];
        // r and s are in [1, n) (EcdsaSignature checks), so parsing cannot fail; recovery fails when R is not on the
        // curve or Q is the point at infinity.
        if (!Context.EcdsaRecoverableSignatureParseCompact(parsed, compact, signature.V) ||
            !Context.EcdsaRecover(pubkey, parsed, hash32))
            throw new CryptographicException("signature does not recover to a public key");
        var result = new byte[64];
        Serialize(pubkey, result);
        return result;
    }

    /// <summary>The Ethereum address that produced the signature (ecrecover); same rules as <see cref="RecoverPublicKey"/>.</summary>
    public static EthereumAddress RecoverAddress(ReadOnlySpan<byte> hash32, EcdsaSignature signature, bool allowHighS = false) =>
        EthereumAddress.FromPublicKey(RecoverPublicKey(hash32, signature, allowHighS));

    /// <summary>Plain ECDSA verification against a public key (the recovery id is not used; high s verifies, as in SEC1).</summary>
    public static bool Verify(ReadOnlySpan<byte> hash32, EcdsaSignature signature, ReadOnlySpan<byte> publicKey)
    {
        if (hash32.Length != 32) return false;
        Span<byte> pubkey = stackalloc byte[PubkeyObjectSize];
        try { ParsePublicKey(publicKey, pubkey); }
        catch (FormatException) { return false; }
        // libsecp256k1 verifies only the low-s form; (r, s) and (r, n - s) are the same signature to plain ECDSA.
        var s = signature.IsLowS ? signature.S : N - signature.S;
        Span<byte> compact = stackalloc byte[64];
        WriteUInt256(signature.R, compact[..32]);
        WriteUInt256(s, compact[32..]);
        Span<byte> parsed = stackalloc byte[64];
        return Context.EcdsaSignatureParseCompact(parsed, compact) && Context.EcdsaVerify(parsed, hash32, pubkey);
    }

    /// <summary>
    /// ECDH: the x coordinate (32 bytes, big-endian) of sk·PK (libsecp256k1's constant-time multiplication).
    /// Used by ECIES to wrap a key to a public key.
    /// </summary>
    public static byte[] SharedSecretX(ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> publicKey)
    {
        RequirePrivateKey(privateKey);
        Span<byte> pubkey = stackalloc byte[PubkeyObjectSize];
        ParsePublicKey(publicKey, pubkey);
        var x = new byte[32];
        if (!Context.Ecdh(x, pubkey, privateKey, CopyX, IntPtr.Zero))
            throw new CryptographicException("ECDH failed");
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

    private static BigInteger ReadUInt256(ReadOnlySpan<byte> bytes) => new(bytes, isUnsigned: true, isBigEndian: true);

    private static void RequirePrivateKey(ReadOnlySpan<byte> privateKey)
    {
        if (!IsValidPrivateKey(privateKey)) throw InvalidPrivateKey();
    }

    // The message never includes the key bytes.
    private static FormatException InvalidPrivateKey() => new("not a valid secp256k1 private key (32 bytes, 1 <= key < n)");

    /// <summary>Parses 64 (X || Y), 65 (04 || X || Y) or 33 (02/03 || X) bytes into libsecp256k1's pubkey object.</summary>
    private static void ParsePublicKey(ReadOnlySpan<byte> publicKey, Span<byte> pubkey)
    {
        Span<byte> serialized = stackalloc byte[65];
        switch (publicKey.Length)
        {
            case 64:
                serialized[0] = 0x04;
                publicKey.CopyTo(serialized[1..]);
                break;
            case 65 when publicKey[0] == 0x04:
                publicKey.CopyTo(serialized);
                break;
            case 33 when publicKey[0] is 0x02 or 0x03:
                publicKey.CopyTo(serialized);
                serialized = serialized[..33];
                break;
            default:
                throw new FormatException(
                    $"a secp256k1 public key is 64 bytes (X || Y), 65 bytes starting 04, or 33 bytes compressed; got {publicKey.Length} bytes");
        }
        // Coordinates at or above p are rejected by the parser too; checked here so the message is ours.
        if (ReadUInt256(serialized.Slice(1, 32)) >= P || !Context.EcPubkeyParse(pubkey, serialized))
            throw new FormatException("public key is not a point on secp256k1");
    }

    private static void Serialize(ReadOnlySpan<byte> pubkey, Span<byte> destination64)
    {
        Span<byte> serialized = stackalloc byte[65];
        nuint length = 65;
        if (!Context.EcPubkeySerialize(serialized, ref length, pubkey, Secp256k1Net.Secp256k1EcFlags.Uncompressed) || length != 65)
            throw new CryptographicException("public key serialization failed");
        serialized[1..].CopyTo(destination64);
    }

    private static BigInteger ParseHex(string hex) => BigInteger.Parse("0" + hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
