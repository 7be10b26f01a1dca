using FairDelegation.Node.Api;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace FairDelegation.Node.Dashboard.Pages;

/// <summary>The delegations, newest pages first by id as the API lists them, filtered by role and status; live.</summary>
public sealed class IndexModel(DashboardData data) : PageModel
{
    public ListRequest Filter { get; private set; } = null!;
    public DelegationPage Delegations { get; private set; } = new([], null);
    public List<string> Errors { get; } = [];
    public string Version { get; private set; } = "";

    public async Task OnGetAsync(string? role, string? status, string? pageSize, string? token, CancellationToken ct)
    {
        Filter = ListRequest.Parse(role, status, pageSize, token, data.MaxPageSize, Errors);
        try
        {
            Delegations = await data.ListAsync(Filter, ct);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            Errors.Add("token: is not a page token this node issued; showing the first page");
            Filter = Filter with { Token = null };
            Delegations = await data.ListAsync(Filter, ct);
        }
        Version = DashboardData.Fingerprint(Delegations);
    }

    /// <summary>The events URL for this page.</summary>
    public string Events => "/dashboard/events?" + Filter.Query();
}
