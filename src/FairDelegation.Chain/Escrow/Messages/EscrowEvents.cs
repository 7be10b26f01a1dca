using System.Numerics;
using Nethereum.ABI.FunctionEncoding.Attributes;

namespace FairDelegation.Chain.Escrow.Messages;

// FairDelegationEscrow's events as Nethereum event DTOs; Nethereum computes topic0 and decodes topics and data.

/// <summary>EscrowOpened(address indexed workKey, bytes32 indexed agreementId, customer, payee, workHash, amount, deadline).</summary>
[Event("EscrowOpened")]
public sealed class EscrowOpenedEventDto : IEventDTO
{
    [Parameter("address", "workKey", 1, true)] public string WorkKey { get; set; } = "";
    [Parameter("bytes32", "agreementId", 2, true)] public byte[] AgreementId { get; set; } = [];
    [Parameter("address", "customer", 3, false)] public string Customer { get; set; } = "";
    [Parameter("address", "payee", 4, false)] public string Payee { get; set; } = "";
    [Parameter("bytes32", "workHash", 5, false)] public byte[] WorkHash { get; set; } = [];
    [Parameter("uint256", "amount", 6, false)] public BigInteger Amount { get; set; }
    [Parameter("uint256", "deadline", 7, false)] public BigInteger Deadline { get; set; }
}

/// <summary>KeyRevealed(address indexed workKey, uint256 privateKey).</summary>
[Event("KeyRevealed")]
public sealed class KeyRevealedEventDto : IEventDTO
{
    [Parameter("address", "workKey", 1, true)] public string WorkKey { get; set; } = "";
    [Parameter("uint256", "privateKey", 2, false)] public BigInteger PrivateKey { get; set; }
}

/// <summary>Refunded(address indexed workKey).</summary>
[Event("Refunded")]
public sealed class RefundedEventDto : IEventDTO
{
    [Parameter("address", "workKey", 1, true)] public string WorkKey { get; set; } = "";
}
