namespace FairDelegation.Node.Model;

/// <summary>A blob in this node's own store, with the length and SHA-256 (hex) recorded when it was written.</summary>
public sealed record StoredBlob(string Name, long Length, string Sha256);

/// <summary>The answer to a peer message or a check: accepted, or refused with a reason.</summary>
public sealed record PeerResult(bool Accepted, string? Reason = null)
{
    public static PeerResult Ok { get; } = new(true);
    public static PeerResult Refuse(string reason) => new(false, reason);
}
