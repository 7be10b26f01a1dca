using System.Net.Http.Json;
using System.Text;
using FairDelegation.Node.Peers;
using FairDelegation.Protocol.Keys;
using FairDelegation.Protocol.Stamps;

namespace FairDelegation.Node.Tests.EndToEnd;

/// <summary>Flips one byte of every body it downloads: w' tampered with on the way (or at rest at the provider).</summary>
public sealed class TamperingHandler : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var response = await base.SendAsync(request, ct);
        var bytes = await response.Content.ReadAsByteArrayAsync(ct);
        if (bytes.Length > 200) bytes[200] ^= 0x01;
        var tampered = new ByteArrayContent(bytes);
        foreach (var h in response.Content.Headers) tampered.Headers.TryAddWithoutValidation(h.Key, h.Value);
        response.Content = tampered;
        return response;
    }
}

/// <summary>Never answers a download: a customer that walks away after the delivery and never opens the escrow.</summary>
public sealed class HangingHandler : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        await Task.Delay(Timeout.Infinite, ct);
        throw new OperationCanceledException();
    }
}

/// <summary>
/// A dishonest provider: replaces the stamp of its delivery with one signed by a key of its own (not pk_c), and signs
/// the message properly with its identity, so only the stamp check can catch it.
/// </summary>
public sealed class StampForgingHandler(NodeIdentity identity) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var envelope = request.Content is null ? null : await request.Content.ReadFromJsonAsync<PeerEnvelope>(PeerJson.Options, ct);
        if (envelope?.Kind == PeerKinds.WorkDelivered)
        {
            var body = PeerJson.Deserialize<WorkDeliveredMessage>(envelope.Body, "delivery");
            var real = Stamp.FromJson(body.Stamp);
            using var forger = DisposableKeyPair.Generate();
            var td = Stamp.TypedData(31337, FairDelegation.Chain.Crypto.EthereumAddress.Zero, real.AgreementId, real.WorkHash, real.WorkKey, real.Wage);
            var forged = real with { Signature = forger.Sign(td.Digest()) };
            var newBody = PeerJson.Serialize(body with { Stamp = forged.ToJson() });
            var resigned = PeerEnvelope.Create(identity, envelope.Kind, envelope.AgreementId, envelope.To, newBody, DateTimeOffset.UtcNow, envelope.MessageId);
            request.Content = new StringContent(PeerJson.Serialize(resigned), Encoding.UTF8, "application/json");
        }
        return await base.SendAsync(request, ct);
    }
}

/// <summary>
/// Downloads in full, then waits before handing the bytes over: a customer slow to check the delivery and open the
/// escrow (the provider may be gone by then; the bytes are already here).
/// </summary>
public sealed class DelayingHandler(TimeSpan delay, TaskCompletionSource? fetched = null) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var response = await base.SendAsync(request, ct);
        await response.Content.LoadIntoBufferAsync(ct);
        fetched?.TrySetResult(); // the test may now stop the server: the body is in hand
        await Task.Delay(delay, ct);
        return response;
    }
}

/// <summary>Holds the first download until <paramref name="gate"/> completes (signalling <paramref name="reached"/>); later ones pass.</summary>
public sealed class GatedHandler(Task gate, TaskCompletionSource reached) : DelegatingHandler
{
    private int _calls;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        if (Interlocked.Increment(ref _calls) == 1)
        {
            reached.TrySetResult();
            await gate.WaitAsync(ct);
        }
        return await base.SendAsync(request, ct);
    }
}
