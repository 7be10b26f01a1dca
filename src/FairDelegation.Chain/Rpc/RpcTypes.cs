using System.Numerics;
using FairDelegation.Chain.Crypto;

namespace FairDelegation.Chain.Rpc;

/// <summary>A block header as far as this client needs it.</summary>
public sealed record BlockHeader(long Number, string Hash, string ParentHash, long Timestamp, BigInteger? BaseFeePerGas)
{
    /// <summary>The block's 256-byte logs bloom (empty when the node did not send one): see <see cref="LogsBloom"/>.</summary>
    public byte[] LogsBloom { get; init; } = [];
}

/// <summary>An event log; <see cref="Removed"/> is true when a reorganisation took it out of the chain.</summary>
public sealed record LogEntry(
    EthereumAddress Address,
    IReadOnlyList<string> Topics,
    byte[] Data,
    long BlockNumber,
    string BlockHash,
    string TransactionHash,
    int LogIndex,
    bool Removed);

/// <summary>A mined transaction's receipt.</summary>
public sealed record TransactionReceipt(
    string TransactionHash,
    long BlockNumber,
    string BlockHash,
    bool Succeeded,
    BigInteger GasUsed,
    BigInteger EffectiveGasPrice,
    EthereumAddress From,
    EthereumAddress? To,
    EthereumAddress? ContractAddress,
    IReadOnlyList<LogEntry> Logs);

/// <summary>A transaction as the node knows it (pending or mined).</summary>
public sealed record TransactionInfo(string Hash, EthereumAddress From, BigInteger Nonce, long? BlockNumber);

/// <summary>The fields of eth_call / eth_estimateGas.</summary>
public sealed record CallRequest(EthereumAddress? From, EthereumAddress? To, byte[] Data, BigInteger Value = default);

/// <summary>Fees for a type-2 transaction: what the next block charges and what we tip.</summary>
public sealed record FeeEstimate(BigInteger BaseFeePerGas, BigInteger MaxPriorityFeePerGas)
{
    /// <summary>Twice the base fee plus the tip: survives six full blocks of base fee growth.</summary>
    public BigInteger MaxFeePerGas => BaseFeePerGas * 2 + MaxPriorityFeePerGas;
}

/// <summary>An eth_getLogs filter: one contract, an inclusive block range, topic0 alternatives and a topic1 value.</summary>
public sealed record LogFilter(
    EthereumAddress Address,
    long FromBlock,
    long? ToBlock = null,
    IReadOnlyList<string>? Topic0 = null,
    string? Topic1 = null,
    string? BlockHash = null);
