using FairDelegation.Chain.Crypto;
using FairDelegation.Node.Configuration;
using FairDelegation.Node.Customer;
using FairDelegation.Node.Model;
using FairDelegation.Node.Peers;
using FairDelegation.Node.Provider;
using FairDelegation.Node.Storage;
using FairDelegation.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FairDelegation.Node.Api;

/// <summary>
/// The routes peers call. Provider: POST /api/peer/quote, POST /api/peer/request. Customer: POST /api/peer/delivered.
/// Both: GET /api/peer/identity, GET /api/peer/shares/{token} (streamed blob), GET /api/agreements/{id}.
/// Every POST carries a signed <see cref="PeerEnvelope"/>; errors are ProblemDetails.
/// </summary>
public static class PeerApi
{
    /// <summary>Maps the peer routes of this node's role (and the shared ones).</summary>
    public static IEndpointRouteBuilder MapFairDelegationPeerApi(this IEndpointRouteBuilder app)
    {
        var options = app.ServiceProvider.GetRequiredService<IOptions<NodeOptions>>().Value;
        var peer = app.MapGroup("/api/peer").WithTags("peer");

        peer.MapGet("/identity", (NodeIdentity identity) => Identity(identity, options));

        peer.MapGet("/shares/{token}", (string token, SharedBlobs shares, IBlobStore store, CancellationToken ct) => ShareAsync(token, shares, store, ct));

        if (options.Role == NodeRole.Provider)
        {
            peer.MapPost("/quote", (PeerEnvelope message, PeerInbox inbox, Quote quote, DurableTaskClient durable, CancellationToken ct) =>
                QuoteAsync(message, inbox, quote, durable, ct)).WithRequestSizeLimit(SmallMessageLimit);

            peer.MapPost("/request", (PeerEnvelope message, PeerInbox inbox, AgreementStore agreements, IBlobStore store,
                    DurableTaskClient durable, CancellationToken ct) => RequestAsync(message, inbox, agreements, store, durable, options, ct))
                .WithRequestSizeLimit(RequestMessageLimit(options));
        }
        else
        {
            peer.MapPost("/delivered", (PeerEnvelope message, PeerInbox inbox, AgreementStore agreements, DurableTaskClient durable, CancellationToken ct) =>
                DeliveredAsync(message, inbox, agreements, durable, ct)).WithRequestSizeLimit(SmallMessageLimit);
        }

        app.MapGet("/api/agreements/{id}", (string id, AgreementStore agreements, DurableTaskClient durable, CancellationToken ct) =>
            AgreementAsync(id, agreements, durable, options, ct)).WithTags("agreements");

        return app;
    }

    /// <summary>The body limit of a quote request and of a work-delivered message.</summary>
    public const long SmallMessageLimit = 64 * 1024;

    /// <summary>The body limit of a delegation request: base64 of input and verifier, plus the envelope.</summary>
    public static long RequestMessageLimit(NodeOptions options) => options.PeerApi.MaxInlineBytes * 2 + 64 * 1024;

    // The handlers below are the routes' bodies, shared by every host (the node's minimal API, the Functions app).

    /// <summary>POST /api/peer/quote (provider): step (0), a signed quote request; starts the provider's orchestration.</summary>
    public static Task<IResult> QuoteAsync(PeerEnvelope message, PeerInbox inbox, Quote quote, DurableTaskClient durable, CancellationToken ct) =>
        Handle(() => inbox.ReceiveAsync(message, PeerKinds.QuoteRequest, null, async signer =>
        {
            var request = PeerJson.Deserialize<QuoteRequest>(message.Body, "quote request");
            if (!string.Equals(request.ProposalId, message.AgreementId, StringComparison.OrdinalIgnoreCase))
                throw new FormatException("quote request: the envelope must carry the proposal id");
            return PeerJson.Serialize(await quote.MakeAsync(request, signer, durable, ct));
        }));

    /// <summary>POST /api/peer/request (provider): step (2), input and verifier; raised into the agreement's orchestration.</summary>
    public static Task<IResult> RequestAsync(PeerEnvelope message, PeerInbox inbox, AgreementStore agreements, IBlobStore store,
        DurableTaskClient durable, NodeOptions options, CancellationToken ct) =>
        Handle(() =>
        {
            var record = agreements.Find(message.AgreementId, NodeRole.Provider) ?? throw new UnknownAgreementException(message.AgreementId);
            return inbox.ReceiveAsync(message, PeerKinds.DelegationRequest, EthereumAddress.Parse(record.PeerIdentity), async _ =>
            {
                var body = PeerJson.Deserialize<DelegationRequestMessage>(message.Body, "delegation request");
                body.Input.Validate("input");
                body.Verifier.Validate("verifier");
                var input = await Materialize(body.Input, $"agreements/{record.AgreementId}/input", store, options, ct);
                var verifier = await Materialize(body.Verifier, $"agreements/{record.AgreementId}/verifier", store, options, ct);
                await durable.RaiseEventAsync(record.InstanceId, DelegationEvents.RequestReceived, new RequestReceivedEvent(input, verifier), ct);
                return PeerJson.Serialize(PeerResult.Ok);
            });
        });

