using System.Collections;
using System.Numerics;
using System.Text;
using System.Text.Json;

namespace FairDelegation.Chain.Crypto;

/// <summary>
/// An EIP-712 typed-data document (types, primaryType, domain, message) and its hashing:
/// encodeType (primary type first, then the referenced struct types sorted by name), typeHash, encodeData,
/// hashStruct, the domain separator and the signing digest keccak256(0x19 0x01 || domainSeparator || hashStruct(message)).
/// Supports address, bool, string, bytes, bytes1..32, uint8..256, int8..256, nested structs and arrays (T[] and T[n]).
/// Values are .NET objects: string, bool, BigInteger (or any integer type), byte[], EthereumAddress,
/// IReadOnlyDictionary&lt;string, object?&gt; for structs, lists for arrays. Integers and bytes may also be given as
/// strings (decimal or 0x-hex), as in the JSON form that wallets and `cast wallet sign --data` read.
/// </summary>
public sealed class TypedData
{
    public const string DomainTypeName = "EIP712Domain";

    public TypedData(IReadOnlyDictionary<string, IReadOnlyList<TypedDataField>> types, string primaryType,
        IReadOnlyDictionary<string, object?> domain, IReadOnlyDictionary<string, object?> message)
    {
        Types = types;
        PrimaryType = primaryType;
        Domain = domain;
        Message = message;
        if (!types.ContainsKey(DomainTypeName)) throw new FormatException($"typed data has no {DomainTypeName} type");
        if (!types.ContainsKey(primaryType)) throw new FormatException($"typed data has no type '{primaryType}' (the primary type)");
        foreach (var (name, fields) in types)
        {
            foreach (var f in fields)
            {
                var baseType = BaseType(f.Type);
                if (!types.ContainsKey(baseType) && !IsAtomic(baseType))
                    throw new FormatException($"type {name}.{f.Name} refers to unknown type '{f.Type}'");
            }
        }
    }

    public IReadOnlyDictionary<string, IReadOnlyList<TypedDataField>> Types { get; }
    public string PrimaryType { get; }
    public IReadOnlyDictionary<string, object?> Domain { get; }
    public IReadOnlyDictionary<string, object?> Message { get; }

    /// <summary>Builds a document from a domain, the message's struct types (without EIP712Domain) and the message.</summary>
    public static TypedData Create(Eip712Domain domain, string primaryType,
        IReadOnlyDictionary<string, IReadOnlyList<TypedDataField>> types, IReadOnlyDictionary<string, object?> message)
    {
        var all = new Dictionary<string, IReadOnlyList<TypedDataField>>(types) { [DomainTypeName] = domain.Fields() };
        return new TypedData(all, primaryType, domain.Values(), message);
    }

    /// <summary>"Name(type1 name1,type2 name2)" followed by every referenced struct type, sorted by name.</summary>
    public string EncodeType(string typeName)
    {
        var deps = new SortedSet<string>(StringComparer.Ordinal);
        CollectDependencies(typeName, deps);
        deps.Remove(typeName);
        var sb = new StringBuilder();
        foreach (var t in new[] { typeName }.Concat(deps))
        {
            sb.Append(t).Append('(');
            sb.AppendJoin(',', Types[t].Select(f => f.Type + " " + f.Name));
            sb.Append(')');
        }
        return sb.ToString();
    }

    /// <summary>keccak256(encodeType(type)).</summary>
    public byte[] TypeHash(string typeName) => Keccak256.HashUtf8(EncodeType(typeName));

    /// <summary>keccak256(typeHash || encodeData(value)).</summary>
    public byte[] HashStruct(string typeName, IReadOnlyDictionary<string, object?> value)
    {
        if (!Types.TryGetValue(typeName, out var fields)) throw new FormatException($"unknown struct type '{typeName}'");
        var buffer = new byte[32 * (1 + fields.Count)];
        TypeHash(typeName).CopyTo(buffer, 0);
        for (var i = 0; i < fields.Count; i++)
        {
            var f = fields[i];
            if (!value.TryGetValue(f.Name, out var v)) throw new FormatException($"{typeName} value has no field '{f.Name}'");
            try { EncodeValue(f.Type, v).CopyTo(buffer, 32 * (i + 1)); }
            catch (Exception e) when (e is FormatException or InvalidCastException or OverflowException or ArgumentException)
            {
                throw new FormatException($"{typeName}.{f.Name} ({f.Type}): {e.Message}", e);
            }
        }
        return Keccak256.Hash(buffer);
    }

    /// <summary>hashStruct(EIP712Domain, domain).</summary>
    public byte[] DomainSeparator() => HashStruct(DomainTypeName, Domain);

    /// <summary>hashStruct(primaryType, message).</summary>
    public byte[] MessageHash() => HashStruct(PrimaryType, Message);

