using System.Numerics;
using FairDelegation.Node.Model;

namespace FairDelegation.Node.Peers;

/// <summary>Kinds and routes of the peer messages.</summary>
public static class PeerKinds
{
    public const string QuoteRequest = "quote-request";
    public const string DelegationRequest = "delegation-request";
    public const string WorkDelivered = "work-delivered";

    /// <summary>A read of GET /api/agreements/{id} by the agreement's peer: the signed envelope travels in <see cref="PeerEnvelopeHeader"/>.</summary>
    public const string AgreementRead = "agreement-read";

    /// <summary>The header carrying a signed envelope (base64 of its JSON) on a GET.</summary>
    public const string PeerEnvelopeHeader = "X-Peer-Envelope";

    public const string QuoteRoute = "api/peer/quote";
    public const string RequestRoute = "api/peer/request";
    public const string DeliveredRoute = "api/peer/delivered";
}

/// <summary>
/// Step (0), customer to provider: the service, the SLA (protocol JSON), the most it pays (wage_c), its wallet,
/// address(pk_c), SHA-256 of the input it will send, and where it listens. The envelope's agreement id field carries
/// <see cref="ProposalId"/> (the terms are not fixed yet), which becomes the terms' nonce.
/// </summary>
public sealed record QuoteRequest
{
    public required string ProposalId { get; init; }
    public required string Service { get; init; }
    public required string Sla { get; init; }
    public required BigInteger MaxWage { get; init; }
    public required string CustomerAddress { get; init; }
    public required string VerifierKey { get; init; }
    public required string InputHash { get; init; }
    public required string CustomerUrl { get; init; }

    /// <summary>The wage's currency the customer pays in: null or "ETH", or an ERC-20 token's address.</summary>
    public string? Currency { get; init; }
}

/// <summary>Step (0), provider to customer: the terms (protocol AgreementTerms JSON, with pk_sp and wage_sp) and their id, or a refusal.</summary>
public sealed record QuoteReply(bool Accepted, string? Reason, string? AgreementId, string? Terms);

/// <summary>Step (2), customer to provider: the input and the verifier, each inline (small) or by reference.</summary>
public sealed record DelegationRequestMessage(BlobReference Input, BlobReference Verifier);

/// <summary>Step (6), provider to customer: where to fetch w' and the stamp.</summary>
public sealed record WorkDeliveredMessage(BlobReference Work, string Stamp);
