using FairDelegation.Chain.Crypto;

namespace FairDelegation.Protocol.Serialization;

/// <summary>A 32-byte value with value equality (agreement ids, commitments, nonces); printed as 0x-hex.</summary>
public sealed class Bytes32 : IEquatable<Bytes32>
{
    private readonly byte[] _bytes;

    private Bytes32(byte[] bytes) => _bytes = bytes;

    public static Bytes32 Zero { get; } = new(new byte[32]);

    public ReadOnlySpan<byte> Bytes => _bytes;

    public byte[] ToArray() => (byte[])_bytes.Clone();

    public static Bytes32 FromBytes(ReadOnlySpan<byte> bytes) =>
        bytes.Length == 32 ? new Bytes32(bytes.ToArray()) : throw new FormatException($"expected 32 bytes, got {bytes.Length}");

    public static Bytes32 Parse(string hex) => new(Hex.DecodeFixed(hex, 32, "32-byte value"));

    /// <summary>32 bytes from the OS CSPRNG.</summary>
    public static Bytes32 Random() => new(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    public string ToHex() => Hex.Encode(_bytes);

    public override string ToString() => ToHex();

    public bool Equals(Bytes32? other) => other is not null && _bytes.AsSpan().SequenceEqual(other._bytes);

    public override bool Equals(object? obj) => obj is Bytes32 b && Equals(b);

    public override int GetHashCode() => BitConverter.ToInt32(_bytes, 0);

    public static bool operator ==(Bytes32? a, Bytes32? b) => a is null ? b is null : a.Equals(b);

    public static bool operator !=(Bytes32? a, Bytes32? b) => !(a == b);
}
