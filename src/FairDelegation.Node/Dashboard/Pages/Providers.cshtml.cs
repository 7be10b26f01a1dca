using FairDelegation.Chain.Crypto;
using FairDelegation.Protocol.Market;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.DependencyInjection;

namespace FairDelegation.Node.Dashboard.Pages;

/// <summary>The market's provider directory with reputation, when the node follows a provider registry.</summary>
public sealed class ProvidersModel : PageModel
{
    public IProviderDirectoryView? Directory { get; private set; }
    public IReadOnlyList<DirectoryEntry> Providers { get; private set; } = [];
    public IReadOnlyDictionary<EthereumAddress, ProviderReputation> Reputations { get; private set; } = new Dictionary<EthereumAddress, ProviderReputation>();
    public string? Service { get; private set; }
    public string? Error { get; private set; }

    public async Task OnGetAsync(string? service, CancellationToken ct)
    {
        Service = string.IsNullOrWhiteSpace(service) ? null : service.Trim();
        Directory = HttpContext.RequestServices.GetService<IProviderDirectoryView>();
        if (Directory is null) return;
        Providers = Directory.Serving(Service);
        try
        {
            Reputations = await Directory.ReputationsAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException) // the chain or the view failed: show the directory anyway
        {
            Error = $"The escrow's events could not be read, so reputations are missing: {e.Message}";
        }
    }

    public ProviderReputation ReputationOf(DirectoryEntry p) => Reputations.TryGetValue(p.Payee, out var r) ? r : ProviderReputation.Empty(p.Payee);
}