    /// <summary>The 32 bytes a wallet signs: keccak256(0x19 0x01 || domainSeparator || hashStruct(message)).</summary>
    public byte[] Digest() => Keccak256.Hash([0x19, 0x01], DomainSeparator(), MessageHash());

    /// <summary>Signs the digest (RFC 6979, low-s).</summary>
    public EcdsaSignature Sign(ReadOnlySpan<byte> privateKey) => Secp256k1.Sign(Digest(), privateKey);

    /// <summary>The address whose key made the signature over this document.</summary>
    public EthereumAddress RecoverSigner(EcdsaSignature signature) =>
        EthereumAddress.FromPublicKey(Secp256k1.RecoverPublicKey(Digest(), signature));

    /// <summary>The 32-byte encoding of one value of the given type (encodeData's per-member rule).</summary>
    public byte[] EncodeValue(string type, object? value)
    {
        if (value is JsonElement je) value = FromJsonElement(je);
        if (type.EndsWith(']'))
        {
            var open = type.LastIndexOf('[');
            var elementType = type[..open];
            var lengthText = type[(open + 1)..^1];
            if (value is not IEnumerable items || value is string or byte[] || value is IReadOnlyDictionary<string, object?>)
                throw new FormatException("expected an array");
            var list = items.Cast<object?>().ToList();
            if (lengthText.Length > 0 && list.Count != int.Parse(lengthText, System.Globalization.CultureInfo.InvariantCulture))
                throw new FormatException($"expected {lengthText} elements, got {list.Count}");
            var concat = new byte[32 * list.Count];
            for (var i = 0; i < list.Count; i++) EncodeValue(elementType, list[i]).CopyTo(concat, 32 * i);
            return Keccak256.Hash(concat);
        }
        if (Types.ContainsKey(type))
        {
            return value is IReadOnlyDictionary<string, object?> dict ? HashStruct(type, dict)
                : throw new FormatException($"expected a {type} struct");
        }
        var word = new byte[32];
        switch (type)
        {
            case "address":
                ToAddress(value).Bytes.CopyTo(word.AsSpan(12));
                return word;
            case "bool":
                word[31] = ToBool(value) ? (byte)1 : (byte)0;
                return word;
            case "string":
                return Keccak256.Hash(Encoding.UTF8.GetBytes(value as string ?? throw new FormatException("expected a string")));
            case "bytes":
                return Keccak256.Hash(ToBytes(value));
        }
        if (type.StartsWith("bytes", StringComparison.Ordinal))
        {
            var n = ParseSize(type, "bytes", 1, 32, 1);
            var b = ToBytes(value);
            if (b.Length != n) throw new FormatException($"expected {n} bytes, got {b.Length}");
            b.CopyTo(word, 0);
            return word;
        }
        if (type.StartsWith("uint", StringComparison.Ordinal))
        {
            var bits = ParseSize(type, "uint", 8, 256, 8);
            var x = ToInteger(value);
            if (x.Sign < 0 || x >= BigInteger.One << bits) throw new OverflowException($"value does not fit in {type}");
            Secp256k1.WriteUInt256(x, word);
            return word;
        }
        if (type.StartsWith("int", StringComparison.Ordinal))
        {
            var bits = ParseSize(type, "int", 8, 256, 8);
            var x = ToInteger(value);
            var limit = BigInteger.One << (bits - 1);
            if (x < -limit || x >= limit) throw new OverflowException($"value does not fit in {type}");
            Secp256k1.WriteUInt256(x.Sign >= 0 ? x : (BigInteger.One << 256) + x, word);
            return word;
        }
        throw new FormatException($"unsupported type '{type}'");
    }

    /// <summary>Parses the standard JSON document ({types, primaryType, domain, message}).</summary>
    public static TypedData FromJson(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var types = new Dictionary<string, IReadOnlyList<TypedDataField>>();
        foreach (var t in Required(root, "types").EnumerateObject())
        {
            types[t.Name] = t.Value.EnumerateArray()
                .Select(f => new TypedDataField(Required(f, "name").GetString()!, Required(f, "type").GetString()!))
                .ToList();
        }
        var primary = Required(root, "primaryType").GetString()!;
        var domain = (IReadOnlyDictionary<string, object?>)FromJsonElement(Required(root, "domain"))!;
        var message = (IReadOnlyDictionary<string, object?>)FromJsonElement(Required(root, "message"))!;
        return new TypedData(types, primary, domain, message);
    }

