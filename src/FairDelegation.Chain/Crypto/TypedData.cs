using System.Collections;
using System.Numerics;
using System.Text;
using System.Text.Json;
using Nethereum.ABI.EIP712;

namespace FairDelegation.Chain.Crypto;

/// <summary>
/// An EIP-712 typed-data document (types, primaryType, domain, message) in its standard JSON form, hashed by
/// Nethereum's <see cref="Eip712TypedDataEncoder"/> (encodeType, hashStruct, domain separator, the digest
/// keccak256(0x19 0x01 || domainSeparator || hashStruct(message))) and signed by our secp256k1 adapter.
/// Values are .NET objects: string, bool, BigInteger (or any integer type), byte[], EthereumAddress,
/// IReadOnlyDictionary&lt;string, object?&gt; for structs, lists for arrays; they are written to the JSON form
/// (integers as decimal strings, bytes as 0x-hex) that wallets, Nethereum and `cast wallet sign --data` read.
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
                var i = f.Type.IndexOf('[');
                var baseType = i < 0 ? f.Type : f.Type[..i];
                if (!types.ContainsKey(baseType) && !char.IsLower(baseType.FirstOrDefault()))
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

    /// <summary>Nethereum's hashes of this document: domain separator, hashStruct(message) and the signing digest.</summary>
    private TypedDataHashResult Hashes() => Encode(raw => new Eip712TypedDataEncoder().CalculateTypedDataHashes(raw));

    /// <summary>
    /// Runs one of Nethereum's encodings on this document, errors as <see cref="FormatException"/>. Its encoder builds
    /// several Regex objects per struct field (IsReferenceType), so the signing digest asks it only for the signed bytes
    /// (0x1901 || domain separator || hashStruct(message)), not for <see cref="Hashes"/>, which hashes both structs twice.
    /// </summary>
    private T Encode<T>(Func<TypedDataRaw, T> encode)
    {
        try { return encode(TypedDataRawJsonConversion.DeserialiseJsonToRawTypedData(ToJson(indented: false))); }
        catch (Exception e) when (e is not FormatException and not OutOfMemoryException)
        {
            throw new FormatException($"typed data ({PrimaryType}) cannot be encoded: {e.Message}", e);
        }
    }

    /// <summary>hashStruct(EIP712Domain, domain).</summary>
    public byte[] DomainSeparator() => Hashes().DomainHash;

    /// <summary>hashStruct(primaryType, message).</summary>
    public byte[] MessageHash() => Hashes().MessageHash;

    /// <summary>The 32 bytes that are signed.</summary>
    public byte[] Digest() => Keccak256.Hash(Encode(raw => new Eip712TypedDataEncoder().EncodeTypedDataRaw(raw)));

    /// <summary>Signs the digest (RFC 6979, low-s).</summary>
    public EcdsaSignature Sign(ReadOnlySpan<byte> privateKey) => Secp256k1.Sign(Digest(), privateKey);

    /// <summary>The address whose key made the signature over this document.</summary>
    public EthereumAddress RecoverSigner(EcdsaSignature signature) =>
        EthereumAddress.FromPublicKey(Secp256k1.RecoverPublicKey(Digest(), signature));

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
