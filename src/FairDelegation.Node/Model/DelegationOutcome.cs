using System.Numerics;
using FairDelegation.Node.Configuration;

namespace FairDelegation.Node.Model;

/// <summary>What an orchestration returns: how it ended, why, and what it cost on chain.</summary>
public sealed record DelegationOutcome
{
    public required DelegationStatus Status { get; init; }

    public required NodeRole Role { get; init; }

    /// <summary>Why it ended this way, in a sentence (null when Completed).</summary>
    public string? Reason { get; init; }

    /// <summary>The agreement (0x + 64 hex), once the terms are fixed.</summary>
    public string? AgreementId { get; init; }

    /// <summary>The agreed wage in wei (serialized as a decimal string).</summary>
    public BigInteger Wage { get; init; }

    /// <summary>H(w'), 0x-hex, once known.</summary>
    public string? WorkHash { get; init; }

    /// <summary>Customer: the decrypted work's blob name in its own store, once Completed.</summary>
    public string? ResultBlob { get; init; }

    /// <summary>Provider: how many times (3) ProduceWork ran.</summary>
    public int Attempts { get; init; }

    public IReadOnlyList<ChainTransaction> Transactions { get; init; } = [];

    /// <summary>Why it did not complete (message, step, error type); null when Completed.</summary>
    public DelegationFailure? Failure { get; init; }

    /// <summary>Sum of the gas used by this party's transactions.</summary>
    public BigInteger GasUsed => Transactions.Aggregate(BigInteger.Zero, (s, t) => s + t.GasUsed);
}
