using System.Numerics;

namespace FairDelegation.Node.Model;

/// <summary>A transaction a step sent: its hash, and once mined its block, gas used and price paid.</summary>
public sealed record ChainTransaction
{
    /// <summary>The protocol step that sent it: OpenEscrow, RevealKey, RefundEscrow.</summary>
    public required string Step { get; init; }

    public required string Hash { get; init; }

    public long? BlockNumber { get; init; }

    public string? BlockHash { get; init; }

    public BigInteger GasUsed { get; init; }

    public BigInteger EffectiveGasPrice { get; init; }

    /// <summary>gas used × effective gas price, in wei.</summary>
    public BigInteger Fee => GasUsed * EffectiveGasPrice;

    /// <summary>
    /// How many escrows this transaction opened: more than 1 for a batched opening (openBatch, Customer:OpenBatchWindow),
    /// whose gas and fee (<see cref="GasUsed"/>, <see cref="Fee"/>: the whole transaction's) that many delegations share.
    /// </summary>
    public int BatchSize { get; init; } = 1;

    /// <summary>False when the transaction reverted (or would have, and was not sent).</summary>
    public bool Succeeded { get; init; } = true;

    /// <summary>The contract's decoded error when it did not succeed.</summary>
    public string? FailureReason { get; init; }
}
