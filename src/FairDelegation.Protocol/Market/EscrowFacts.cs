using System.Numerics;
using FairDelegation.Chain.Crypto;

namespace FairDelegation.Protocol.Market;

/// <summary>
/// What reputation reads from the escrow contract's events, with the time of the block that holds each (unix seconds).
/// An EscrowOpened or TokenEscrowOpened is an <see cref="EscrowOpenedFact"/>; a KeyRevealed is a claim, a Refunded a refund.
/// Claims and refunds name only the work key: they belong to the latest opening of that key (a refunded key may be
/// opened again; a claimed one never).
/// </summary>
public abstract record EscrowFact(EthereumAddress WorkKey, LogPosition Position, long BlockTime);

/// <summary>
/// An escrow opened to <c>Payee</c> by <c>Customer</c>: <c>Token</c> is <see cref="EthereumAddress.Zero"/> for an ETH
/// escrow; <c>Deadline</c> is in unix seconds (a claim only before it, a refund only from it on).
/// </summary>
public sealed record EscrowOpenedFact(EthereumAddress WorkKey, LogPosition Position, long BlockTime, EthereumAddress Customer,
    EthereumAddress Payee, BigInteger Amount, EthereumAddress Token, long Deadline) : EscrowFact(WorkKey, Position, BlockTime);

public sealed record EscrowClaimedFact(EthereumAddress WorkKey, LogPosition Position, long BlockTime) : EscrowFact(WorkKey, Position, BlockTime);

public sealed record EscrowRefundedFact(EthereumAddress WorkKey, LogPosition Position, long BlockTime) : EscrowFact(WorkKey, Position, BlockTime);
