using System.Text.Json;

namespace FairDelegation.Durable;

/// <summary>Turns inputs, outputs, events and custom status into the strings stored in history.</summary>
public abstract class DataConverter
{
    public abstract string? Serialize(object? value);
    public abstract object? Deserialize(string? data, Type targetType);
    public T? Deserialize<T>(string? data) => (T?)Deserialize(data, typeof(T));
}

/// <summary>
/// System.Text.Json with web defaults (camelCase, case-insensitive reads) and BigInteger carried as a decimal
/// string, so wei amounts survive the trip without loss.
/// </summary>
public sealed class JsonDataConverter : DataConverter
{
    public static JsonDataConverter Default { get; } = new();

    public JsonDataConverter(JsonSerializerOptions? options = null)
    {
        Options = options ?? CreateDefaultOptions();
    }

    public JsonSerializerOptions Options { get; }

    public static JsonSerializerOptions CreateDefaultOptions()
    {
        var o = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        o.Converters.Add(new BigIntegerJsonConverter());
        return o;
    }

    public override string? Serialize(object? value) =>
        value is null ? null : JsonSerializer.Serialize(value, value.GetType(), Options);

    public override object? Deserialize(string? data, Type targetType) =>
        data is null ? null : JsonSerializer.Deserialize(data, targetType, Options);
}
