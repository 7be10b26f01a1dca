using FairDelegation.Protocol.Agreements;

namespace FairDelegation.Node.Model;

/// <summary>
/// An agreement as the steps see it: its id, its terms (the protocol's AgreementTerms as its JSON document, so workflow
/// history stores exactly what was agreed), and the peer (URL and pinned identity).
/// </summary>
public sealed record Agreement(string AgreementId, string TermsJson, string PeerUrl, string PeerIdentity)
{
    /// <summary>The parsed, validated terms.</summary>
    public AgreementTerms ParseTerms() => AgreementTerms.FromJson(TermsJson);
}
