using System.Security.Cryptography;
using System.Text;

namespace FairDelegation.Node.Model;

/// <summary>
/// Identifiers derived from an activity's idempotency key, so a step that runs again after a crash sends the same
/// message id (the peer answers from its stored reply) and makes the same key id.
/// </summary>
public static class MessageIds
{
    /// <summary>32 hex digits, stable for (idempotency key, purpose).</summary>
    public static string For(string idempotencyKey, string purpose) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(idempotencyKey + "|" + purpose)))[..32];

    /// <summary>0x + 64 hex digits, stable for (idempotency key, purpose).</summary>
    public static string Bytes32For(string idempotencyKey, string purpose) =>
        "0x" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(idempotencyKey + "|" + purpose)));
}
