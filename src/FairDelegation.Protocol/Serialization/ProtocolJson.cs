using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Serialization;
using FairDelegation.Chain.Crypto;
using FairDelegation.Protocol.Encryption;
using FairDelegation.Protocol.Keys;

namespace FairDelegation.Protocol.Serialization;

/// <summary>
/// The JSON conventions of every protocol document: camelCase, wei and other big integers as decimal strings,
/// addresses with their EIP-55 checksum, keys and hashes as 0x-hex, timestamps as ISO 8601 UTC.
/// </summary>
public static class ProtocolJson
{
    public static readonly JsonSerializerOptions Options = Create(indented: false);
    public static readonly JsonSerializerOptions Indented = Create(indented: true);

    private static JsonSerializerOptions Create(bool indented)
    {
        var o = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            WriteIndented = indented,
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
            RespectNullableAnnotations = true,
            RespectRequiredConstructorParameters = true,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        };
        o.Converters.Add(new BigIntegerJsonConverter());
        o.Converters.Add(new StringFormConverter<EthereumAddress>("an address", EthereumAddress.Parse, v => v.ToString()));
        o.Converters.Add(new StringFormConverter<PublicKey>("a public key", PublicKey.Parse, v => v.ToHex()));
        o.Converters.Add(new StringFormConverter<WorkHash>("a work hash", WorkHash.Parse, v => v.ToHex()));
        o.Converters.Add(new StringFormConverter<Bytes32>("32 bytes of hex", Bytes32.Parse, v => v.ToHex()));
        o.Converters.Add(new StringFormConverter<EcdsaSignature>("a signature", EcdsaSignature.FromHex, v => v.ToHex()));
        o.MakeReadOnly(populateMissingResolver: true);
        return o;
    }

    public static string Serialize<T>(T value, bool indented = false) => JsonSerializer.Serialize(value, indented ? Indented : Options);

    /// <summary>Deserializes, turning every JSON or conversion failure into a FormatException naming the document.</summary>
    public static T Deserialize<T>(string json, string what)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, Options) ?? throw new FormatException($"{what} is empty (null)");
        }
        catch (Exception e) when (e is JsonException or NotSupportedException)
        {
            // NotSupportedException: a polymorphic document without its "kind".
            throw new FormatException($"malformed {what}: {e.Message}", e);
        }
    }

    /// <summary>A value written as one JSON string: parsed with the type's own Parse, FormatException turned into JsonException.</summary>
    private sealed class StringFormConverter<T>(string expected, Func<string, T> parse, Func<T, string> format) : JsonConverter<T>
    {
        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var text = reader.GetString() ?? throw new JsonException($"expected {expected}");
            try { return parse(text); }
            catch (FormatException e) { throw new JsonException(e.Message, e); }
        }

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
            writer.WriteStringValue(format(value));
    }
}
