using System.Numerics;
using System.Text;
using FairDelegation.Chain.Crypto;

namespace FairDelegation.Chain.Abi;

/// <summary>Solidity ABI encoding and decoding (the contract ABI specification's head/tail layout).</summary>
public static class AbiCodec
{
    private static readonly BigInteger TwoTo256 = BigInteger.One << 256;

    /// <summary>abi.encode(values...) for the given types.</summary>
    public static byte[] Encode(IReadOnlyList<AbiType> types, IReadOnlyList<object?> values)
    {
        if (types.Count != values.Count)
            throw new ArgumentException($"ABI: {types.Count} types but {values.Count} values");
        return EncodeTuple(types, values);
    }

    /// <summary>Decodes abi.encode output into C# values (see <see cref="AbiType"/>).</summary>
    public static object?[] Decode(IReadOnlyList<AbiType> types, ReadOnlySpan<byte> data)
    {
        try { return DecodeTuple(types, data, 0); }
        catch (ArgumentOutOfRangeException) { throw new FormatException("ABI: data too short for " + string.Join(",", types)); }
    }

    /// <summary>The 4-byte selector of a signature such as "claim((address,address,address,bytes32,uint256,uint256),uint256)".</summary>
    public static byte[] Selector(string signature) => Keccak256.HashUtf8(signature)[..4];

    private static byte[] EncodeTuple(IReadOnlyList<AbiType> types, IReadOnlyList<object?> values)
    {
        var head = new List<byte>();
        var tail = new List<byte>();
        var headSize = types.Sum(t => t.HeadSize);
        for (var i = 0; i < types.Count; i++)
        {
            var encoded = EncodeValue(types[i], values[i]);
            if (types[i].IsDynamic)
            {
                head.AddRange(Word(headSize + tail.Count));
                tail.AddRange(encoded);
            }
            else head.AddRange(encoded);
        }
        return [.. head, .. tail];
    }

    private static byte[] EncodeValue(AbiType type, object? value)
    {
        switch (type.Kind)
        {
            case AbiKind.Address:
                var a = value as EthereumAddress ?? throw Bad(type, value);
                return [.. new byte[12], .. a.Bytes];
            case AbiKind.UInt:
                var u = ToBigInteger(type, value);
                if (u.Sign < 0 || u >= BigInteger.One << type.Size) throw new ArgumentOutOfRangeException(nameof(value), $"ABI: {u} does not fit {type}");
                return Word(u);
            case AbiKind.Int:
                var s = ToBigInteger(type, value);
                var limit = BigInteger.One << (type.Size - 1);
                if (s < -limit || s >= limit) throw new ArgumentOutOfRangeException(nameof(value), $"ABI: {s} does not fit {type}");
                return Word(s.Sign < 0 ? TwoTo256 + s : s);
            case AbiKind.Bool:
                return Word(value is bool b ? (b ? 1 : 0) : throw Bad(type, value));
            case AbiKind.FixedBytes:
                var fb = value as byte[] ?? throw Bad(type, value);
                if (fb.Length != type.Size) throw new ArgumentException($"ABI: {type} needs {type.Size} bytes, got {fb.Length}");
                return [.. fb, .. new byte[32 - fb.Length]];
            case AbiKind.Bytes:
                return EncodeDynamicBytes(value as byte[] ?? throw Bad(type, value));
            case AbiKind.String:
                return EncodeDynamicBytes(Encoding.UTF8.GetBytes(value as string ?? throw Bad(type, value)));
            case AbiKind.Array:
                var list = AsList(type, value);
                return [.. Word(list.Count), .. EncodeTuple(Enumerable.Repeat(type.Element!, list.Count).ToArray(), list)];
            case AbiKind.FixedArray:
                var fixedList = AsList(type, value);
                if (fixedList.Count != type.Size) throw new ArgumentException($"ABI: {type} needs {type.Size} elements, got {fixedList.Count}");
                return EncodeTuple(Enumerable.Repeat(type.Element!, fixedList.Count).ToArray(), fixedList);
            case AbiKind.Tuple:
                var members = AsList(type, value);
                if (members.Count != type.Components.Count) throw new ArgumentException($"ABI: {type} needs {type.Components.Count} members, got {members.Count}");
                return EncodeTuple(type.Components, members);
            default:
                throw new NotSupportedException(type.Canonical);
        }
    }

