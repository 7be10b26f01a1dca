using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.DependencyInjection;

namespace FairDelegation.Node.Dashboard.Pages;

/// <summary>The market's provider directory with reputation, when the node has a registry configured.</summary>
public sealed class ProvidersModel : PageModel
{
    public IProviderDirectoryView? Directory { get; private set; }
    public IReadOnlyList<ProviderListing> Providers { get; private set; } = [];
    public string? Service { get; private set; }
    public string? Error { get; private set; }

    public async Task OnGetAsync(string? service, CancellationToken ct)
    {
        Service = string.IsNullOrWhiteSpace(service) ? null : service.Trim();
        Directory = HttpContext.RequestServices.GetService<IProviderDirectoryView>();
        if (Directory is null) return;
        try
        {
            Providers = await Directory.ListAsync(Service, ct);
        }
        catch (Exception e) when (e is HttpRequestException or InvalidOperationException or IOException)
        {
            Error = $"The directory could not be read: {e.Message}";
        }
    }
}
