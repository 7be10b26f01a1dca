using System.Text.Json;
using FairDelegation.Node.Api;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace FairDelegation.Node.Dashboard.Pages;

/// <summary>One delegation: its steps with times, transactions, stamp and work hash, money, why it ended, and the Durable status and history; live.</summary>
public sealed class DelegationModel(DashboardData data) : PageModel
{
    private static readonly JsonSerializerOptions Pretty = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public DelegationView View { get; private set; } = null!;
    public string Version { get; private set; } = "";
    public string InstanceStatusJson { get; private set; } = "";
    public IReadOnlyList<MoneyLine> Money { get; private set; } = [];

    /// <summary>The orchestration's history as the Durable status route gives it (no payloads).</summary>
    public IReadOnlyList<HistoryEventView> History { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(string id, CancellationToken ct)
    {
        var view = await data.GetAsync(id, DelegationsApi.BaseUrl(Request), ct);
        if (view is null) return NotFound();
        View = view;
        Version = DashboardData.Fingerprint(view);
        Money = MoneyMoved.Of(view);
        var status = await data.InstanceStatusAsync(id, ct);
        History = status?.HistoryEvents ?? [];
        // The document as the route returns it, without the history the table above shows.
        InstanceStatusJson = JsonSerializer.Serialize(status is null ? null : status with { HistoryEvents = null }, Pretty);
        return Page();
    }

    public string Events => "/dashboard/events?id=" + Uri.EscapeDataString(View.Id);

    /// <summary>The stamp's JSON indented, or as given when it is not JSON.</summary>
    public string StampText
    {
        get
        {
            if (View.Stamp is null) return "";
            try { return JsonSerializer.Serialize(JsonDocument.Parse(View.Stamp).RootElement, Pretty); }
            catch (JsonException) { return View.Stamp; }
        }
    }
}
