using System.Numerics;
using System.Text.Json;
using FairDelegation.Chain.Crypto;

namespace FairDelegation.Chain.Abi;

/// <summary>A named, typed parameter of a function, event or error.</summary>
public sealed record AbiParameter(string Name, AbiType Type, bool Indexed = false);

/// <summary>A contract function: its selector, argument encoding and output decoding.</summary>
public sealed class AbiFunction(string name, IReadOnlyList<AbiParameter> inputs, IReadOnlyList<AbiParameter> outputs, bool payable)
{
    public string Name { get; } = name;
    public IReadOnlyList<AbiParameter> Inputs { get; } = inputs;
    public IReadOnlyList<AbiParameter> Outputs { get; } = outputs;
    public bool Payable { get; } = payable;
    public string Signature { get; } = $"{name}({string.Join(",", inputs.Select(i => i.Type.Canonical))})";
    public byte[] Selector => AbiCodec.Selector(Signature);

    /// <summary>Call data: selector followed by the encoded arguments.</summary>
    public byte[] Encode(params object?[] args) =>
        [.. Selector, .. AbiCodec.Encode(Inputs.Select(i => i.Type).ToArray(), args)];

    /// <summary>Decodes the return data of an eth_call.</summary>
    public object?[] DecodeOutput(ReadOnlySpan<byte> data) => AbiCodec.Decode(Outputs.Select(o => o.Type).ToArray(), data);
}

/// <summary>A contract event: topic0 and decoding of a log into named values.</summary>
public sealed class AbiEvent(string name, IReadOnlyList<AbiParameter> inputs)
{
    public string Name { get; } = name;
    public IReadOnlyList<AbiParameter> Inputs { get; } = inputs;
    public string Signature { get; } = $"{name}({string.Join(",", inputs.Select(i => i.Type.Canonical))})";

    /// <summary>keccak256 of the signature: the first topic of every log of this event, 0x-hex.</summary>
    public string Topic0 => Hex.Encode(Keccak256.HashUtf8(Signature));

    /// <summary>Decodes a log's topics (topic0 first) and data into the event's named values.</summary>
    public IReadOnlyDictionary<string, object?> Decode(IReadOnlyList<string> topics, ReadOnlySpan<byte> data)
    {
        if (topics.Count == 0 || !string.Equals(topics[0], Topic0, StringComparison.OrdinalIgnoreCase))
            throw new FormatException($"log is not a {Name} event");
        var indexed = Inputs.Where(i => i.Indexed).ToArray();
        if (topics.Count != indexed.Length + 1)
            throw new FormatException($"{Name} expects {indexed.Length} indexed topics, the log has {topics.Count - 1}");
        var values = new Dictionary<string, object?>();
        for (var i = 0; i < indexed.Length; i++)
        {
            var word = Hex.DecodeFixed(topics[i + 1], 32, "topic");
            // Indexed dynamic values are stored as their hash: keep the 32 bytes.
            values[indexed[i].Name] = indexed[i].Type.IsDynamic ? word : AbiCodec.Decode([indexed[i].Type], word)[0];
        }
        var plain = Inputs.Where(i => !i.Indexed).ToArray();
        var decoded = AbiCodec.Decode(plain.Select(p => p.Type).ToArray(), data);
        for (var i = 0; i < plain.Length; i++) values[plain[i].Name] = decoded[i];
        return values;
    }
}

/// <summary>A custom error: its selector and its arguments' decoding.</summary>
public sealed class AbiError(string name, IReadOnlyList<AbiParameter> inputs)
{
    public string Name { get; } = name;
    public IReadOnlyList<AbiParameter> Inputs { get; } = inputs;
    public string Signature { get; } = $"{name}({string.Join(",", inputs.Select(i => i.Type.Canonical))})";
    public byte[] Selector => AbiCodec.Selector(Signature);
}

/// <summary>A decoded revert: the error's name, its arguments, and a sentence a person can read.</summary>
public sealed record DecodedRevert(string Name, IReadOnlyDictionary<string, object?> Arguments, string Message)
{
    public override string ToString() => Message;
}

/// <summary>A contract's JSON ABI: functions, events and custom errors by name, revert data decoded to text.</summary>
public sealed class AbiContract
{
    private static readonly AbiError ErrorString = new("Error", [new("message", AbiType.String)]);
    private static readonly AbiError PanicCode = new("Panic", [new("code", AbiType.UInt256)]);

    private readonly Dictionary<string, AbiFunction> _functions = new();
    private readonly Dictionary<string, AbiEvent> _events = new();
    private readonly List<AbiError> _errors = [ErrorString, PanicCode];

