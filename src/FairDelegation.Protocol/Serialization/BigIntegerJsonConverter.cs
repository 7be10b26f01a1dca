using System.Buffers;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace FairDelegation.Protocol.Serialization;

/// <summary>
/// BigInteger as a decimal JSON string ("1000000000000000000"), the one converter every JSON surface uses (protocol
/// documents, peer messages, the HTTP API, workflow history): a JSON number would lose precision in most clients.
/// Reads JSON numbers too. <see cref="Wei"/> refuses negative amounts.
/// </summary>
public sealed class BigIntegerJsonConverter(bool nonNegative = false) : JsonConverter<BigInteger>
{
    /// <summary>Amounts of wei or token units: non-negative.</summary>
    public static readonly BigIntegerJsonConverter Wei = new(nonNegative: true);

    public override BigInteger Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString()!,
            JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan),
            _ => throw new JsonException(nonNegative ? "an amount must be a decimal string of wei" : "expected an integer as a decimal string"),
        };
        var style = nonNegative ? NumberStyles.None : NumberStyles.AllowLeadingSign;
        if (BigInteger.TryParse(text, style, CultureInfo.InvariantCulture, out var value)) return value;
        throw new JsonException(nonNegative ? $"'{text}' is not a non-negative decimal amount of wei" : $"'{text}' is not a decimal integer");
    }

    public override void Write(Utf8JsonWriter writer, BigInteger value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString(CultureInfo.InvariantCulture));
}
