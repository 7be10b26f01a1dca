namespace FairDelegation.Storage;

/// <summary>What a write committed: the blob's name, its length and the SHA-256 of its bytes.</summary>
public sealed record BlobWriteResult(string Name, long Length, byte[] Sha256)
{
    /// <summary>The SHA-256 as lower-case hex.</summary>
    public string Sha256Hex => Convert.ToHexStringLower(Sha256);
}
