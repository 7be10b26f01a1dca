using System.Globalization;
using System.Numerics;
using System.Text.Json;
using FairDelegation.Node.Configuration;
using FairDelegation.Node.Customer;
using FairDelegation.Node.Model;
using FairDelegation.Node.Provider;
using FairDelegation.Node.Storage;

namespace FairDelegation.Node.Api;

/// <summary>Which delegations a list shows: by role (instance prefix), by runtime status, one page at a time.</summary>
public sealed record DelegationFilter
{
    /// <summary>Customer (customer-*), Provider (provider-*), or null for both.</summary>
    public NodeRole? Role { get; init; }

    /// <summary>Runtime statuses to keep; empty for all.</summary>
    public IReadOnlyList<OrchestrationRuntimeStatus> Statuses { get; init; } = [];

    public int PageSize { get; init; } = 50;

    public string? ContinuationToken { get; init; }

    /// <summary>Only delegations created at or after this time.</summary>
    public DateTimeOffset? CreatedFrom { get; init; }
}

/// <summary>
/// The read side of the node's delegations, shared by the HTTP API (GET /api/delegations, GET /api/delegations/{id})
/// and the dashboard: it turns the durable client's instances into the API's views, so both show the same thing and
/// only this class knows how orchestration metadata maps onto a delegation.
/// </summary>
public sealed class DelegationQueries(DurableTaskClient durable, AgreementStore agreements)
{
    /// <summary>The instance id prefix of each role's orchestrations.</summary>
    public static string Prefix(NodeRole role) => role == NodeRole.Customer ? "customer-" : "provider-";

    /// <summary>One page of delegations in id order. Throws FormatException/ArgumentException for a token this node did not issue.</summary>
    public async Task<DelegationPage> ListAsync(DelegationFilter filter, CancellationToken ct = default)
    {
        var page = await durable.QueryInstancesAsync(new OrchestrationQuery
        {
            InstanceIdPrefix = filter.Role is { } role ? Prefix(role) : null,
            Statuses = filter.Statuses.Count > 0 ? filter.Statuses : null,
            PageSize = filter.PageSize,
            ContinuationToken = string.IsNullOrEmpty(filter.ContinuationToken) ? null : filter.ContinuationToken,
            CreatedFrom = filter.CreatedFrom,
            FetchInputsAndOutputs = true,
        }, ct);
        var items = page.Values.Where(IsDelegation).Select(m =>
            new DelegationSummary(m.InstanceId, m.RuntimeStatus.ToString(), OutcomeOf(m)?.Status.ToString(), Step(m), m.CreatedAt, m.LastUpdatedAt)
            {
                Role = RoleOf(m.InstanceId)?.ToString(),
                FailureDetails = FailureOf(m),
            }).ToList();
        return new DelegationPage(items, page.ContinuationToken);
    }

    /// <summary>Every delegation matching the filter (its page size is the batch size), full views, at most <paramref name="max"/>.</summary>
    public async Task<IReadOnlyList<DelegationView>> ViewsAsync(DelegationFilter filter, string baseUrl, int max, CancellationToken ct = default)
    {
        var views = new List<DelegationView>();
        var query = new OrchestrationQuery
        {
            InstanceIdPrefix = filter.Role is { } role ? Prefix(role) : null,
            Statuses = filter.Statuses.Count > 0 ? filter.Statuses : null,
            PageSize = filter.PageSize,
            CreatedFrom = filter.CreatedFrom,
            FetchInputsAndOutputs = true,
        };
        await foreach (var m in durable.GetAllInstancesAsync(query).WithCancellation(ct))
        {
            if (!IsDelegation(m)) continue;
            views.Add(View(m, baseUrl));
            if (views.Count >= max) break;
        }
        return views;
    }

