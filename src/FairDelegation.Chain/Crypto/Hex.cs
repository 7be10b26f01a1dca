namespace FairDelegation.Chain.Crypto;

/// <summary>0x-prefixed lower-case hex, the way Ethereum tools print bytes.</summary>
public static class Hex
{
    /// <summary>Bytes to "0x" + lower-case hex.</summary>
    public static string Encode(ReadOnlySpan<byte> bytes, bool prefix = true) =>
        (prefix ? "0x" : "") + Convert.ToHexStringLower(bytes);

    /// <summary>Hex (with or without 0x) to bytes; a clear FormatException on anything else.</summary>
    public static byte[] Decode(string hex, string what = "hex value")
    {
        ArgumentNullException.ThrowIfNull(hex);
        var s = hex.Trim();
        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) s = s[2..];
        if (s.Length % 2 != 0) throw new FormatException($"{what} has an odd number of hex digits");
        foreach (var c in s)
        {
            if (!Uri.IsHexDigit(c)) throw new FormatException($"{what} is not hex (unexpected character '{c}')");
        }
        return Convert.FromHexString(s);
    }

    /// <summary>Hex that must decode to exactly <paramref name="length"/> bytes.</summary>
    public static byte[] DecodeFixed(string hex, int length, string what = "hex value")
    {
        var b = Decode(hex, what);
        if (b.Length != length) throw new FormatException($"{what} must be {length} bytes, got {b.Length}");
        return b;
    }
}
