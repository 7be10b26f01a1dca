using System.Text.Json;

namespace FairDelegation.Node.Api;

/// <summary>POST /api/delegations: what to delegate, to whom, under which SLA, for at most which wage.</summary>
public sealed record CreateDelegationRequest
{
    /// <summary>
    /// The provider node's base URL (http or https). Leave it out to let the market choose: the node asks the registry's
    /// providers of <see cref="Service"/> for signed quotes up to <see cref="WageWei"/> and picks by the documented score.
    /// </summary>
    public string? ProviderUrl { get; init; }

    /// <summary>The wage's currency: "ETH" (the default) or an ERC-20 token address.</summary>
    public string? Currency { get; init; }

    /// <summary>The service the provider offers (e.g. train-classifier).</summary>
    public string? Service { get; init; }

    /// <summary>The input, inline (text or base64).</summary>
    public ContentBody? Input { get; init; }

    /// <summary>
    /// The SLA document (its "kind" says which: classifier-accuracy, command, max-bytes, contains, ...). For
    /// classifier-accuracy, testSetSha256 may be left out: it is computed from the test-set asset.
    /// </summary>
    public JsonElement? Sla { get; init; }

    /// <summary>The verifier's hidden assets by name (e.g. "test-set"), inline; they never leave the verifier package.</summary>
    public Dictionary<string, ContentBody>? Assets { get; init; }

    /// <summary>wage_c: the most the customer pays, in wei, as a decimal string.</summary>
    public string? WageWei { get; init; }

    /// <summary>Waits of this delegation (defaults: the node's configured timeouts).</summary>
    public DelegationTimeoutsBody? Timeouts { get; init; }

    /// <summary>Optional client-chosen id (letters, digits, '-', '_'; at most 64): starting twice with one id is refused (409).</summary>
    public string? Id { get; init; }
}

/// <summary>Bytes inline: exactly one of <see cref="Text"/> (UTF-8) or <see cref="Base64"/>.</summary>
public sealed record ContentBody
{
    public string? Text { get; init; }
    public string? Base64 { get; init; }
}

/// <summary>Per-delegation waits, as TimeSpan strings ("00:05:00"); each overrides the node's configured value.</summary>
public sealed record DelegationTimeoutsBody
{
    /// <summary>How long the provider has to deliver stamped work.</summary>
    public TimeSpan? WorkDelivery { get; init; }

    /// <summary>How long the escrow's transaction may take to be confirmed.</summary>
    public TimeSpan? Confirmation { get; init; }

    /// <summary>How often, while waiting for the key, the chain's clock is read to see whether the deadline passed.</summary>
    public TimeSpan? DeadlineCheck { get; init; }
}

/// <summary>202 Accepted: where to follow the delegation, in the shape of Durable Functions' check-status response.</summary>
public sealed record CheckStatusResponse(
    string Id,
    string StatusQueryGetUri,
    string SendEventPostUri,
    string TerminatePostUri,
    string PurgeHistoryDeleteUri,
    string DelegationGetUri,
    string ResultGetUri);

/// <summary>The step a delegation is at ("(8) OpenEscrow").</summary>
public sealed record StepView(string Number, string Name, string? Detail);

/// <summary>A step the delegation reached, and when (the orchestration's time).</summary>
public sealed record StepMarkView(string Step, string Name, string? Detail, DateTimeOffset At);

/// <summary>
/// A transaction the delegation sent, with its gas and fee (wei as decimal strings). <c>BatchSize</c> &gt; 1: a batched
/// opening (openBatch) whose gas and fee are the whole transaction's, shared by that many delegations.
/// </summary>
public sealed record TransactionView(string Step, string Hash, long? BlockNumber, string GasUsed, string EffectiveGasPriceWei, string FeeWei,
    bool Succeeded, string? FailureReason, int BatchSize = 1);

/// <summary>
/// Why a delegation did not complete, as Durable Functions' failureDetails: the message, the step it stopped at (the
/// activity's name, or the wait it was in) and the error's type (the failing activity's exception type, or the
/// protocol's ending: Cancelled, Refunded, Abandoned, Failed).
/// </summary>
public sealed record FailureDetailsView(string Message, string? Step, string ErrorType);

/// <summary>GET /api/delegations/{id}.</summary>
public sealed record DelegationView
{
    public required string Id { get; init; }

    /// <summary>Which side this node is on: Customer or Provider.</summary>
    public string Role { get; init; } = "Customer";

    /// <summary>The engine's status: Pending, Running, Completed, Failed, Terminated.</summary>
    public required string RuntimeStatus { get; init; }

    /// <summary>How the delegation ended (Completed, Cancelled, Refunded, ...), once it has.</summary>
    public string? Outcome { get; init; }

    public StepView? Step { get; init; }

    /// <summary>The steps reached so far, with their times.</summary>
    public IReadOnlyList<StepMarkView> Timeline { get; init; } = [];

    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset LastUpdatedAt { get; init; }
    public string? ProviderUrl { get; init; }

    /// <summary>Provider side: the customer node's URL.</summary>
    public string? CustomerUrl { get; init; }

    public string? Service { get; init; }

    /// <summary>wage_c asked for (decimal wei, or token base units).</summary>
    public string? MaxWageWei { get; init; }

    /// <summary>Customer side: the wage's currency, "ETH" or a token address.</summary>
    public string? Currency { get; init; }

    /// <summary>
    /// Customer side, when the market chose the provider: the provider chosen, its quoted wage, why, and every quote
    /// considered (signed by the providers) or why a provider was passed over (docs/market.md).
    /// </summary>
    public FairDelegation.Node.Model.MarketChoice? Market { get; init; }

    /// <summary>The agreed wage (decimal wei), once ended with terms.</summary>
    public string? WageWei { get; init; }

    public string? AgreementId { get; init; }

    /// <summary>The agreed terms (the protocol's AgreementTerms document), once fixed.</summary>
    public JsonElement? Terms { get; init; }

    /// <summary>H(w'), once known.</summary>
    public string? WorkHash { get; init; }

    /// <summary>The verifier's stamp over H(w') and the terms (its JSON), once delivered.</summary>
    public string? Stamp { get; init; }

    public IReadOnlyList<TransactionView> Transactions { get; init; } = [];

    /// <summary>Gas used by this side's transactions.</summary>
    public string GasUsed { get; init; } = "0";

    /// <summary>Why it ended this way (null when Completed), or the engine's failure message.</summary>
    public string? Reason { get; init; }

    /// <summary>Null unless it ended without completing (runtime status Failed, or an outcome other than Completed).</summary>
    public FailureDetailsView? FailureDetails { get; init; }

    /// <summary>Where the decrypted work is, once Completed.</summary>
    public string? ResultUri { get; init; }
}

/// <summary>One line of GET /api/delegations.</summary>
public sealed record DelegationSummary(string Id, string RuntimeStatus, string? Outcome, StepView? Step, DateTimeOffset CreatedAt, DateTimeOffset LastUpdatedAt)
{
    /// <summary>Customer or Provider.</summary>
    public string? Role { get; init; }

    /// <summary>Null unless it ended without completing.</summary>
    public FailureDetailsView? FailureDetails { get; init; }
}

/// <summary>GET /api/delegations: one page; pass <see cref="ContinuationToken"/> back for the next (null at the end).</summary>
public sealed record DelegationPage(IReadOnlyList<DelegationSummary> Items, string? ContinuationToken);
