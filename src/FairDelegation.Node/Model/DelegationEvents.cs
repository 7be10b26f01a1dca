using System.Numerics;

namespace FairDelegation.Node.Model;

/// <summary>Names of the external events raised into delegation orchestrations.</summary>
public static class DelegationEvents
{
    /// <summary>Provider: the customer's request (step 2) arrived.</summary>
    public const string RequestReceived = "RequestReceived";

    /// <summary>Customer: the provider delivered w' and the stamp (step 6).</summary>
    public const string WorkDelivered = "WorkDelivered";

    /// <summary>Provider: the chain watcher saw the escrow opened (step 8).</summary>
    public const string EscrowOpened = "EscrowOpened";

    /// <summary>Customer: the chain watcher saw the work key revealed (step 10).</summary>
    public const string KeyRevealed = "KeyRevealed";

    /// <summary>Either side: the chain watcher saw the escrow refunded.</summary>
    public const string Refunded = "Refunded";
}

/// <summary>Bytes a step fetches: already in this node's store (sent inline), or at a peer's URL; checked by length and SHA-256.</summary>
public sealed record FetchableBlob(string? LocalBlob, string? Url, long Length, string Sha256);

/// <summary>Step (2) as the provider's orchestration receives it: where the input and the verifier are.</summary>
public sealed record RequestReceivedEvent(FetchableBlob Input, FetchableBlob Verifier);

/// <summary>Step (6) as the customer's orchestration receives it: where w' is and the stamp over H(w') and the terms.</summary>
public sealed record WorkDeliveredEvent(BlobReference Work, string Stamp);

/// <summary>An EscrowOpened log: the terms as the chain holds them, and where the log is.</summary>
public sealed record EscrowOpenedEvent
{
    public required string AgreementId { get; init; }
    public required string WorkKey { get; init; }
    public required string Customer { get; init; }
    public required string Payee { get; init; }
    public required string WorkHash { get; init; }
    public required BigInteger Amount { get; init; }
    public required long Deadline { get; init; }

    /// <summary>The ERC-20 token of a TokenEscrowOpened; null for an ETH escrow.</summary>
    public string? Token { get; init; }

    public required string TransactionHash { get; init; }
    public required long BlockNumber { get; init; }
    public required string BlockHash { get; init; }
}

/// <summary>
/// A KeyRevealed log. The revealed key itself is not in the event (workflow history never holds keys in clear):
/// the watcher put it in the key store, under <see cref="KeyId"/>.
/// </summary>
public sealed record KeyRevealedEvent(string WorkKey, string KeyId, string TransactionHash, long BlockNumber);

/// <summary>A Refunded log.</summary>
public sealed record RefundedEvent(string WorkKey, string TransactionHash, long BlockNumber);