    private static object?[] DecodeTuple(IReadOnlyList<AbiType> types, ReadOnlySpan<byte> data, int start)
    {
        var result = new object?[types.Count];
        var pos = start;
        for (var i = 0; i < types.Count; i++)
        {
            if (types[i].IsDynamic)
            {
                var offset = ReadLength(data, pos);
                result[i] = DecodeValue(types[i], data, start + offset);
            }
            else result[i] = DecodeValue(types[i], data, pos);
            pos += types[i].HeadSize;
        }
        return result;
    }

    private static object? DecodeValue(AbiType type, ReadOnlySpan<byte> data, int pos)
    {
        var word = data.Slice(pos, 32);
        switch (type.Kind)
        {
            case AbiKind.Address:
                return EthereumAddress.FromBytes(word[12..]);
            case AbiKind.UInt:
                return new BigInteger(word, isUnsigned: true, isBigEndian: true);
            case AbiKind.Int:
                var v = new BigInteger(word, isUnsigned: true, isBigEndian: true);
                return v >= BigInteger.One << 255 ? v - TwoTo256 : v;
            case AbiKind.Bool:
                return word[31] != 0;
            case AbiKind.FixedBytes:
                return word[..type.Size].ToArray();
            case AbiKind.Bytes:
                return ReadDynamicBytes(data, pos);
            case AbiKind.String:
                return Encoding.UTF8.GetString(ReadDynamicBytes(data, pos));
            case AbiKind.Array:
                var count = ReadLength(data, pos);
                return DecodeTuple(Enumerable.Repeat(type.Element!, count).ToArray(), data, pos + 32);
            case AbiKind.FixedArray:
                return DecodeTuple(Enumerable.Repeat(type.Element!, type.Size).ToArray(), data, pos);
            case AbiKind.Tuple:
                return DecodeTuple(type.Components, data, pos);
            default:
                throw new NotSupportedException(type.Canonical);
        }
    }

    private static byte[] EncodeDynamicBytes(byte[] bytes)
    {
        var padded = (bytes.Length + 31) / 32 * 32;
        return [.. Word(bytes.Length), .. bytes, .. new byte[padded - bytes.Length]];
    }

    private static byte[] ReadDynamicBytes(ReadOnlySpan<byte> data, int pos)
    {
        var length = ReadLength(data, pos);
        return data.Slice(pos + 32, length).ToArray();
    }

    private static int ReadLength(ReadOnlySpan<byte> data, int pos)
    {
        var v = new BigInteger(data.Slice(pos, 32), isUnsigned: true, isBigEndian: true);
        if (v > data.Length) throw new FormatException("ABI: offset or length points past the data");
        return (int)v;
    }

    /// <summary>A 32-byte big-endian word.</summary>
    public static byte[] Word(BigInteger value)
    {
        var w = new byte[32];
        Secp256k1.WriteUInt256(value, w);
        return w;
    }

    private static BigInteger ToBigInteger(AbiType type, object? value) => value switch
    {
        BigInteger b => b,
        int i => i,
        long l => l,
        ulong ul => ul,
        uint ui => ui,
        byte[] bytes when bytes.Length <= 32 => new BigInteger(bytes, isUnsigned: true, isBigEndian: true),
        _ => throw Bad(type, value),
    };

    private static IReadOnlyList<object?> AsList(AbiType type, object? value) => value switch
    {
        IReadOnlyList<object?> l => l,
        System.Collections.IEnumerable e and not string and not byte[] => e.Cast<object?>().ToArray(),
        _ => throw Bad(type, value),
    };

    private static ArgumentException Bad(AbiType type, object? value) =>
        new($"ABI: a {type} cannot be encoded from {(value is null ? "null" : value.GetType().Name)}");
}
