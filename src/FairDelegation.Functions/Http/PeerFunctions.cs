using FairDelegation.Node.Api;
using FairDelegation.Node.Configuration;
using FairDelegation.Node.Peers;
using FairDelegation.Node.Provider;
using FairDelegation.Node.Storage;
using FairDelegation.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;

namespace FairDelegation.Functions.Http;

/// <summary>
/// The routes peers call (/api/peer/*, /api/agreements/{id}), answered by the node's own handlers (<see cref="PeerApi"/>):
/// a customer app and a provider (another app, or a standalone node) exchange the same signed messages as two nodes do.
/// A route of the other role answers 404, as on a node, where it is not mapped.
/// </summary>
public sealed class PeerFunctions(NodeIdentity identity, SharedBlobs shares, IBlobStore store, PeerInbox inbox, Quote quote,
    AgreementStore agreements, IOptions<NodeOptions> options, FairDelegation.Node.Market.PriceQuotes priceQuotes, ApiKey apiKey, TimeProvider time)
{
    /// <summary>POST /api/market/quote (provider): a signed price quote for the market's quote round (docs/market.md).</summary>
    [Function(nameof(MarketQuote))]
    public async Task<IResult> MarketQuote([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "market/quote")] HttpRequest request)
    {
        if (NotOn(NodeRole.Provider, request) is { } absent) return absent;
        return await MarketApi.QuoteAsync(request, priceQuotes, request.HttpContext.RequestAborted);
    }

    /// <summary>GET /api/peer/identity.</summary>
    [Function(nameof(PeerIdentity))]
    public IResult PeerIdentity([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "peer/identity")] HttpRequest request) =>
        PeerApi.Identity(identity, options.Value);

    /// <summary>GET /api/peer/shares/{token}: a shared blob, streamed.</summary>
    [Function(nameof(PeerShare))]
    public Task<IResult> PeerShare([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "peer/shares/{token}")] HttpRequest request, string token) =>
        PeerApi.ShareAsync(token, shares, store, request.HttpContext.RequestAborted);

    /// <summary>POST /api/peer/quote (provider): step (0).</summary>
    [Function(nameof(PeerQuote))]
    public async Task<IResult> PeerQuote([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "peer/quote")] HttpRequest request,
        [DurableClient] DurableTaskClient client)
    {
        if (NotOn(NodeRole.Provider, request) is { } absent) return absent;
        return await PeerApi.WithEnvelopeAsync(request, PeerApi.SmallMessageLimit,
            message => PeerApi.QuoteAsync(message, inbox, quote, client, request.HttpContext.RequestAborted));
    }

    /// <summary>POST /api/peer/request (provider): step (2).</summary>
    [Function(nameof(PeerRequest))]
    public async Task<IResult> PeerRequest([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "peer/request")] HttpRequest request,
        [DurableClient] DurableTaskClient client)
    {
        if (NotOn(NodeRole.Provider, request) is { } absent) return absent;
        return await PeerApi.WithEnvelopeAsync(request, PeerApi.RequestMessageLimit(options.Value),
            message => PeerApi.RequestAsync(message, inbox, agreements, store, client, options.Value, request.HttpContext.RequestAborted));
    }

    /// <summary>POST /api/peer/delivered (customer): step (6).</summary>
    [Function(nameof(PeerDelivered))]
    public async Task<IResult> PeerDelivered([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "peer/delivered")] HttpRequest request,
        [DurableClient] DurableTaskClient client)
    {
        if (NotOn(NodeRole.Customer, request) is { } absent) return absent;
        return await PeerApi.WithEnvelopeAsync(request, PeerApi.SmallMessageLimit,
            message => PeerApi.DeliveredAsync(message, inbox, agreements, client, request.HttpContext.RequestAborted));
    }

    /// <summary>GET /api/agreements/{id}.</summary>
    [Function(nameof(GetAgreement))]
    public Task<IResult> GetAgreement([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "agreements/{id}")] HttpRequest request, string id,
        [DurableClient] DurableTaskClient client) =>
        PeerApi.AgreementAsync(request, id, agreements, client, options.Value, apiKey, identity, time, request.HttpContext.RequestAborted);

    private IResult? NotOn(NodeRole role, HttpRequest request) => options.Value.Role == role ? null
        : ApiProblems.Problem(StatusCodes.Status404NotFound, "no such route", $"{request.Path} is served by a {role.ToString().ToLowerInvariant()} node");
}
