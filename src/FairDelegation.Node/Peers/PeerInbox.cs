using FairDelegation.Chain.Crypto;
using FairDelegation.Node.Configuration;
using FairDelegation.Node.Storage;
using Microsoft.Extensions.Options;

namespace FairDelegation.Node.Peers;

/// <summary>
/// The receiving side of peer messaging: checks the signature, the recipient, the clock and the expected sender,
/// then runs the handler once per message id. A replayed or duplicated message gets the stored reply and changes
/// nothing.
/// </summary>
public sealed class PeerInbox(NodeDatabase database, NodeIdentity identity, IOptions<NodeOptions> options, TimeProvider time)
{
    /// <summary>
    /// Authenticates <paramref name="message"/> and runs <paramref name="handle"/> (given the signer) at most once
    /// per message id; returns the signed reply. <paramref name="expectedSender"/> is the identity pinned for this
    /// agreement, or null when any signer may ask (a quote request).
    /// </summary>
    public async Task<PeerEnvelope> ReceiveAsync(PeerEnvelope message, string expectedKind, EthereumAddress? expectedSender,
        Func<EthereumAddress, Task<string>> handle)
    {
        if (message.Kind != expectedKind) throw new PeerAuthenticationException($"expected a {expectedKind} message, got {message.Kind}");
        var signer = message.VerifySender();
        if (!string.Equals(message.To, identity.Address.ToLowerHex(), StringComparison.OrdinalIgnoreCase))
            throw new PeerAuthenticationException($"the message is addressed to {message.To}, not to this node ({identity.Address})");
        var skew = options.Value.Timeouts.MessageClockSkew;
        var sent = DateTimeOffset.FromUnixTimeMilliseconds(message.Timestamp);
        if ((time.GetUtcNow() - sent).Duration() > skew)
            throw new PeerAuthenticationException($"the message's timestamp {sent:O} is more than {skew} away from this node's clock");
        if (expectedSender is not null && signer != expectedSender)
            throw new PeerAuthenticationException($"agreement {message.AgreementId} is with {expectedSender}, not {signer}");
        if (string.IsNullOrWhiteSpace(message.MessageId) || message.MessageId.Length > 100)
            throw new PeerAuthenticationException("the message id is missing or too long");

        // Claim the message id first: a concurrent duplicate sees the claim and does not run the handler again.
        using (var c = database.Open())
        {
            var inserted = NodeDatabase.Execute(c,
                "INSERT OR IGNORE INTO peer_messages (message_id, agreement_id, kind, sender, received_utc, response_json) VALUES ($m, $a, $k, $s, $u, NULL)",
                ("$m", message.MessageId), ("$a", message.AgreementId.ToLowerInvariant()), ("$k", message.Kind),
                ("$s", signer.ToLowerHex()), ("$u", time.GetUtcNow().ToString("O")));
            if (inserted == 0)
            {
                using var cmd = NodeDatabase.Command(c, "SELECT response_json, sender FROM peer_messages WHERE message_id = $m", ("$m", message.MessageId));
                using var r = cmd.ExecuteReader();
                r.Read();
                if (r.GetString(1) != signer.ToLowerHex())
                    throw new PeerAuthenticationException("message id already used by another sender");
                if (r.IsDBNull(0)) throw new PeerMessageInProgressException(message.MessageId);
                return System.Text.Json.JsonSerializer.Deserialize<PeerEnvelope>(r.GetString(0), PeerJson.Options)!;
            }
        }

        string replyBody;
        try
        {
            replyBody = await handle(signer);
        }
        catch
        {
            // Not processed: forget the claim so the sender may retry the same message.
            using var c = database.Open();
            NodeDatabase.Execute(c, "DELETE FROM peer_messages WHERE message_id = $m AND response_json IS NULL", ("$m", message.MessageId));
            throw;
        }
        var reply = PeerEnvelope.Create(identity, message.Kind + "-reply", message.AgreementId, signer.ToLowerHex(), replyBody, time.GetUtcNow());
        using (var c = database.Open())
        {
            NodeDatabase.Execute(c, "UPDATE peer_messages SET response_json = $r WHERE message_id = $m",
                ("$r", System.Text.Json.JsonSerializer.Serialize(reply, PeerJson.Options)), ("$m", message.MessageId));
        }
        return reply;
    }
}

/// <summary>The same message id is being processed right now; the sender should retry shortly.</summary>
public sealed class PeerMessageInProgressException(string messageId) : Exception($"message {messageId} is being processed; retry later");
