using System.Text.Json;
using System.Text.Json.Serialization;

namespace FairDelegation.Durable.History;

/// <summary>The engine's own (not the user's) serializer for history events and messages.</summary>
public static class HistorySerializer
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };

    public static string Serialize(HistoryEvent e) => JsonSerializer.Serialize(e, Options);

    public static HistoryEvent Deserialize(string json) =>
        JsonSerializer.Deserialize<HistoryEvent>(json, Options) ?? throw new InvalidDataException("empty history event");
}
