using System.Numerics;

namespace FairDelegation.Chain.Crypto;

/// <summary>
/// A secp256k1 ECDSA signature with its recovery id: R, S (big-endian unsigned integers) and V = 0 or 1
/// (the parity of the ephemeral point's y; x never overflows the group order in practice).
/// </summary>
public sealed record EcdsaSignature
{
    public EcdsaSignature(BigInteger r, BigInteger s, byte v)
    {
        if (r.Sign <= 0 || r >= Secp256k1.N) throw new ArgumentException("signature r is out of range");
        if (s.Sign <= 0 || s >= Secp256k1.N) throw new ArgumentException("signature s is out of range");
        if (v > 1) throw new ArgumentException("signature recovery id must be 0 or 1");
        R = r;
        S = s;
        V = v;
    }

    public BigInteger R { get; }
    public BigInteger S { get; }

    /// <summary>Recovery id, 0 or 1 (add 27 for Ethereum's personal/typed-data "v").</summary>
    public byte V { get; }

    /// <summary>True when S is in the lower half of the order (EIP-2): the only form Ethereum accepts.</summary>
    public bool IsLowS => S <= Secp256k1.HalfN;

    /// <summary>r (32) || s (32) || v (1), with v = recovery id + <paramref name="vOffset"/> (27 by default, as cast prints).</summary>
    public byte[] ToBytes(int vOffset = 27)
    {
        var b = new byte[65];
        Secp256k1.WriteUInt256(R, b.AsSpan(0, 32));
        Secp256k1.WriteUInt256(S, b.AsSpan(32, 32));
        b[64] = checked((byte)(V + vOffset));
        return b;
    }

    /// <summary>The 65-byte form as 0x-hex.</summary>
    public string ToHex(int vOffset = 27) => Hex.Encode(ToBytes(vOffset));

    /// <summary>Parses r || s || v where v is 0, 1, 27 or 28.</summary>
    public static EcdsaSignature FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != 65) throw new FormatException($"a signature is 65 bytes (r || s || v), got {bytes.Length}");
        var v = bytes[64];
        byte recId = v switch
        {
            0 or 1 => v,
            27 or 28 => (byte)(v - 27),
            _ => throw new FormatException($"signature v must be 0, 1, 27 or 28, got {v}"),
        };
        var r = new BigInteger(bytes[..32], isUnsigned: true, isBigEndian: true);
        var s = new BigInteger(bytes[32..64], isUnsigned: true, isBigEndian: true);
        try { return new EcdsaSignature(r, s, recId); }
        catch (ArgumentException e) { throw new FormatException(e.Message); }
    }

    /// <summary>Parses the 0x-hex 65-byte form.</summary>
    public static EcdsaSignature FromHex(string hex) => FromBytes(Hex.Decode(hex, "signature"));

    public override string ToString() => ToHex();
}
