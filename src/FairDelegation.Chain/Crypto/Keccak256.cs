using Org.BouncyCastle.Crypto.Digests;

namespace FairDelegation.Chain.Crypto;

/// <summary>Ethereum's Keccak-256 (the original Keccak padding, not NIST SHA3-256), BouncyCastle's KeccakDigest.</summary>
public static class Keccak256
{
    /// <summary>keccak256(data) as 32 bytes.</summary>
    public static byte[] Hash(ReadOnlySpan<byte> data)
    {
        var digest = new KeccakDigest(256);
        digest.BlockUpdate(data);
        var output = new byte[32];
        digest.DoFinal(output);
        return output;
    }

    /// <summary>keccak256 of the concatenation of the parts, without building the concatenation.</summary>
    public static byte[] Hash(params byte[][] parts)
    {
        var digest = new KeccakDigest(256);
        foreach (var p in parts) digest.BlockUpdate(p);
        var output = new byte[32];
        digest.DoFinal(output);
        return output;
    }

    /// <summary>keccak256 of the UTF-8 bytes of a string (type strings, event signatures).</summary>
    public static byte[] HashUtf8(string text) => Hash(System.Text.Encoding.UTF8.GetBytes(text));
}
