using DurableTask.Core;
using DurableTask.Core.History;
using DurableTask.Core.Serializing;

namespace FairDelegation.Durable.Sqlite;

/// <summary>
/// Messages and history events are stored as the framework's own JSON (Newtonsoft with type names, its
/// <see cref="JsonDataConverter.Default"/>): the event classes are polymorphic and carry extension data that a
/// hand-made mapping would drop. The file is the task hub's own storage, written only by this provider.
/// </summary>
internal static class Serialization
{
    private static readonly DataConverter Json = JsonDataConverter.Default;

    public static string Message(TaskMessage m) => Json.Serialize(m);
    public static TaskMessage Message(string json) => Json.Deserialize<TaskMessage>(json);
    public static string Event(HistoryEvent e) => Json.Serialize(e);
    public static HistoryEvent Event(string json) => Json.Deserialize<HistoryEvent>(json);
    public static string? Object(object? value) => value is null ? null : Json.Serialize(value);
    public static T? Object<T>(string? json) where T : class => json is null ? null : Json.Deserialize<T>(json);

    public static long Ms(DateTime utc) => new DateTimeOffset(DateTime.SpecifyKind(utc.Kind == DateTimeKind.Local ? utc.ToUniversalTime() : utc, DateTimeKind.Utc)).ToUnixTimeMilliseconds();
    public static DateTime Utc(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime;
    public static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    public static bool IsTerminal(OrchestrationStatus s) =>
        s is OrchestrationStatus.Completed or OrchestrationStatus.Failed or OrchestrationStatus.Terminated or OrchestrationStatus.Canceled;
}