    /// <summary>One delegation by instance id (customer-* or provider-*), or null.</summary>
    public async Task<DelegationView?> GetAsync(string instanceId, string baseUrl, CancellationToken ct = default)
    {
        var meta = await durable.GetInstanceAsync(instanceId, getInputsAndOutputs: true, ct);
        return meta is null || !IsDelegation(meta) ? null : View(meta, baseUrl);
    }

    /// <summary>
    /// The instance as Durable Functions' status route returns it with <c>showInput=false&amp;showHistory=true</c>:
    /// no input (it holds the request's blobs and keys' ids) and the history without payloads (no activity's input or
    /// result, no event's data): event types, names, times and failures' messages.
    /// </summary>
    public async Task<DurableManagementApi.InstanceStatus?> GetInstanceStatusAsync(string instanceId, CancellationToken ct = default)
    {
        var meta = await durable.GetInstanceAsync(instanceId, getInputsAndOutputs: true, ct);
        if (meta is null) return null;
        IReadOnlyList<HistoryEventView>? history;
        try
        {
            history = await DurableManagementApi.HistoryAsync(durable, instanceId, showInput: false, showHistoryOutput: false, ct);
        }
        catch (NotSupportedException)
        {
            history = null; // a backend that keeps no readable history (the in-memory test backend): the page says so
        }
        return DurableManagementApi.Status(meta, showInput: false) with { HistoryEvents = history };
    }

    /// <summary>The API's view of one delegation, either side.</summary>
    public DelegationView View(OrchestrationMetadata meta, string baseUrl)
    {
        var role = RoleOf(meta.InstanceId) ?? NodeRole.Customer;
        var step = StepStatusOf(meta);
        var outcome = OutcomeOf(meta);
        var customer = role == NodeRole.Customer ? meta.ReadInputAs<CustomerDelegationInput>() : null;
        var provider = role == NodeRole.Provider ? meta.ReadInputAs<ProviderDelegationInput>() : null;
        var agreementId = outcome?.AgreementId ?? step?.AgreementId ?? provider?.AgreementId;
        JsonElement? terms = null;
        if (provider is not null) terms = JsonDocument.Parse(provider.TermsJson).RootElement.Clone();
        else if (agreementId is not null && agreements.Find(agreementId, role) is { } record)
            terms = JsonDocument.Parse(record.TermsJson).RootElement.Clone();
        // In flight, the step status carries the transactions mined so far; once ended, the outcome has them all.
        var sent = outcome?.Transactions ?? step?.Transactions ?? [];
        var transactions = sent.Select(t => new TransactionView(t.Step, t.Hash, t.BlockNumber,
            Wei(t.GasUsed), Wei(t.EffectiveGasPrice), Wei(t.Fee), t.Succeeded, t.FailureReason, t.BatchSize)).ToList();
        string? wage = null;
        if (outcome is { AgreementId: not null }) wage = Wei(outcome.Wage);
        else if (provider is not null) wage = TermsWage(terms);
        return new DelegationView
        {
            Id = meta.InstanceId,
            Role = role.ToString(),
            RuntimeStatus = meta.RuntimeStatus.ToString(),
            Outcome = outcome?.Status.ToString(),
            Step = step is null ? null : new StepView(step.Step, step.Name, step.Detail),
            Timeline = (step?.Timeline ?? []).Select(m => new StepMarkView(m.Step, m.Name, m.Detail, new DateTimeOffset(DateTime.SpecifyKind(m.At, DateTimeKind.Utc)))).ToList(),
            CreatedAt = meta.CreatedAt,
            LastUpdatedAt = meta.LastUpdatedAt,
            ProviderUrl = customer?.Request.ProviderUrl ?? step?.Market?.ProviderUrl,
            Market = step?.Market,
            Currency = customer is null ? null : step?.Market?.Currency ?? CurrencyName(customer.Request.Currency),
            CustomerUrl = provider?.CustomerUrl,
            Service = customer?.Request.Service ?? (terms is { } t && t.TryGetProperty("service", out var s) ? s.GetString() : null),
            MaxWageWei = customer is null ? null : Wei(customer.Request.MaxWage),
            WageWei = wage,
            AgreementId = agreementId,
            Terms = terms,
            WorkHash = outcome?.WorkHash ?? step?.WorkHash,
            Stamp = step?.Stamp,
            Transactions = transactions,
            GasUsed = Wei(sent.Aggregate(BigInteger.Zero, (sum, t) => sum + t.GasUsed)),
            Reason = outcome?.Reason ?? meta.FailureDetails?.ErrorMessage,
            FailureDetails = FailureOf(meta),
            ResultUri = role == NodeRole.Customer && outcome is { Status: DelegationStatus.Completed }
                ? $"{baseUrl}/api/delegations/{Uri.EscapeDataString(meta.InstanceId)}/result"
                : null,
        };
    }

