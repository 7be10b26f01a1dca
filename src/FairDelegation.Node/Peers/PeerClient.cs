using System.Net.Http.Json;
using FairDelegation.Chain.Crypto;

namespace FairDelegation.Node.Peers;

/// <summary>A peer call failed: refused (4xx with a reason), unreachable, or answered by the wrong party.</summary>
public sealed class PeerCallException(string message, bool refused) : Exception(message)
{
    /// <summary>True when the peer answered and refused (retrying the same message will not help).</summary>
    public bool Refused { get; } = refused;
}

/// <summary>
/// The sending side of peer messaging: signs each message with the node identity, posts it, and checks that the reply
/// is signed by the expected peer and bound to the same agreement.
/// </summary>
public sealed class PeerClient(HttpClient http, NodeIdentity identity, TimeProvider time)
{
    /// <summary>The identity a peer node announces (GET /api/peer/identity); pinned by the caller.</summary>
    public async Task<EthereumAddress> GetIdentityAsync(string peerUrl, CancellationToken ct)
    {
        try
        {
            var doc = await http.GetFromJsonAsync<IdentityDocument>(Combine(peerUrl, "api/peer/identity"), PeerJson.Options, ct)
                ?? throw new PeerCallException($"{peerUrl} returned no identity", refused: false);
            return EthereumAddress.Parse(doc.Address);
        }
        catch (Exception e) when (e is HttpRequestException or FormatException or System.Text.Json.JsonException)
        {
            throw new PeerCallException($"cannot read the identity of {peerUrl}: {e.Message}", refused: false);
        }
    }

    /// <summary>
    /// Sends one message and returns the reply body. <paramref name="messageId"/> should be stable across retries of
    /// the same logical send (derived from the activity's idempotency key), so a resend is recognised as a duplicate.
    /// </summary>
    public async Task<string> SendAsync(string peerUrl, string route, EthereumAddress peer, string kind, string agreementId,
        string messageId, string body, CancellationToken ct)
    {
        var envelope = PeerEnvelope.Create(identity, kind, agreementId, peer.ToLowerHex(), body, time.GetUtcNow(), messageId);
        HttpResponseMessage response;
        try
        {
            response = await http.PostAsJsonAsync(Combine(peerUrl, route), envelope, PeerJson.Options, ct);
        }
        catch (HttpRequestException e)
        {
            throw new PeerCallException($"{peerUrl} is unreachable: {e.Message}", refused: false);
        }
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode)
            {
                var refused = (int)response.StatusCode is >= 400 and < 500 and not 408 and not 409 and not 429;
                throw new PeerCallException($"{peerUrl} answered {(int)response.StatusCode} to {kind}: {Reason(text)}", refused);
            }
            var reply = PeerJson.Deserialize<PeerEnvelope>(text, $"reply of {peerUrl} to {kind}");
            EthereumAddress signer;
            try { signer = reply.VerifySender(); }
            catch (PeerAuthenticationException e) { throw new PeerCallException($"reply of {peerUrl}: {e.Message}", refused: false); }
            if (signer != peer) throw new PeerCallException($"reply to {kind} was signed by {signer}, expected {peer}", refused: false);
            if (reply.Kind != kind + "-reply" || !string.Equals(reply.AgreementId, agreementId, StringComparison.OrdinalIgnoreCase)
                || !string.Equals(reply.To, identity.Address.ToLowerHex(), StringComparison.OrdinalIgnoreCase))
                throw new PeerCallException($"reply of {peerUrl} to {kind} is not bound to this message", refused: false);
            return reply.Body;
        }
    }

    /// <summary>
    /// The peer's view of an agreement (GET /api/agreements/{id}, its JSON), asked as the agreement's pinned peer: a
    /// signed agreement-read envelope in the X-Peer-Envelope header proves who asks.
    /// </summary>
    public async Task<string> GetAgreementAsync(string peerUrl, EthereumAddress peer, string agreementId, CancellationToken ct)
    {
        var envelope = PeerEnvelope.Create(identity, PeerKinds.AgreementRead, agreementId, peer.ToLowerHex(), "", time.GetUtcNow());
        using var request = new HttpRequestMessage(HttpMethod.Get, Combine(peerUrl, $"api/agreements/{Uri.EscapeDataString(agreementId)}"));
        request.Headers.Add(PeerKinds.PeerEnvelopeHeader, Convert.ToBase64String(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(envelope, PeerJson.Options)));
        try
        {
            using var response = await http.SendAsync(request, ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode)
                throw new PeerCallException($"{peerUrl} answered {(int)response.StatusCode} to {PeerKinds.AgreementRead}: {Reason(text)}",
                    refused: (int)response.StatusCode is >= 400 and < 500);
            return text;
        }
        catch (HttpRequestException e)
        {
            throw new PeerCallException($"{peerUrl} is unreachable: {e.Message}", refused: false);
        }
    }

    private static string Reason(string problemJson)
    {
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(problemJson);
            if (doc.RootElement.TryGetProperty("detail", out var d) && d.ValueKind == System.Text.Json.JsonValueKind.String) return d.GetString()!;
            if (doc.RootElement.TryGetProperty("title", out var t) && t.ValueKind == System.Text.Json.JsonValueKind.String) return t.GetString()!;
        }
        catch (System.Text.Json.JsonException) { }
        return problemJson.Length > 300 ? problemJson[..300] : problemJson;
    }

    internal static string Combine(string baseUrl, string route) => baseUrl.TrimEnd('/') + "/" + route.TrimStart('/');
}

/// <summary>What GET /api/peer/identity answers.</summary>
public sealed record IdentityDocument(string Address, string Role, string Name);