    /// <summary>POST /api/peer/delivered (customer): step (6), w' by reference and its stamp; raised into the agreement's orchestration.</summary>
    public static Task<IResult> DeliveredAsync(PeerEnvelope message, PeerInbox inbox, AgreementStore agreements, DurableTaskClient durable,
        CancellationToken ct) =>
        Handle(() =>
        {
            var record = agreements.Find(message.AgreementId, NodeRole.Customer) ?? throw new UnknownAgreementException(message.AgreementId);
            return inbox.ReceiveAsync(message, PeerKinds.WorkDelivered, EthereumAddress.Parse(record.PeerIdentity), async _ =>
            {
                var body = PeerJson.Deserialize<WorkDeliveredMessage>(message.Body, "work delivered");
                body.Work.Validate("work");
                if (body.Work.Url is null) throw new FormatException("work: w' is delivered by reference (url), not inline");
                if (string.IsNullOrWhiteSpace(body.Stamp)) throw new FormatException("stamp: missing");
                await durable.RaiseEventAsync(record.InstanceId, DelegationEvents.WorkDelivered, new WorkDeliveredEvent(body.Work, body.Stamp), ct);
                return PeerJson.Serialize(PeerResult.Ok);
            });
        });

    /// <summary>GET /api/agreements/{id}: this node's view of an agreement.</summary>
    public static async Task<IResult> AgreementAsync(string id, AgreementStore agreements, DurableTaskClient durable, NodeOptions options, CancellationToken ct)
    {
        if (agreements.Find(id, options.Role) is not { } r)
            return Results.Problem(statusCode: 404, title: "unknown agreement", detail: $"no agreement {id} on this {options.Role.ToString().ToLowerInvariant()} node");
        var meta = await durable.GetInstanceAsync(r.InstanceId, getInputsAndOutputs: true, ct);
        return Results.Ok(new AgreementView(r.AgreementId, r.Role.ToString().ToLowerInvariant(), r.InstanceId, r.PeerUrl, r.PeerIdentity,
            System.Text.Json.JsonDocument.Parse(r.TermsJson).RootElement.Clone(), meta?.RuntimeStatus.ToString(),
            meta?.ReadCustomStatusAs<StepStatus>(), meta?.IsCompleted == true ? meta.ReadOutputAs<DelegationOutcome>() : null));
    }

    /// <summary>GET /api/peer/identity (every host answers it with this).</summary>
    public static IResult Identity(NodeIdentity identity, NodeOptions options) =>
        TypedResults.Ok(new IdentityDocument(identity.Address.ToLowerHex(), options.Role.ToString().ToLowerInvariant(), options.Name));

    /// <summary>GET /api/peer/shares/{token}: the shared blob, streamed; 404 for an unknown token.</summary>
    public static async Task<IResult> ShareAsync(string token, SharedBlobs shares, IBlobStore store, CancellationToken ct)
    {
        if (shares.Find(token) is not { } share) return Results.Problem(statusCode: 404, title: "unknown share", detail: "no blob is shared under this token");
        var stream = await store.OpenReadAsync(share.BlobName, ct);
        return Results.Stream(stream, "application/octet-stream", enableRangeProcessing: false);
    }

    /// <summary>Caps the request body of one endpoint.</summary>
    public static RouteHandlerBuilder WithRequestSizeLimit(this RouteHandlerBuilder builder, long bytes) =>
        builder.WithMetadata(new RequestSizeLimitAttribute(bytes));

    private static async Task<FetchableBlob> Materialize(BlobReference reference, string name, IBlobStore store, NodeOptions options, CancellationToken ct)
    {
        if (reference.Inline is null) return new FetchableBlob(null, reference.Url, reference.Length, reference.Sha256.ToLowerInvariant());
        byte[] bytes;
        try { bytes = Convert.FromBase64String(reference.Inline); }
        catch (FormatException) { throw new FormatException($"{name}: inline is not base64"); }
        if (bytes.Length > options.PeerApi.MaxInlineBytes)
            throw new FormatException($"{name}: {bytes.Length} bytes inline, more than {options.PeerApi.MaxInlineBytes}; send it by reference");
        using var ms = new MemoryStream(bytes);
        var written = await store.WriteAsync(name, ms, ct);
        if (written.Length != reference.Length || !string.Equals(written.Sha256Hex, reference.Sha256, StringComparison.OrdinalIgnoreCase))
            throw new FormatException($"{name}: the inline bytes do not match the announced length and sha256");
        return new FetchableBlob(name, null, written.Length, written.Sha256Hex);
    }

    private static async Task<IResult> Handle(Func<Task<PeerEnvelope>> run)
    {
        try
        {
            return Results.Json(await run(), PeerJson.Options);
        }
        catch (PeerAuthenticationException e)
        {
            return Results.Problem(statusCode: 401, title: "peer message not authenticated", detail: e.Message);
        }
        catch (UnknownAgreementException e)
        {
            return Results.Problem(statusCode: 404, title: "unknown agreement", detail: e.Message);
        }
        catch (InstanceNotFoundException e)
        {
            return Results.Problem(statusCode: 404, title: "unknown agreement", detail: $"the delegation {e.InstanceId} no longer exists on this node");
        }
        catch (PeerMessageInProgressException e)
        {
            return Results.Problem(statusCode: 409, title: "message in progress", detail: e.Message);
        }
        catch (FormatException e)
        {
            return Results.Problem(statusCode: 400, title: "bad peer message", detail: e.Message);
        }
    }
}

/// <summary>A peer named an agreement this node does not take part in (in that role).</summary>
public sealed class UnknownAgreementException(string agreementId) : Exception($"no agreement {agreementId} on this node");

/// <summary>GET /api/agreements/{id}: this node's view of an agreement.</summary>
public sealed record AgreementView(string AgreementId, string Role, string InstanceId, string PeerUrl, string PeerIdentity,
    System.Text.Json.JsonElement Terms, string? RuntimeStatus, StepStatus? Step, DelegationOutcome? Outcome);