    /// <summary>customer-* or provider-*; null for an orchestration that is not a delegation.</summary>
    public static NodeRole? RoleOf(string instanceId) =>
        instanceId.StartsWith("customer-", StringComparison.Ordinal) ? NodeRole.Customer
        : instanceId.StartsWith("provider-", StringComparison.Ordinal) ? NodeRole.Provider
        : null;

    private static bool IsDelegation(OrchestrationMetadata m) => RoleOf(m.InstanceId) is not null;

    private static DelegationOutcome? OutcomeOf(OrchestrationMetadata m)
    {
        if (m.RuntimeStatus != OrchestrationRuntimeStatus.Completed) return null;
        try { return m.ReadOutputAs<DelegationOutcome>(); }
        catch (JsonException) { return null; }
    }

    /// <summary>
    /// failureDetails as Durable Functions shows them: for an instance the engine marked Failed, its failure (the step
    /// from the custom status it had when it failed, the innermost error type); for one that ended otherwise than
    /// Completed, the outcome's failure (or, for outcomes written before it had one, its reason at its last step).
    /// </summary>
    public static FailureDetailsView? FailureOf(OrchestrationMetadata meta)
    {
        if (meta.RuntimeStatus == OrchestrationRuntimeStatus.Failed)
        {
            var details = meta.FailureDetails;
            var innermost = details;
            while (innermost?.InnerFailure is { } inner) innermost = inner;
            return new FailureDetailsView(details?.ErrorMessage ?? "the orchestration failed", StepStatusOf(meta)?.Name is { } name and not "end" ? name : null,
                innermost?.ErrorType ?? "OrchestrationFailure");
        }
        if (OutcomeOf(meta) is not { } outcome || outcome.Status == DelegationStatus.Completed) return null;
        if (outcome.Failure is { } f) return new FailureDetailsView(f.Message, f.Step, f.ErrorType);
        var last = StepStatusOf(meta)?.Timeline?.LastOrDefault(m => m.Step != "end")?.Name;
        return new FailureDetailsView(outcome.Reason ?? outcome.Status.ToString(), last, outcome.Status.ToString());
    }

    private static StepView? Step(OrchestrationMetadata meta) =>
        StepStatusOf(meta) is { } s ? new StepView(s.Step, s.Name, s.Detail) : null;

    private static StepStatus? StepStatusOf(OrchestrationMetadata meta)
    {
        try
        {
            return meta.ReadCustomStatusAs<StepStatus>();
        }
        catch (JsonException)
        {
            return null; // a custom status set by some other orchestration: not a step
        }
    }

    private static string? TermsWage(JsonElement? terms)
    {
        if (terms is not { } t) return null;
        foreach (var name in new[] { "wage", "wageWei" })
            if (t.TryGetProperty(name, out var w)) return w.ValueKind == JsonValueKind.String ? w.GetString() : w.GetRawText();
        return null;
    }

    private static string CurrencyName(string? currency) =>
        string.IsNullOrWhiteSpace(currency) || currency.Equals("ETH", StringComparison.OrdinalIgnoreCase) ? "ETH" : currency.ToLowerInvariant();

    private static string Wei(BigInteger value) => value.ToString(CultureInfo.InvariantCulture);
}
