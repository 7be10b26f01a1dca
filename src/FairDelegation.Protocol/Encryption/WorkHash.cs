using System.Security.Cryptography;
using FairDelegation.Chain.Crypto;

namespace FairDelegation.Protocol.Encryption;

/// <summary>H(w'): the SHA-256 of the encrypted work's bytes (header included), as stamped and escrowed.</summary>
public sealed class WorkHash : IEquatable<WorkHash>
{
    private readonly byte[] _bytes;

    private WorkHash(byte[] bytes) => _bytes = bytes;

    /// <summary>The 32 bytes.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>A copy of the 32 bytes (for ABI / EIP-712 encoders).</summary>
    public byte[] ToArray() => (byte[])_bytes.Clone();

    public static WorkHash FromBytes(ReadOnlySpan<byte> bytes) =>
        bytes.Length == 32 ? new WorkHash(bytes.ToArray()) : throw new FormatException($"a work hash is 32 bytes, got {bytes.Length}");

    /// <summary>From 0x-hex (64 digits).</summary>
    public static WorkHash Parse(string hex) => new(Hex.DecodeFixed(hex, 32, "work hash"));

    /// <summary>Hashes a stream to its end (for a w' that was not produced here).</summary>
    public static WorkHash Compute(Stream ciphertext) => new(SHA256.HashData(ciphertext));

    /// <summary>Hashes a file.</summary>
    public static WorkHash ComputeFile(string path)
    {
        using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        return Compute(f);
    }

    /// <summary>0x + 64 hex digits.</summary>
    public string ToHex() => Hex.Encode(_bytes);

    public override string ToString() => ToHex();

    public bool Equals(WorkHash? other) => other is not null && CryptographicOperations.FixedTimeEquals(_bytes, other._bytes);

    public override bool Equals(object? obj) => obj is WorkHash h && Equals(h);

    public override int GetHashCode() => BitConverter.ToInt32(_bytes, 0);

    public static bool operator ==(WorkHash? a, WorkHash? b) => a is null ? b is null : a.Equals(b);

    public static bool operator !=(WorkHash? a, WorkHash? b) => !(a == b);
}
