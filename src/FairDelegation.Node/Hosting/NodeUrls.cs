using FairDelegation.Node.Configuration;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace FairDelegation.Node.Hosting;

/// <summary>The URL peers reach this node at: PublicUrl if configured, else the first address Kestrel listens on.</summary>
public sealed class NodeUrls(IOptions<NodeOptions> options, IServer server)
{
    public string PublicUrl
    {
        get
        {
            if (!string.IsNullOrWhiteSpace(options.Value.PublicUrl)) return options.Value.PublicUrl.TrimEnd('/');
            var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses;
            return addresses?.FirstOrDefault()?.TrimEnd('/')
                   ?? throw new InvalidOperationException($"{NodeOptions.SectionName}:PublicUrl is not set and the server listens nowhere yet");
        }
    }

    /// <summary>The URL of a share on this node.</summary>
    public string Share(string token) => $"{PublicUrl}/api/peer/shares/{token}";
}
