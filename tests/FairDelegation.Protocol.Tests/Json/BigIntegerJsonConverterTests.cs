using System.Numerics;
using System.Text.Json;
using FairDelegation.Protocol.Serialization;
using Xunit;

namespace FairDelegation.Protocol.Tests.Json;

public sealed class BigIntegerJsonConverterTests
{
    private static JsonSerializerOptions With(BigIntegerJsonConverter c) => new() { Converters = { c } };

    [Fact]
    public void Writes_a_decimal_string_and_reads_it_back_without_losing_a_wei()
    {
        var wage = BigInteger.Parse("123456789012345678901234567890");
        var json = JsonSerializer.Serialize(wage, With(BigIntegerJsonConverter.Wei));
        Assert.Equal("\"123456789012345678901234567890\"", json);
        Assert.Equal(wage, JsonSerializer.Deserialize<BigInteger>(json, With(BigIntegerJsonConverter.Wei)));
    }

    [Fact]
    public void Reads_a_json_number_too() =>
        Assert.Equal(new BigInteger(1_000_000_000_000_000_000), JsonSerializer.Deserialize<BigInteger>("1000000000000000000", With(new())));

    [Fact]
    public void A_negative_amount_of_wei_is_refused_with_the_reason()
    {
        var e = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<BigInteger>("\"-5\"", With(BigIntegerJsonConverter.Wei)));
        Assert.Contains("non-negative", e.Message);
        Assert.Equal(new BigInteger(-5), JsonSerializer.Deserialize<BigInteger>("\"-5\"", With(new())));
    }

    [Fact]
    public void Anything_but_a_string_or_number_is_refused() =>
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<BigInteger>("true", With(BigIntegerJsonConverter.Wei)));
}
