using System.Numerics;
using FairDelegation.Chain.Crypto;

namespace FairDelegation.Protocol.Market;

/// <summary>Where a log sits in the chain: events apply in (block, log index) order, and a reorg drops those after a block.</summary>
public readonly record struct LogPosition(long BlockNumber, int LogIndex) : IComparable<LogPosition>
{
    public int CompareTo(LogPosition other) =>
        BlockNumber != other.BlockNumber ? BlockNumber.CompareTo(other.BlockNumber) : LogIndex.CompareTo(other.LogIndex);
}

/// <summary>
/// A decoded event of FairDelegationRegistry (docs/contract.md, "The registry"). Each carries the whole of what the
/// contract emitted, so the directory is rebuilt from these alone.
/// </summary>
public abstract record RegistryEvent(EthereumAddress Provider, LogPosition Position);

/// <summary>A provider joined, or rejoined while unbonding: its whole record and its stake after the call.</summary>
public sealed record ProviderRegistered(EthereumAddress Provider, LogPosition Position, string Endpoint, EthereumAddress Payee,
    IReadOnlyList<MarketOffer> Offers, BigInteger Stake) : RegistryEvent(Provider, Position);

/// <summary>A registered provider replaced its endpoint, payee and offers.</summary>
public sealed record ProviderUpdated(EthereumAddress Provider, LogPosition Position, string Endpoint, EthereumAddress Payee,
    IReadOnlyList<MarketOffer> Offers) : RegistryEvent(Provider, Position);

/// <summary>More stake locked; <paramref name="Stake"/> is the total after the call.</summary>
public sealed record StakeAdded(EthereumAddress Provider, LogPosition Position, BigInteger Amount, BigInteger Stake)
    : RegistryEvent(Provider, Position);

/// <summary>The provider stopped serving; its stake unlocks at <paramref name="UnlocksAt"/> (unix seconds).</summary>
public sealed record ProviderLeft(EthereumAddress Provider, LogPosition Position, long UnlocksAt) : RegistryEvent(Provider, Position);

/// <summary>The stake went back after the delay; the provider is forgotten.</summary>
public sealed record StakeWithdrawn(EthereumAddress Provider, LogPosition Position, BigInteger Amount) : RegistryEvent(Provider, Position);
