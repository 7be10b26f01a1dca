using System.Runtime.CompilerServices;
using DurableTask.Core.History;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace FairDelegation.Workflows;

/// <summary>
/// Reads a backend's history JSON (<c>IOrchestrationServiceClient.GetOrchestrationHistoryAsync</c>) into the
/// framework's <see cref="HistoryEvent"/> objects. The framework writes events with Newtonsoft, with "$type" names
/// (its JsonDataConverter) or without (Azure Storage's answer); the "EventType" field is in both, so it picks the class.
/// </summary>
internal static class HistoryJson
{
    /// <summary>
    /// EventType → class: the framework's event classes (each says its own type; a subclass such as ContinueAsNewEvent
    /// shares its base's type, so the class named after the type wins).
    /// </summary>
    private static readonly Dictionary<EventType, Type> Types = typeof(HistoryEvent).Assembly.GetTypes()
        .Where(t => t is { IsAbstract: false, IsPublic: true } && t.IsSubclassOf(typeof(HistoryEvent)))
        .OrderBy(t => t.BaseType == typeof(HistoryEvent) ? 0 : 1)
        .GroupBy(t => ((HistoryEvent)RuntimeHelpers.GetUninitializedObject(t)).EventType)
        .ToDictionary(g => g.Key, g => g.First());

    private static readonly JsonSerializer Serializer = JsonSerializer.Create(new JsonSerializerSettings
    {
        TypeNameHandling = TypeNameHandling.None,
        DateTimeZoneHandling = DateTimeZoneHandling.Utc,
        DateParseHandling = DateParseHandling.DateTime,
    });

    public static IList<HistoryEvent> Read(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return [];
        using var reader = new JsonTextReader(new StringReader(json)) { DateParseHandling = DateParseHandling.None, MaxDepth = 64 };
        var events = new List<HistoryEvent>();
        foreach (var item in JArray.Load(reader).OfType<JObject>())
        {
            StripTypeNames(item);
            var type = item["EventType"] is { } t && (t.Type == JTokenType.Integer ? (EventType?)t.Value<int>()
                : Enum.TryParse<EventType>(t.Value<string>(), out var named) ? named : null) is { } eventType
                && Types.TryGetValue(eventType, out var known)
                ? known
                : typeof(GenericEvent);
            events.Add((HistoryEvent)item.ToObject(type, Serializer)!);
        }
        return events;
    }

    private static void StripTypeNames(JToken token)
    {
        if (token is JObject o)
        {
            o.Remove("$type");
            foreach (var p in o.Properties()) StripTypeNames(p.Value);
        }
        else if (token is JArray a)
        {
            foreach (var item in a) StripTypeNames(item);
        }
    }
}
