using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace FairDelegation.Protocol.Encryption;

/// <summary>
/// Constants and key derivations of the work-encryption format, version 1 (docs/formats/work-encryption.md).
/// <code>
/// header (122 bytes) = "FDWE" | version 0x01 | segment size (u32 BE) | ephemeral public key (65, 04||X||Y)
///                      | wrapped file key (32) | wrap tag (16)
/// body               = segment_0 | ... | segment_last, each AES-256-GCM(payload key, nonce = u88 BE index | last flag)
///                      of `segment size` plaintext bytes (the last: 1..segment size, or 0 for an empty work) + 16-byte tag
/// </code>
/// </summary>
public static class WorkEncryptionFormat
{
    public static ReadOnlySpan<byte> Magic => "FDWE"u8;
    public const byte FormatVersion = 1;
    public const int DefaultSegmentSize = 64 * 1024;
    public const int MaxSegmentSize = 1 << 24;
    public const int TagSize = 16;
    public const int KeySize = 32;
    public const int NonceSize = 12;
    public const int EphemeralKeyOffset = 9;
    public const int EphemeralKeySize = 65;
    public const int WrappedKeyOffset = EphemeralKeyOffset + EphemeralKeySize; // 74
    public const int HeaderSize = WrappedKeyOffset + KeySize + TagSize; // 122

    internal static readonly byte[] WrapInfo = Encoding.ASCII.GetBytes("FairDelegation/work-encryption/v1/wrap");
    internal static readonly byte[] PayloadInfo = Encoding.ASCII.GetBytes("FairDelegation/work-encryption/v1/payload");

    /// <summary>The size of w' for a plaintext of the given length: header + one tag per segment.</summary>
    public static long CiphertextLength(long plaintextLength, int segmentSize = DefaultSegmentSize)
    {
        var segments = plaintextLength == 0 ? 1 : (plaintextLength + segmentSize - 1) / segmentSize;
        return HeaderSize + plaintextLength + segments * TagSize;
    }

    /// <summary>wrapKey = HKDF-SHA256(ikm = ECDH x, salt = ephemeral pk (65) || recipient pk (65), info = WrapInfo).</summary>
    internal static byte[] WrapKey(ReadOnlySpan<byte> sharedX, ReadOnlySpan<byte> ephemeralPublic65, ReadOnlySpan<byte> recipientPublic64)
    {
        Span<byte> salt = stackalloc byte[130];
        ephemeralPublic65.CopyTo(salt);
        salt[65] = 0x04;
        recipientPublic64.CopyTo(salt[66..]);
        return HKDF.DeriveKey(HashAlgorithmName.SHA256, sharedX.ToArray(), KeySize, salt.ToArray(), WrapInfo);
    }

    /// <summary>payloadKey = HKDF-SHA256(ikm = file key, salt = SHA-256(header), info = PayloadInfo): binds every segment to the header.</summary>
    internal static byte[] PayloadKey(ReadOnlySpan<byte> fileKey, ReadOnlySpan<byte> header)
    {
        var salt = SHA256.HashData(header);
        return HKDF.DeriveKey(HashAlgorithmName.SHA256, fileKey.ToArray(), KeySize, salt, PayloadInfo);
    }

    /// <summary>Segment nonce: the index as an 11-byte big-endian integer, then 0x01 for the last segment, else 0x00.</summary>
    internal static void SegmentNonce(Span<byte> nonce12, ulong index, bool last)
    {
        nonce12.Clear();
        BinaryPrimitives.WriteUInt64BigEndian(nonce12.Slice(3, 8), index);
        nonce12[11] = last ? (byte)1 : (byte)0;
    }
}
