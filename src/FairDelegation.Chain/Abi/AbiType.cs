namespace FairDelegation.Chain.Abi;

/// <summary>The kinds of Solidity ABI types this client encodes and decodes.</summary>
public enum AbiKind { Address, UInt, Int, Bool, FixedBytes, Bytes, String, Array, FixedArray, Tuple }

/// <summary>
/// A Solidity ABI type (address, uintN, intN, bool, bytesN, bytes, string, T[], T[k], tuples), parsed from its
/// canonical form such as "(address,uint256)[]". C# values: EthereumAddress, BigInteger, bool, byte[], string,
/// object?[] for tuples and arrays.
/// </summary>
public sealed class AbiType
{
    private AbiType(AbiKind kind, string canonical, int size = 0, AbiType? element = null,
        IReadOnlyList<AbiType>? components = null, IReadOnlyList<string>? names = null)
    {
        Kind = kind;
        Canonical = canonical;
        Size = size;
        Element = element;
        Components = components ?? [];
        ComponentNames = names ?? [];
    }

    public AbiKind Kind { get; }

    /// <summary>The type as it appears in signatures, e.g. "(address,uint256)".</summary>
    public string Canonical { get; }

    /// <summary>Bits for uintN/intN, bytes for bytesN, length for T[k].</summary>
    public int Size { get; }

    /// <summary>The element type of an array.</summary>
    public AbiType? Element { get; }

    /// <summary>The members of a tuple.</summary>
    public IReadOnlyList<AbiType> Components { get; }

    /// <summary>The members' names of a tuple (from the JSON ABI), empty when unknown.</summary>
    public IReadOnlyList<string> ComponentNames { get; }

    /// <summary>Dynamic types are encoded in the tail with an offset in the head.</summary>
    public bool IsDynamic => Kind switch
    {
        AbiKind.Bytes or AbiKind.String or AbiKind.Array => true,
        AbiKind.FixedArray => Element!.IsDynamic,
        AbiKind.Tuple => Components.Any(c => c.IsDynamic),
        _ => false,
    };

    /// <summary>Bytes this type takes in the head of its enclosing tuple.</summary>
    public int HeadSize => IsDynamic ? 32 : Kind switch
    {
        AbiKind.FixedArray => Size * Element!.HeadSize,
        AbiKind.Tuple => Components.Sum(c => c.HeadSize),
        _ => 32,
    };

    public static AbiType Address { get; } = new(AbiKind.Address, "address");
    public static AbiType UInt256 { get; } = new(AbiKind.UInt, "uint256", 256);
    public static AbiType Bool { get; } = new(AbiKind.Bool, "bool");
    public static AbiType Bytes32 { get; } = new(AbiKind.FixedBytes, "bytes32", 32);
    public static AbiType Bytes { get; } = new(AbiKind.Bytes, "bytes");
    public static AbiType String { get; } = new(AbiKind.String, "string");

    /// <summary>A tuple of the given members.</summary>
    public static AbiType Tuple(IReadOnlyList<AbiType> components, IReadOnlyList<string>? names = null) =>
        new(AbiKind.Tuple, "(" + string.Join(",", components.Select(c => c.Canonical)) + ")", components: components, names: names);

    /// <summary>T[] or T[k].</summary>
    public static AbiType ArrayOf(AbiType element, int? length = null) => length is { } k
        ? new(AbiKind.FixedArray, $"{element.Canonical}[{k}]", k, element)
        : new(AbiKind.Array, element.Canonical + "[]", element: element);

    /// <summary>Parses a canonical type string.</summary>
    public static AbiType Parse(string type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var t = type.Trim();
        if (t.EndsWith(']'))
        {
            var open = t.LastIndexOf('[');
            if (open < 0) throw new FormatException($"ABI type '{type}': unbalanced brackets");
            var inner = Parse(t[..open]);
            var len = t[(open + 1)..^1];
            if (len.Length == 0) return ArrayOf(inner);
            return int.TryParse(len, out var k) && k > 0 ? ArrayOf(inner, k) : throw new FormatException($"ABI type '{type}': bad array length");
        }
        if (t.StartsWith('('))
        {
            if (!t.EndsWith(')')) throw new FormatException($"ABI type '{type}': unbalanced parentheses");
            return Tuple(SplitTopLevel(t[1..^1]).Select(Parse).ToArray());
        }
        if (t == "address") return Address;
        if (t == "bool") return Bool;
        if (t == "bytes") return Bytes;
        if (t == "string") return String;
        if (t.StartsWith("uint") || t.StartsWith("int"))
        {
            var unsigned = t.StartsWith('u');
            var bits = t[(unsigned ? 4 : 3)..];
            var n = bits.Length == 0 ? 256 : int.TryParse(bits, out var b) ? b : -1;
            if (n is < 8 or > 256 || n % 8 != 0) throw new FormatException($"ABI type '{type}': bad integer size");
            return new(unsigned ? AbiKind.UInt : AbiKind.Int, (unsigned ? "uint" : "int") + n, n);
        }
        if (t.StartsWith("bytes") && int.TryParse(t[5..], out var size) && size is >= 1 and <= 32)
            return new(AbiKind.FixedBytes, t, size);
        throw new FormatException($"unsupported ABI type '{type}'");
    }

    private static IEnumerable<string> SplitTopLevel(string s)
    {
        if (s.Length == 0) yield break;
        var depth = 0;
        var start = 0;
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] == '(') depth++;
            else if (s[i] == ')') depth--;
            else if (s[i] == ',' && depth == 0) { yield return s[start..i]; start = i + 1; }
        }
        yield return s[start..];
    }

    public override string ToString() => Canonical;
}
