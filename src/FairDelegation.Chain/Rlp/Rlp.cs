using System.Numerics;

namespace FairDelegation.Chain.Rlp;

/// <summary>Recursive Length Prefix encoding (Ethereum yellow paper, appendix B): the wire form of transactions.</summary>
public static class Rlp
{
    /// <summary>A byte string: a single byte below 0x80 is itself, otherwise a length prefix and the bytes.</summary>
    public static byte[] EncodeBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length == 1 && bytes[0] < 0x80) return [bytes[0]];
        return [.. Prefix(0x80, bytes.Length), .. bytes];
    }

    /// <summary>A non-negative integer as its minimal big-endian bytes (zero is the empty string).</summary>
    public static byte[] EncodeUInt(BigInteger value)
    {
        if (value.Sign < 0) throw new ArgumentOutOfRangeException(nameof(value), "RLP integers are non-negative");
        return EncodeBytes(value.IsZero ? [] : value.ToByteArray(isUnsigned: true, isBigEndian: true));
    }

    /// <summary>A list of already-encoded items.</summary>
    public static byte[] EncodeList(IEnumerable<byte[]> encodedItems)
    {
        var payload = encodedItems.SelectMany(i => i).ToArray();
        return [.. Prefix(0xc0, payload.Length), .. payload];
    }

    /// <summary>A list of already-encoded items.</summary>
    public static byte[] EncodeList(params byte[][] encodedItems) => EncodeList((IEnumerable<byte[]>)encodedItems);

    private static byte[] Prefix(byte offset, int length)
    {
        if (length < 56) return [(byte)(offset + length)];
        var len = new BigInteger(length).ToByteArray(isUnsigned: true, isBigEndian: true);
        return [(byte)(offset + 55 + len.Length), .. len];
    }

    /// <summary>Decodes one item that must span the whole input (for tests and for reading raw transactions).</summary>
    public static RlpItem Decode(ReadOnlySpan<byte> input)
    {
        var item = DecodeAt(input, 0, out var next);
        if (next != input.Length) throw new FormatException($"RLP: {input.Length - next} trailing bytes after the item");
        return item;
    }

    private static RlpItem DecodeAt(ReadOnlySpan<byte> input, int pos, out int next)
    {
        if (pos >= input.Length) throw new FormatException("RLP: unexpected end of input");
        var b = input[pos];
        if (b < 0x80) { next = pos + 1; return RlpItem.Bytes([b]); }
        if (b < 0xc0)
        {
            var (start, len) = Length(input, pos, 0x80);
            next = start + len;
            return RlpItem.Bytes(input.Slice(start, len).ToArray());
        }
        var (ls, ll) = Length(input, pos, 0xc0);
        var items = new List<RlpItem>();
        var p = ls;
        while (p < ls + ll) items.Add(DecodeAt(input[..(ls + ll)], p, out p));
        next = ls + ll;
        return RlpItem.List(items);
    }

    private static (int Start, int Length) Length(ReadOnlySpan<byte> input, int pos, byte offset)
    {
        var b = input[pos] - offset;
        if (b < 56)
        {
            if (pos + 1 + b > input.Length) throw new FormatException("RLP: item runs past the end");
            return (pos + 1, b);
        }
        var lenOfLen = b - 55;
        if (pos + 1 + lenOfLen > input.Length || lenOfLen > 4) throw new FormatException("RLP: bad length prefix");
        var len = 0;
        for (var i = 0; i < lenOfLen; i++) len = (len << 8) | input[pos + 1 + i];
        if (len < 56 || pos + 1 + lenOfLen + len > input.Length) throw new FormatException("RLP: bad length");
        return (pos + 1 + lenOfLen, len);
    }
}

/// <summary>A decoded RLP item: either a byte string or a list of items.</summary>
public sealed class RlpItem
{
    private RlpItem(byte[]? bytes, IReadOnlyList<RlpItem>? items) { Value = bytes; Items = items; }

    /// <summary>The bytes of a string item; null for a list.</summary>
    public byte[]? Value { get; }

    /// <summary>The children of a list item; null for a string.</summary>
    public IReadOnlyList<RlpItem>? Items { get; }

    public bool IsList => Items is not null;

    public static RlpItem Bytes(byte[] value) => new(value, null);

    public static RlpItem List(IReadOnlyList<RlpItem> items) => new(null, items);

    /// <summary>The string item read as a big-endian unsigned integer.</summary>
    public BigInteger AsUInt() => new(Value ?? throw new FormatException("RLP: expected a string, got a list"),
        isUnsigned: true, isBigEndian: true);
}
