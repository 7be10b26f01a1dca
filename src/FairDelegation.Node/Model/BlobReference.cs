namespace FairDelegation.Node.Model;

/// <summary>
/// Bytes handed to a peer: either inline (small inputs) or a URL it fetches (a node share or a SAS URL), always
/// with the length and SHA-256 the receiver checks after fetching.
/// </summary>
public sealed record BlobReference
{
    /// <summary>Where to GET the bytes (absent when inline).</summary>
    public string? Url { get; init; }

    /// <summary>The bytes themselves, base64 (absent when by URL).</summary>
    public string? Inline { get; init; }

    public required long Length { get; init; }

    /// <summary>SHA-256 of the bytes, lower-case hex.</summary>
    public required string Sha256 { get; init; }

    /// <summary>A clear error when the reference is neither inline nor a URL, or both.</summary>
    public void Validate(string what)
    {
        if ((Url is null) == (Inline is null)) throw new FormatException($"{what}: give exactly one of url and inline");
        if (Length < 0) throw new FormatException($"{what}: length must not be negative");
        if (Sha256 is null || Sha256.Length != 64 || !Sha256.All(Uri.IsHexDigit)) throw new FormatException($"{what}: sha256 must be 64 hex digits");
        if (Url is not null && (!Uri.TryCreate(Url, UriKind.Absolute, out var u) || (u.Scheme != "http" && u.Scheme != "https")))
            throw new FormatException($"{what}: url must be an absolute http(s) URL");
    }
}
