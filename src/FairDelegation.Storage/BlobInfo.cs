namespace FairDelegation.Storage;

/// <summary>A committed blob's properties. <see cref="Sha256"/> is what the store recorded at write time (null for a blob written by someone else).</summary>
public sealed record BlobInfo(string Name, long Length, byte[]? Sha256, DateTimeOffset CreatedOn)
{
    /// <summary>The SHA-256 as lower-case hex, or null.</summary>
    public string? Sha256Hex => Sha256 is null ? null : Convert.ToHexStringLower(Sha256);
}
