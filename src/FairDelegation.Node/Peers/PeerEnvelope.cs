using System.Globalization;
using System.Text;
using FairDelegation.Chain.Crypto;

namespace FairDelegation.Node.Peers;

/// <summary>
/// One authenticated message between nodes. The body is the exact JSON text that was signed; the signature covers
/// keccak256 of a canonical, length-prefixed encoding of every other field plus keccak256(body), so nothing can be
/// changed, moved to another agreement, replayed to another node or re-dated without breaking it.
/// </summary>
public sealed record PeerEnvelope
{
    /// <summary>The message's kind: quote-request, quote, delegation-request, work-delivered, ack.</summary>
    public required string Kind { get; init; }

    /// <summary>The agreement the message belongs to (0x + 64 hex). A quote request carries its proposal id here.</summary>
    public required string AgreementId { get; init; }

    /// <summary>Unique per message; a message id seen before is answered from the stored reply and changes nothing.</summary>
    public required string MessageId { get; init; }

    /// <summary>Sender's clock, Unix milliseconds; messages outside the allowed skew are refused.</summary>
    public required long Timestamp { get; init; }

    /// <summary>The sender's identity address.</summary>
    public required string From { get; init; }

    /// <summary>The intended recipient's identity address (empty when the sender does not know it yet).</summary>
    public required string To { get; init; }

    /// <summary>The message body: JSON text, signed as is.</summary>
    public required string Body { get; init; }

    /// <summary>65-byte r || s || v, 0x-hex.</summary>
    public string Signature { get; init; } = "";

    /// <summary>keccak256 of the canonical encoding of everything but the signature.</summary>
    public byte[] SigningDigest()
    {
        var parts = new[]
        {
            "fairdelegation-peer-message-v1", Kind, AgreementId.ToLowerInvariant(), MessageId,
            Timestamp.ToString(CultureInfo.InvariantCulture), From.ToLowerInvariant(), To.ToLowerInvariant(),
            Hex.Encode(Keccak256.Hash(Encoding.UTF8.GetBytes(Body))),
        };
        var sb = new StringBuilder();
        // Length prefixes make the encoding injective: no two field lists share one byte string.
        foreach (var p in parts) sb.Append(p.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(p).Append('\n');
        return Keccak256.Hash(Encoding.UTF8.GetBytes(sb.ToString()));
    }

    /// <summary>Signs with the node identity (From is set to its address).</summary>
    public static PeerEnvelope Create(NodeIdentity identity, string kind, string agreementId, string to, string body, DateTimeOffset now, string? messageId = null)
    {
        var unsigned = new PeerEnvelope
        {
            Kind = kind,
            AgreementId = agreementId,
            MessageId = messageId ?? Guid.NewGuid().ToString("N"),
            Timestamp = now.ToUnixTimeMilliseconds(),
            From = identity.Address.ToLowerHex(),
            To = to,
            Body = body,
        };
        return unsigned with { Signature = identity.Sign(unsigned.SigningDigest()).ToHex() };
    }

    /// <summary>
    /// The address that signed this envelope, checked against From. Throws <see cref="PeerAuthenticationException"/>
    /// when the signature is malformed or belongs to someone else.
    /// </summary>
    public EthereumAddress VerifySender()
    {
        EthereumAddress claimed;
        EcdsaSignature signature;
        try
        {
            claimed = EthereumAddress.Parse(From);
            signature = EcdsaSignature.FromHex(Signature);
        }
        catch (FormatException e)
        {
            throw new PeerAuthenticationException($"malformed sender or signature: {e.Message}");
        }
        byte[] publicKey;
        try { publicKey = Secp256k1.RecoverPublicKey(SigningDigest(), signature); }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException)
        {
            throw new PeerAuthenticationException("the signature does not verify");
        }
        var signer = EthereumAddress.FromPublicKey(publicKey);
        if (signer != claimed) throw new PeerAuthenticationException($"the message claims to come from {claimed} but was signed by {signer}");
        return signer;
    }
}

/// <summary>A peer message whose signature, sender, recipient or timestamp is not acceptable.</summary>
public sealed class PeerAuthenticationException(string message) : Exception(message);
