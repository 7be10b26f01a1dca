using FairDelegation.Node.Api;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace FairDelegation.Node.Dashboard.Pages;

/// <summary>Gas per protocol step and delegations started per minute, over a recent window, as server-drawn SVG.</summary>
public sealed class ChartsModel(DashboardData data) : PageModel
{
    public int Minutes { get; private set; } = 30;
    public IReadOnlyList<ChartBar> GasPerStep { get; private set; } = [];
    public IReadOnlyList<ChartBar> PerMinute { get; private set; } = [];
    public int Delegations { get; private set; }

    public async Task OnGetAsync(int? minutes, CancellationToken ct)
    {
        Minutes = minutes is >= 5 and <= 24 * 60 ? minutes.Value : 30;
        (GasPerStep, PerMinute, Delegations) = await data.ChartsAsync(Minutes, DelegationsApi.BaseUrl(Request), ct);
    }
}
