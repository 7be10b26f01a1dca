using FairDelegation.Node.Model;

namespace FairDelegation.Node.Provider;

/// <summary>
/// The provider orchestration's input, made by step (0) Quote: the terms quoted, the id of the disposable work key in
/// the key store (never the key), where the customer is, and the waits fixed at the start.
/// </summary>
public sealed record ProviderDelegationInput(
    string AgreementId,
    string TermsJson,
    string WorkKeyId,
    string CustomerUrl,
    string CustomerIdentity,
    int RetryBudget,
    DelegationTimeouts Timeouts);
