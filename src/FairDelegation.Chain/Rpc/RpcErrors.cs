using FairDelegation.Chain.Abi;
using FairDelegation.Chain.Crypto;

namespace FairDelegation.Chain.Rpc;

// The exceptions derive from InvalidOperationException / HttpRequestException so hosts that report those as
// one readable line (the CLI does) also report these that way.

/// <summary>The node answered a JSON-RPC call with an error object.</summary>
public class RpcException(string method, int code, string message, string? data)
    : InvalidOperationException($"{method} failed: {message} (JSON-RPC error {code})")
{
    public string Method { get; } = method;
    public int Code { get; } = code;
    public string RpcMessage { get; } = message;

    /// <summary>The error's data member as sent (revert data is 0x-hex), or null.</summary>
    public string? ErrorData { get; } = data;
}

/// <summary>The node could not be reached (refused, timed out, or answered with an HTTP error) after retries.</summary>
public sealed class NodeUnreachableException(Uri url, string detail, Exception? inner = null)
    : HttpRequestException($"the Ethereum node at {url} is unreachable: {detail}", inner)
{
    public Uri Url { get; } = url;
}

/// <summary>A call, gas estimate or mined transaction reverted; <see cref="Reason"/> holds the decoded error.</summary>
public sealed class ContractRevertedException(string action, byte[] revertData, DecodedRevert? reason, string? transactionHash = null)
    : InvalidOperationException($"{action} reverted: {reason?.Message ?? (revertData.Length == 0 ? "no reason given" : Hex.Encode(revertData))}")
{
    /// <summary>The raw revert data (selector + arguments), possibly empty.</summary>
    public byte[] RevertData { get; } = revertData;

    /// <summary>The decoded custom error, Error(string) or Panic, when the data could be decoded.</summary>
    public DecodedRevert? Reason { get; } = reason;

    /// <summary>The mined transaction's hash when the revert happened on chain, not in a simulation.</summary>
    public string? TransactionHash { get; } = transactionHash;
}
