using FairDelegation.Node.Api;
using FairDelegation.Node.Configuration;
using FairDelegation.Node.Peers;
using FairDelegation.Node.Storage;
using FairDelegation.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace FairDelegation.Functions.Http;

/// <summary>
/// The routes peers call (/api/peer/*), answered by the node's own handlers (<see cref="PeerApi"/>): a customer app
/// and a provider (another app, or a standalone node) talk the same signed messages as two nodes do.
/// </summary>
public sealed class PeerFunctions(NodeIdentity identity, SharedBlobs shares, IBlobStore store, IOptions<NodeOptions> options)
{
    /// <summary>GET /api/peer/identity.</summary>
    [Function(nameof(PeerIdentity))]
    public IResult PeerIdentity([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "peer/identity")] HttpRequest request) =>
        PeerApi.Identity(identity, options.Value);

    /// <summary>GET /api/peer/shares/{token}: a shared blob, streamed.</summary>
    [Function(nameof(PeerShare))]
    public Task<IResult> PeerShare([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "peer/shares/{token}")] HttpRequest request, string token) =>
        PeerApi.ShareAsync(token, shares, store, request.HttpContext.RequestAborted);
}
