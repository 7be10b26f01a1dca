using FairDelegation.Node.Model;

namespace FairDelegation.Node.Provider;

/// <summary>(3): the request and which attempt this is.</summary>
public sealed record ProduceWorkInput(Agreement Agreement, RequestReceivedEvent Request, int Attempt);

/// <summary>(3): the work w's blob (provider's store), or why the service failed.</summary>
public sealed record ProduceWorkResult(string? WorkBlob, string? Error);

/// <summary>(4-5): the verifier to run on the work.</summary>
public sealed record RunVerifierInput(Agreement Agreement, FetchableBlob Verifier, string WorkBlob, int Attempt);

/// <summary>(4-5): compliant (w' written, H(w'), stamp) or the SLA violation.</summary>
public sealed record VerifierResult(bool Compliant, string? Reason, string? EncryptedBlob, string? WorkHash, long Length, string? Stamp);

/// <summary>(6): what to deliver.</summary>
public sealed record DeliverWorkInput(Agreement Agreement, VerifierResult Work);

/// <summary>(9): the escrow to check against the agreement.</summary>
public sealed record CheckEscrowInput(Agreement Agreement, string WorkHash, EscrowOpenedEvent Opened, TimeSpan DeadlineMargin, int Confirmations);

/// <summary>(9): the verdict on an escrow.</summary>
public enum EscrowVerdict
{
    /// <summary>Matches the agreement, confirmed, enough time left: reveal.</summary>
    Accepted,

    /// <summary>Matches so far but not yet confirmed: check again later.</summary>
    Unconfirmed,

    /// <summary>The opening is no longer on the canonical chain.</summary>
    Reorged,

    /// <summary>Does not match (wage, work key, work hash, payee) or too close to the deadline: never reveal.</summary>
    Refused,
}

/// <summary>(9): verdict and reason.</summary>
public sealed record CheckEscrowResult(EscrowVerdict Verdict, string? Reason);

/// <summary>(10): the key to reveal (by id) for the escrow as opened.</summary>
public sealed record RevealKeyInput(Agreement Agreement, string WorkKeyId, EscrowOpenedEvent Opened);

/// <summary>(11'): the claim to confirm as paid.</summary>
public sealed record PaymentReceivedInput(Agreement Agreement, EscrowOpenedEvent Opened, ChainTransaction Claim);
