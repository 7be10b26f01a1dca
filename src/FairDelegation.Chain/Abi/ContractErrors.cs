using System.Numerics;
using FairDelegation.Chain.Crypto;
using Nethereum.ABI.ABIDeserialisation;
using Nethereum.ABI.FunctionEncoding;
using Nethereum.ABI.Model;

namespace FairDelegation.Chain.Abi;

/// <summary>A decoded revert: the error's name, its arguments, and a sentence a person can read.</summary>
public sealed record DecodedRevert(string Name, IReadOnlyDictionary<string, object?> Arguments, string Message)
{
    public override string ToString() => Message;
}

/// <summary>
/// A contract's custom errors (from its solc JSON ABI, read by Nethereum) plus Error(string) and Panic(uint256):
/// turns revert data into a <see cref="DecodedRevert"/> such as "WrongPrivateKey(workKey=0x…, derived=0x…)".
/// Nethereum decodes the arguments; what is ours is the sentence and the panic codes' meaning.
/// </summary>
public sealed class ContractErrors
{
    private static readonly ErrorABI ErrorString = new("Error") { InputParameters = [new Parameter("string", "message", 1)] };
    private static readonly ErrorABI PanicCode = new("Panic") { InputParameters = [new Parameter("uint256", "code", 1)] };

    private readonly ErrorABI[] _errors;

    private ContractErrors(IEnumerable<ErrorABI> errors) => _errors = [ErrorString, PanicCode, .. errors];

    /// <summary>Only Error(string) and Panic(uint256): for calls to contracts whose ABI we do not hold.</summary>
    public static ContractErrors Plain { get; } = new([]);

    /// <summary>The custom errors of a solc JSON ABI.</summary>
    public static ContractErrors FromAbiJson(string json) =>
        new(ABIDeserialiserFactory.DeserialiseContractABI(json).Errors ?? []);

    /// <summary>The errors' names, for tests and diagnostics.</summary>
    public IEnumerable<string> Names => _errors.Select(e => e.Name);

    /// <summary>
    /// Decodes revert data into a readable reason: a custom error with its arguments, Error(string), Panic(uint256), or a
    /// plain description when nothing matches. Null for empty data.
    /// </summary>
    public DecodedRevert? DecodeRevert(ReadOnlySpan<byte> data)
    {
        if (data.Length == 0) return null;
        var hex = Hex.Encode(data);
        if (data.Length < 4) return new DecodedRevert("Unknown", new Dictionary<string, object?>(), $"reverted with {hex}");
        var decoder = new FunctionCallDecoder();
        foreach (var error in _errors)
        {
            if (!decoder.IsDataForError(error, hex)) continue;
            List<ParameterOutput> values;
            try { values = decoder.DecodeError(error, hex); }
            catch (Exception e) when (e is FormatException or ArgumentException or IndexOutOfRangeException or OverflowException) { break; }
            var args = new Dictionary<string, object?>();
            for (var i = 0; i < values.Count; i++)
                args[values[i].Parameter.Name is { Length: > 0 } nm ? nm : $"arg{i}"] = Normalize(values[i].Parameter.Type, values[i].Result);
            var message = error == ErrorString ? (string)args["message"]!
                : error == PanicCode ? $"panic 0x{(BigInteger)args["code"]!:x2} ({PanicMeaning((BigInteger)args["code"]!)})"
                : $"{error.Name}({string.Join(", ", args.Select(a => $"{a.Key}={Format(a.Value)}"))})";
            return new DecodedRevert(error.Name, args, message);
        }
        return new DecodedRevert("Unknown", new Dictionary<string, object?>(), $"reverted with unknown error {hex}");
    }

    // Addresses as our type (checksummed in messages, comparable in code); everything else as Nethereum decodes it.
    private static object? Normalize(string type, object? value) =>
        type == "address" && value is string s && EthereumAddress.TryParse(s, out var a) ? a : value;

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

    /// <summary>Formats a decoded value for messages: addresses checksummed, bytes as hex.</summary>
    public static string Format(object? value) => value switch
    {
        null => "null",
        byte[] b => Hex.Encode(b),
        _ => value.ToString() ?? "",
    };
}
