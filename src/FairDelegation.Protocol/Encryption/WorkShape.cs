using System.Buffers.Binary;
using FairDelegation.Protocol.Keys;
using static FairDelegation.Protocol.Encryption.WorkEncryptionFormat;

namespace FairDelegation.Protocol.Encryption;

/// <summary>
/// Step (7): what the customer can check of w' before paying (issue 11 #8). The header parses (magic, the agreed format
/// version, a segment size in range, an ephemeral key on the curve) and the length is one the segment formula can produce
/// (header + plaintext + one tag per segment). What it cannot check without sk_sp: that the file key is wrapped for pk_sp
/// and that the segments decrypt, i.e. that w' is the verifier's output. The verifier package holds sk_c in clear, so a
/// provider that reads it can stamp any bytes of this shape (assumption A6, docs/threat-model.md).
/// </summary>
public static class WorkShape
{
    /// <summary>Null when <paramref name="header"/> (the first bytes of w') and its total <paramref name="length"/> have the agreed shape; else why not.</summary>
    public static string? Problem(ReadOnlySpan<byte> header, long length)
    {
        if (header.Length < Magic.Length || !header[..Magic.Length].SequenceEqual(Magic))
            return "w' is not an encrypted work (it does not start with the magic bytes \"FDWE\")";
        if (header.Length < HeaderSize || length < HeaderSize + TagSize)
            return $"w' is {length} bytes: shorter than its {HeaderSize}-byte header and one {TagSize}-byte segment tag";
        if (header[4] != FormatVersion) return $"w' is in work-encryption format version {header[4]}; the agreed version is {FormatVersion}";
        var segmentSize = BinaryPrimitives.ReadUInt32BigEndian(header.Slice(5, 4));
        if (segmentSize is 0 or > MaxSegmentSize) return $"w' declares a segment size of {segmentSize} bytes (allowed: 1 to {MaxSegmentSize})";
        try
        {
            _ = PublicKey.FromBytes(header.Slice(EphemeralKeyOffset, EphemeralKeySize));
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            return "w' carries an ephemeral public key that is not a point of secp256k1";
        }
        // The body is segments of segmentSize + 16 bytes; the last holds 1..segmentSize plaintext bytes (0 only for an empty work).
        var body = length - HeaderSize;
        var full = body / (segmentSize + TagSize);
        var rest = body % (segmentSize + TagSize);
        var fits = rest == 0 ? full >= 1 : rest > TagSize || (full == 0 && rest == TagSize);
        return fits ? null
            : $"w' is {length} bytes, a length no plaintext encrypts to with {segmentSize}-byte segments (header {HeaderSize} + plaintext + {TagSize} per segment)";
    }
}
