using System.Text;

namespace FairDelegation.Chain.Crypto;

/// <summary>A 20-byte Ethereum address; printed with the EIP-55 mixed-case checksum.</summary>
public sealed class EthereumAddress : IEquatable<EthereumAddress>
{
    private readonly byte[] _bytes;

    private EthereumAddress(byte[] bytes) => _bytes = bytes;

    /// <summary>0x0000000000000000000000000000000000000000.</summary>
    public static EthereumAddress Zero { get; } = new(new byte[20]);

    /// <summary>A copy of the 20 bytes.</summary>
    public byte[] ToBytes() => (byte[])_bytes.Clone();

    /// <summary>The 20 bytes without copying, for hashing and ABI encoding.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>From 20 raw bytes.</summary>
    public static EthereumAddress FromBytes(ReadOnlySpan<byte> bytes) =>
        bytes.Length == 20 ? new EthereumAddress(bytes.ToArray())
            : throw new FormatException($"an address is 20 bytes, got {bytes.Length}");

    /// <summary>The last 20 bytes of keccak256(X || Y) of a public key (64, 65 or 33 bytes).</summary>
    public static EthereumAddress FromPublicKey(ReadOnlySpan<byte> publicKey)
    {
        var xy = Secp256k1.NormalizePublicKey(publicKey);
        return new EthereumAddress(Keccak256.Hash(xy)[12..]);
    }

    /// <summary>The address of a private key's public key.</summary>
    public static EthereumAddress FromPrivateKey(ReadOnlySpan<byte> privateKey) =>
        FromPublicKey(Secp256k1.PublicKeyFromPrivateKey(privateKey));

    /// <summary>
    /// Parses "0x" + 40 hex digits. All-lower or all-upper case is accepted as is; mixed case must carry
    /// a correct EIP-55 checksum (a wrong one is most likely a typo).
    /// </summary>
    public static EthereumAddress Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var s = text.Trim();
        if (!s.StartsWith("0x", StringComparison.OrdinalIgnoreCase) || s.Length != 42)
            throw new FormatException($"'{Truncate(s)}' is not an address (0x followed by 40 hex digits)");
        var digits = s[2..];
        var bytes = Hex.Decode(digits, "address");
        var address = new EthereumAddress(bytes);
        var hasLower = digits.Any(char.IsLower);
        var hasUpper = digits.Any(char.IsUpper);
        if (hasLower && hasUpper && address.ToString()[2..] != digits)
            throw new FormatException($"address {s} has 40 hex digits but a wrong EIP-55 checksum (its mixed case does not match " +
                                      "keccak256 of the address: a typo?); write it all lower-case to skip the check");
        return address;
    }

    /// <summary>Why <paramref name="text"/> is not an address (not 0x + 40 hex digits, or a wrong EIP-55 checksum), or null.</summary>
    public static string? Problem(string? text)
    {
        if (text is null) return "no address given";
        try
        {
            Parse(text);
            return null;
        }
        catch (FormatException e)
        {
            return e.Message;
        }
    }

    /// <summary>Parse without exceptions.</summary>
    public static bool TryParse(string? text, out EthereumAddress? address)
    {
        address = null;
        if (text is null) return false;
        try { address = Parse(text); return true; }
        catch (FormatException) { return false; }
    }

    /// <summary>EIP-55: hex digit i is upper-cased when nibble i of keccak256(lower-case hex) is >= 8.</summary>
    public string ToChecksumString()
    {
        var lower = Convert.ToHexStringLower(_bytes);
        var hash = Keccak256.Hash(Encoding.ASCII.GetBytes(lower));
        var sb = new StringBuilder("0x", 42);
        for (var i = 0; i < 40; i++)
        {
            var nibble = (hash[i / 2] >> (i % 2 == 0 ? 4 : 0)) & 0xF;
            sb.Append(nibble >= 8 ? char.ToUpperInvariant(lower[i]) : lower[i]);
        }
        return sb.ToString();
    }

    /// <summary>Lower-case 0x-hex (for JSON-RPC and case-insensitive keys).</summary>
    public string ToLowerHex() => "0x" + Convert.ToHexStringLower(_bytes);

    public override string ToString() => ToChecksumString();

    public bool Equals(EthereumAddress? other) => other is not null && _bytes.AsSpan().SequenceEqual(other._bytes);

    public override bool Equals(object? obj) => obj is EthereumAddress a && Equals(a);

    public override int GetHashCode() => BitConverter.ToInt32(_bytes, 16);

    public static bool operator ==(EthereumAddress? a, EthereumAddress? b) => a is null ? b is null : a.Equals(b);

    public static bool operator !=(EthereumAddress? a, EthereumAddress? b) => !(a == b);

    private static string Truncate(string s) => s.Length <= 50 ? s : s[..47] + "...";
}