    /// <summary>
    /// The standard JSON document. Integers are written as decimal strings (they may exceed 2^53), bytes as 0x-hex,
    /// addresses with their checksum, so the file can be given to `cast wallet sign --data --from-file`.
    /// </summary>
    public string ToJson(bool indented = true)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = indented }))
        {
            w.WriteStartObject();
            w.WriteStartObject("types");
            foreach (var (name, fields) in Types.OrderBy(t => t.Key == DomainTypeName ? 0 : 1).ThenBy(t => t.Key, StringComparer.Ordinal))
            {
                w.WriteStartArray(name);
                foreach (var f in fields)
                {
                    w.WriteStartObject();
                    w.WriteString("name", f.Name);
                    w.WriteString("type", f.Type);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            w.WriteEndObject();
            w.WriteString("primaryType", PrimaryType);
            w.WritePropertyName("domain");
            WriteValue(w, Domain);
            w.WritePropertyName("message");
            WriteValue(w, Message);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    private static void WriteValue(Utf8JsonWriter w, object? value)
    {
        switch (value)
        {
            case null: w.WriteNullValue(); break;
            case JsonElement je: je.WriteTo(w); break;
            case string s: w.WriteStringValue(s); break;
            case bool b: w.WriteBooleanValue(b); break;
            case byte[] bytes: w.WriteStringValue(Hex.Encode(bytes)); break;
            case EthereumAddress a: w.WriteStringValue(a.ToString()); break;
            case BigInteger i: w.WriteStringValue(i.ToString(System.Globalization.CultureInfo.InvariantCulture)); break;
            case sbyte or byte or short or ushort or int or uint or long or ulong:
                w.WriteStringValue(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)); break;
            case IReadOnlyDictionary<string, object?> dict:
                w.WriteStartObject();
                foreach (var (k, v) in dict) { w.WritePropertyName(k); WriteValue(w, v); }
                w.WriteEndObject();
                break;
            case IEnumerable items:
                w.WriteStartArray();
                foreach (var v in items) WriteValue(w, v);
                w.WriteEndArray();
                break;
            default: throw new FormatException($"cannot write a {value.GetType().Name} as typed-data JSON");
        }
    }

    private void CollectDependencies(string typeName, ISet<string> found)
    {
        if (!Types.TryGetValue(typeName, out var fields) || !found.Add(typeName)) return;
        foreach (var f in fields) CollectDependencies(BaseType(f.Type), found);
    }

    private static string BaseType(string type)
    {
        var i = type.IndexOf('[');
        return i < 0 ? type : type[..i];
    }

    private static bool IsAtomic(string type)
    {
        if (type is "address" or "bool" or "string" or "bytes") return true;
        try
        {
            if (type.StartsWith("bytes", StringComparison.Ordinal)) { ParseSize(type, "bytes", 1, 32, 1); return true; }
            if (type.StartsWith("uint", StringComparison.Ordinal)) { ParseSize(type, "uint", 8, 256, 8); return true; }
            if (type.StartsWith("int", StringComparison.Ordinal)) { ParseSize(type, "int", 8, 256, 8); return true; }
        }
        catch (FormatException) { }
        return false;
    }

    private static int ParseSize(string type, string prefix, int min, int max, int step)
    {
        var text = type[prefix.Length..];
        if (text.Length == 0 && prefix != "bytes") return 256; // "uint" / "int" are aliases of the 256-bit types
        if (!int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)
            || n < min || n > max || n % step != 0)
            throw new FormatException($"unsupported type '{type}'");
        return n;
    }

    private static EthereumAddress ToAddress(object? value) => value switch
    {
        EthereumAddress a => a,
        string s => EthereumAddress.Parse(s),
        byte[] b => EthereumAddress.FromBytes(b),
        _ => throw new FormatException("expected an address"),
    };

    private static bool ToBool(object? value) => value switch
    {
        bool b => b,
        string s when s is "true" or "false" => s == "true",
        _ => throw new FormatException("expected a boolean"),
    };

    private static byte[] ToBytes(object? value) => value switch
    {
        byte[] b => b,
        string s => Hex.Decode(s, "bytes value"),
        _ => throw new FormatException("expected bytes (byte[] or 0x-hex)"),
    };

    private static BigInteger ToInteger(object? value) => value switch
    {
        BigInteger i => i,
        sbyte or byte or short or ushort or int or uint or long or ulong => new BigInteger(Convert.ToDecimal(value, System.Globalization.CultureInfo.InvariantCulture)),
        string s when s.StartsWith("0x", StringComparison.OrdinalIgnoreCase) =>
            new BigInteger(Hex.Decode(s.Length % 2 == 0 ? s : "0x0" + s[2..], "integer"), isUnsigned: true, isBigEndian: true),
        string s when BigInteger.TryParse(s, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var i) => i,
        _ => throw new FormatException("expected an integer"),
    };

    private static JsonElement Required(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) ? v
            : throw new FormatException($"typed data JSON has no '{name}'");

    private static object? FromJsonElement(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => e.EnumerateObject().ToDictionary(p => p.Name, p => FromJsonElement(p.Value)) as IReadOnlyDictionary<string, object?>,
        JsonValueKind.Array => e.EnumerateArray().Select(FromJsonElement).ToList(),
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number => BigInteger.Parse(e.GetRawText(), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };
}
