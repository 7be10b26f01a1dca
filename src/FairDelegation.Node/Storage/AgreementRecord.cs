using FairDelegation.Node.Configuration;

namespace FairDelegation.Node.Storage;

/// <summary>
/// An agreement this node takes part in: which orchestration runs it, the work key (address of pk_sp) that names its
/// escrow on chain, with whom, on which terms (JSON).
/// </summary>
public sealed record AgreementRecord(string AgreementId, NodeRole Role, string InstanceId, string WorkKey, string PeerUrl, string PeerIdentity,
    string TermsJson, DateTimeOffset CreatedUtc);