    /// <summary>Parses a solc JSON ABI (an array of entries).</summary>
    public static AbiContract FromJson(string json)
    {
        var c = new AbiContract();
        using var doc = JsonDocument.Parse(json);
        foreach (var e in doc.RootElement.EnumerateArray())
        {
            var type = e.GetProperty("type").GetString();
            var name = e.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "";
            var inputs = e.TryGetProperty("inputs", out var i) ? Parameters(i) : [];
            switch (type)
            {
                case "function":
                    var outputs = e.TryGetProperty("outputs", out var o) ? Parameters(o) : [];
                    var payable = e.TryGetProperty("stateMutability", out var m) && m.GetString() == "payable";
                    c._functions[name] = new AbiFunction(name, inputs, outputs, payable);
                    break;
                case "event":
                    c._events[name] = new AbiEvent(name, inputs);
                    break;
                case "error":
                    c._errors.Add(new AbiError(name, inputs));
                    break;
            }
        }
        return c;
    }

    public IReadOnlyCollection<AbiFunction> Functions => _functions.Values;
    public IReadOnlyCollection<AbiEvent> Events => _events.Values;
    public IReadOnlyList<AbiError> Errors => _errors;

    public AbiFunction Function(string name) =>
        _functions.TryGetValue(name, out var f) ? f : throw new KeyNotFoundException($"the contract has no function '{name}'");

    public AbiEvent Event(string name) =>
        _events.TryGetValue(name, out var e) ? e : throw new KeyNotFoundException($"the contract has no event '{name}'");

    /// <summary>
    /// Decodes revert data into a readable reason: a custom error of this contract with its arguments,
    /// Error(string), Panic(uint256), or a plain description when nothing matches. Null for empty data.
    /// </summary>
    public DecodedRevert? DecodeRevert(ReadOnlySpan<byte> data)
    {
        if (data.Length == 0) return null;
        if (data.Length < 4) return new DecodedRevert("Unknown", new Dictionary<string, object?>(), $"reverted with {Hex.Encode(data)}");
        var selector = data[..4];
        foreach (var error in _errors)
        {
            if (!selector.SequenceEqual(error.Selector)) continue;
            object?[] values;
            try { values = AbiCodec.Decode(error.Inputs.Select(i => i.Type).ToArray(), data[4..]); }
            catch (FormatException) { break; }
            var args = new Dictionary<string, object?>();
            for (var i = 0; i < values.Length; i++) args[error.Inputs[i].Name is { Length: > 0 } nm ? nm : $"arg{i}"] = values[i];
            var message = error == ErrorString ? (string)values[0]!
                : error == PanicCode ? $"panic 0x{(BigInteger)values[0]!:x2} ({PanicMeaning((BigInteger)values[0]!)})"
                : $"{error.Name}({string.Join(", ", args.Select(a => $"{a.Key}={Format(a.Value)}"))})";
            return new DecodedRevert(error.Name, args, message);
        }
        return new DecodedRevert("Unknown", new Dictionary<string, object?>(), $"reverted with unknown error {Hex.Encode(data)}");
    }

    private static string PanicMeaning(BigInteger code) => (int)code switch
    {
        0x01 => "assertion failed",
        0x11 => "arithmetic overflow or underflow",
        0x12 => "division by zero",
        0x21 => "invalid enum value",
        0x22 => "bad storage byte array",
        0x31 => "pop on empty array",
        0x32 => "array index out of bounds",
        0x41 => "out of memory",
        0x51 => "call to an uninitialized function",
        _ => "unknown panic",
    };

    /// <summary>Formats a decoded value for messages: addresses checksummed, bytes as hex, tuples in parentheses.</summary>
    public static string Format(object? value) => value switch
    {
        null => "null",
        byte[] b => Hex.Encode(b),
        object?[] list => "(" + string.Join(", ", list.Select(Format)) + ")",
        _ => value.ToString() ?? "",
    };

    private static AbiParameter[] Parameters(JsonElement array) =>
        array.EnumerateArray().Select(p => new AbiParameter(
            p.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "",
            TypeOf(p),
            p.TryGetProperty("indexed", out var ix) && ix.GetBoolean())).ToArray();

    private static AbiType TypeOf(JsonElement p)
    {
        var type = p.GetProperty("type").GetString()!;
        if (!type.StartsWith("tuple")) return AbiType.Parse(type);
        var components = p.GetProperty("components").EnumerateArray().ToArray();
        var tuple = AbiType.Tuple(components.Select(TypeOf).ToArray(),
            components.Select(c => c.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "").ToArray());
        var suffix = type["tuple".Length..];
        // tuple[] / tuple[k]: wrap the tuple in the array dimensions, innermost first.
        while (suffix.Length > 0)
        {
            var close = suffix.IndexOf(']');
            var len = suffix[1..close];
            tuple = len.Length == 0 ? AbiType.ArrayOf(tuple) : AbiType.ArrayOf(tuple, int.Parse(len, System.Globalization.CultureInfo.InvariantCulture));
            suffix = suffix[(close + 1)..];
        }
        return tuple;
    }
}
