using System.Text.Json;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Converters;

namespace FairDelegation.Workflows;

/// <summary>
/// The one serializer of every payload the Durable Task stack stores: orchestration inputs and outputs, activity
/// inputs and outputs, events, custom status. The worker (through <c>DurableTaskWorkerOptions.DataConverter</c>) and
/// our client use this same instance, so what the client writes the worker reads. System.Text.Json with web defaults
/// and <see cref="FairDelegation.Protocol.Serialization.BigIntegerJsonConverter"/>: without it a <see cref="System.Numerics.BigInteger"/> wage silently
/// serializes as an empty object and reads back as 0.
/// </summary>
public static class DurableJson
{
    /// <summary>The serializer options (web defaults, BigInteger as a decimal string).</summary>
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    /// <summary>The data converter shared by the worker and the client.</summary>
    public static DataConverter Converter { get; } = new JsonDataConverter(Options);

    private static JsonSerializerOptions CreateOptions()
    {
        var o = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        o.Converters.Add(new FairDelegation.Protocol.Serialization.BigIntegerJsonConverter());
        o.MakeReadOnly(populateMissingResolver: true);
        return o;
    }
}
