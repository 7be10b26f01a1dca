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
            peer.MapPost("/quote", (HttpRequest request, PeerInbox inbox, Quote quote, DurableTaskClient durable, CancellationToken ct) =>
                    WithEnvelopeAsync(request, SmallMessageLimit, message => QuoteAsync(message, inbox, quote, durable, ct)))
                .Accepts<PeerEnvelope>("application/json").WithRequestSizeLimit(SmallMessageLimit);

            peer.MapPost("/request", (HttpRequest request, PeerInbox inbox, AgreementStore agreements, IBlobStore store,
                    DurableTaskClient durable, CancellationToken ct) =>
                    WithEnvelopeAsync(request, RequestMessageLimit(options), message => RequestAsync(message, inbox, agreements, store, durable, options, ct)))
                .Accepts<PeerEnvelope>("application/json").WithRequestSizeLimit(RequestMessageLimit(options));
        }
        else
        {
            peer.MapPost("/delivered", (HttpRequest request, PeerInbox inbox, AgreementStore agreements, DurableTaskClient durable, CancellationToken ct) =>
                    WithEnvelopeAsync(request, SmallMessageLimit, message => DeliveredAsync(message, inbox, agreements, durable, ct)))
                .Accepts<PeerEnvelope>("application/json").WithRequestSizeLimit(SmallMessageLimit);
        }

        app.MapGet("/api/agreements/{id}", (HttpRequest request, string id, AgreementStore agreements, DurableTaskClient durable, ApiKey apiKey,
                NodeIdentity identity, TimeProvider time, CancellationToken ct) =>
            AgreementAsync(request, id, agreements, durable, options, apiKey, identity, time, ct)).WithTags("agreements");

        return app;
    }

    /// <summary>The body limit of a quote request and of a work-delivered message.</summary>
    public const long SmallMessageLimit = 64 * 1024;

    /// <summary>The body limit of a delegation request: base64 of input and verifier, plus the envelope.</summary>
    public static long RequestMessageLimit(NodeOptions options) => options.PeerApi.MaxInlineBytes * 2 + 64 * 1024;

    // The handlers below are the routes' bodies, shared by every host (the node's minimal API, the Functions app).

    /// <summary>
    /// Reads the signed envelope of a peer POST within <paramref name="limit"/>, then runs <paramref name="handle"/>. A body
    /// that is not an envelope (malformed JSON, a missing field, the wrong media type) answers 400/415 ProblemDetails naming
    /// the field and the reason, as every host does (the Functions app reads it the same way), not the framework's bare 400.
    /// </summary>
    public static async Task<IResult> WithEnvelopeAsync(HttpRequest request, long limit, Func<PeerEnvelope, Task<IResult>> handle)
    {
        var json = request.HttpContext.RequestServices.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        var (message, problem) = await ApiProblems.ReadJsonAsync<PeerEnvelope>(request, limit, json, request.HttpContext.RequestAborted);
        return problem ?? await handle(message!);
    }

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
                if (await EndedAsync(durable, record.InstanceId, ct) is { } ended) return PeerJson.Serialize(PeerResult.Refuse(ended));
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
                if (await EndedAsync(durable, record.InstanceId, ct) is { } ended) return PeerJson.Serialize(PeerResult.Refuse(ended));
                await durable.RaiseEventAsync(record.InstanceId, DelegationEvents.WorkDelivered, new WorkDeliveredEvent(body.Work, body.Stamp), ct);
                return PeerJson.Serialize(PeerResult.Ok);
            });
        });

    /// <summary>
    /// Why a message for <paramref name="instanceId"/> comes too late, or null while the delegation still runs. Raised into
    /// an orchestration that has ended, the event would be dropped and the peer would wait its whole timeout for an answer
    /// that cannot come (a counterparty silent past this node's own wait): it is refused at once, naming how it ended.
    /// </summary>
    private static async Task<string?> EndedAsync(DurableTaskClient durable, string instanceId, CancellationToken ct)
    {
        var meta = await durable.GetInstanceAsync(instanceId, getInputsAndOutputs: true, ct);
        if (meta is null || !meta.IsCompleted) return null;
        var outcome = meta.RuntimeStatus == OrchestrationRuntimeStatus.Completed ? meta.ReadOutputAs<DelegationOutcome>() : null;
        return $"this delegation already ended ({outcome?.Status.ToString() ?? meta.RuntimeStatus.ToString()}: {outcome?.Reason ?? meta.FailureDetails?.ErrorMessage})";
    }

    /// <summary>
    /// GET /api/agreements/{id}: this node's view of an agreement. It shows the terms and the delegation's state, which are
    /// the two parties' business: the caller presents the node's API key, or is the agreement's pinned peer and proves it
    /// with a signed envelope of kind agreement-read for this agreement, addressed to this node and dated within the clock
    /// skew, in the X-Peer-Envelope header (base64 of its JSON).
    /// </summary>
    public static async Task<IResult> AgreementAsync(HttpRequest request, string id, AgreementStore agreements, DurableTaskClient durable,
        NodeOptions options, ApiKey apiKey, NodeIdentity identity, TimeProvider time, CancellationToken ct)
    {
        var r = agreements.Find(id, options.Role);
        if (ApiKeyAuthentication.Presented(request) is not null || !request.Headers.ContainsKey(PeerKinds.PeerEnvelopeHeader))
        {
            if (ApiKeyAuthentication.Refuse(request, apiKey) is { } refused) return refused;
        }
        else
        {
            try
            {
                var signer = ReadRequestSigner(request.Headers[PeerKinds.PeerEnvelopeHeader].ToString(), id, identity, options, time);
                if (r is null || !string.Equals(signer.ToLowerHex(), r.PeerIdentity, StringComparison.OrdinalIgnoreCase))
                    throw new PeerAuthenticationException($"{signer} is not the peer of agreement {id} on this node");
            }
            catch (PeerAuthenticationException e)
            {
                return Results.Problem(statusCode: 401, title: "peer read not authenticated", detail: e.Message);
            }
        }
        if (r is null)
            return Results.Problem(statusCode: 404, title: "unknown agreement", detail: $"no agreement {id} on this {options.Role.ToString().ToLowerInvariant()} node");
        var meta = await durable.GetInstanceAsync(r.InstanceId, getInputsAndOutputs: true, ct);
        return Results.Ok(new AgreementView(r.AgreementId, r.Role.ToString().ToLowerInvariant(), r.InstanceId, r.PeerUrl, r.PeerIdentity,
            System.Text.Json.JsonDocument.Parse(r.TermsJson).RootElement.Clone(), meta?.RuntimeStatus.ToString(),
            meta?.ReadCustomStatusAs<StepStatus>(), meta?.IsCompleted == true ? meta.ReadOutputAs<DelegationOutcome>() : null));
    }

    /// <summary>The signer of an agreement-read envelope (header value: base64 of its JSON) for <paramref name="agreementId"/>, checked.</summary>
    private static EthereumAddress ReadRequestSigner(string header, string agreementId, NodeIdentity identity, NodeOptions options, TimeProvider time)
    {
        PeerEnvelope envelope;
        try
        {
            envelope = System.Text.Json.JsonSerializer.Deserialize<PeerEnvelope>(Convert.FromBase64String(header), PeerJson.Options)
                       ?? throw new FormatException("empty");
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException)
        {
            throw new PeerAuthenticationException($"the {PeerKinds.PeerEnvelopeHeader} header is not base64 of a peer envelope's JSON");
        }
        if (envelope.Kind != PeerKinds.AgreementRead) throw new PeerAuthenticationException($"expected a {PeerKinds.AgreementRead} envelope, got {envelope.Kind}");
        if (!string.Equals(envelope.AgreementId, agreementId, StringComparison.OrdinalIgnoreCase))
            throw new PeerAuthenticationException($"the envelope is for agreement {envelope.AgreementId}, not {agreementId}");
        var signer = envelope.VerifySender();
        if (!string.Equals(envelope.To, identity.Address.ToLowerHex(), StringComparison.OrdinalIgnoreCase))
            throw new PeerAuthenticationException($"the envelope is addressed to {envelope.To}, not to this node ({identity.Address})");
        var skew = options.Timeouts.MessageClockSkew;
        if ((time.GetUtcNow() - DateTimeOffset.FromUnixTimeMilliseconds(envelope.Timestamp)).Duration() > skew)
            throw new PeerAuthenticationException($"the envelope's timestamp is more than {skew} away from this node's clock");
        return signer;
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
