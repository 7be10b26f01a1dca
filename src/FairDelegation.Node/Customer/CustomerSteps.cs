using FairDelegation.Node.Model;

namespace FairDelegation.Node.Customer;

/// <summary>(0): the agreement, or why there is none; and the id of sk_c in the key store.</summary>
public sealed record FixTermsResult(Agreement? Agreement, string? VerifierKeyId, string? Reason);

/// <summary>(1): what the verifier is built from.</summary>
public sealed record CreateVerifierInput(Agreement Agreement, DelegationRequest Request, string VerifierKeyId);

/// <summary>(2): what goes to the provider.</summary>
public sealed record SendRequestInput(Agreement Agreement, string InputBlob, StoredBlob Verifier, int QuoteRound = 0);

/// <summary>(7): the delivery to check.</summary>
public sealed record CheckStampInput(Agreement Agreement, WorkDeliveredEvent Delivery);

/// <summary>(7): valid (w' now in the customer's store) or the mismatch found.</summary>
public sealed record CheckStampResult(bool Valid, string? Reason, string? WorkBlob, string? WorkHash);

/// <summary>(8): the escrow to open.</summary>
public sealed record OpenEscrowInput(Agreement Agreement, string WorkHash);

/// <summary>Refund after the deadline.</summary>
public sealed record RefundEscrowInput(Agreement Agreement, string WorkHash);

/// <summary>
/// The refund's transaction (null when no escrow held the deposit), or: the provider had claimed (then the revealed key's
/// id, when found on chain).
/// </summary>
public sealed record RefundResult(ChainTransaction? Transaction, bool AlreadyClaimed, string? RevealedKeyId);

/// <summary>(11): w' and the revealed key's id.</summary>
public sealed record DecryptWorkInput(Agreement Agreement, string WorkBlob, string RevealedKeyId);
