using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace FairDelegation.Workflows;

/// <summary>BigInteger as a decimal JSON string ("1000000000000000000"); also reads JSON numbers.</summary>
public sealed class BigIntegerJsonConverter : JsonConverter<BigInteger>
{
    public override BigInteger Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            using var doc = JsonDocument.ParseValue(ref reader);
            return BigInteger.Parse(doc.RootElement.GetRawText(), NumberStyles.Integer, CultureInfo.InvariantCulture);
        }
        if (reader.TokenType != JsonTokenType.String)
            throw new JsonException($"expected a decimal string for a BigInteger, found {reader.TokenType}");
        var s = reader.GetString()!;
        return BigInteger.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v)
            ? v : throw new JsonException($"'{s}' is not a decimal integer");
    }

    public override void Write(Utf8JsonWriter writer, BigInteger value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString(CultureInfo.InvariantCulture));
}
