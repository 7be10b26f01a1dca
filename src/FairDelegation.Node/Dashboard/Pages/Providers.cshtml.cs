using FairDelegation.Chain.Crypto;
using FairDelegation.Protocol.Market;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace FairDelegation.Node.Dashboard.Pages;

/// <summary>The market's provider directory with reputation, when the node follows a provider registry.</summary>
public sealed class ProvidersModel(IProviderDirectoryView directory) : PageModel
{
    /// <summary>Where the directory comes from; null when the node follows no registry.</summary>
    public string? Source => directory.Source;
    public IReadOnlyList<DirectoryEntry> Providers { get; private set; } = [];
    public IReadOnlyDictionary<EthereumAddress, ProviderReputation> Reputations { get; private set; } = new Dictionary<EthereumAddress, ProviderReputation>();
    public string? Service { get; private set; }
    public long? Block { get; private set; }
    public string? Error { get; private set; }

    public async Task OnGetAsync(string? service, CancellationToken ct)
    {
        Service = string.IsNullOrWhiteSpace(service) ? null : service.Trim();
        if (Source is null) return;
        try
        {
            var market = await directory.ReadAsync(ct);
            Providers = [.. market.Entries.Where(e => e.Serving && (Service is null || e.Offers.Any(o => o.Service == Service)))];
            Reputations = market.Reputations;
            Block = market.Block;
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested) // the chain is away or behind: say so
        {
            Error = $"The market could not be read from the chain: {e.Message}";
        }
    }

    public ProviderReputation ReputationOf(DirectoryEntry p) => Reputations.TryGetValue(p.Payee, out var r) ? r : ProviderReputation.Empty(p.Payee);
}
