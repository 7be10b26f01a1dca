using System.Text.Json;
using System.Text.Json.Serialization;

namespace FairDelegation.Node.Peers;

/// <summary>JSON settings of peer messages: web defaults, BigInteger as decimal strings.</summary>
public static class PeerJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var o = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        o.Converters.Add(FairDelegation.Protocol.Serialization.BigIntegerJsonConverter.Wei);
        o.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        o.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower));
        return o;
    }

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    /// <summary>Parses a body; a clear FormatException on bad JSON or a missing body.</summary>
    public static T Deserialize<T>(string json, string what)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, Options) ?? throw new FormatException($"{what}: empty body");
        }
        catch (JsonException e)
        {
            throw new FormatException($"{what}: {e.Message}");
        }
    }
}
