using FairDelegation.Chain.Crypto;

namespace FairDelegation.Protocol.Keys;

/// <summary>
/// A secp256k1 public key (pk_sp or pk_c), held in its canonical 64-byte form X || Y. Parsed from hex with or
/// without the 0x04 prefix; printed as 0x + 128 hex digits.
/// </summary>
public sealed class PublicKey : IEquatable<PublicKey>
{
    private readonly byte[] _bytes;

    private PublicKey(byte[] canonical)
    {
        _bytes = canonical;
        Address = EthereumAddress.FromPublicKey(canonical);
    }

    /// <summary>The Ethereum address of this key (what the escrow stores and ecrecover returns).</summary>
    public EthereumAddress Address { get; }

    /// <summary>The 64 bytes X || Y.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>From 64 bytes (X || Y), 65 bytes (04 || X || Y) or 33 compressed bytes; the point must be on the curve.</summary>
    public static PublicKey FromBytes(ReadOnlySpan<byte> bytes) => new(Secp256k1.NormalizePublicKey(bytes));

    /// <summary>From hex of any of the byte forms.</summary>
    public static PublicKey Parse(string hex)
    {
        byte[] bytes;
        try { bytes = Hex.Decode(hex, "public key"); }
        catch (FormatException e) { throw new FormatException($"malformed public key: {e.Message}"); }
        try { return FromBytes(bytes); }
        catch (FormatException e) { throw new FormatException($"malformed public key: {e.Message}"); }
    }

    /// <summary>0x + 128 hex digits.</summary>
    public string ToHex() => Hex.Encode(_bytes);

    public override string ToString() => ToHex();

    public bool Equals(PublicKey? other) => other is not null && _bytes.AsSpan().SequenceEqual(other._bytes);

    public override bool Equals(object? obj) => obj is PublicKey k && Equals(k);

    public override int GetHashCode() => BitConverter.ToInt32(_bytes, 0);
}
