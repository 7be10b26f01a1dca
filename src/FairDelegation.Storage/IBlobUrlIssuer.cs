namespace FairDelegation.Storage;

/// <summary>
/// A store that can hand out a URL from which anyone holding it can GET one blob, read-only, until it expires
/// (Azure: a service SAS). The file store cannot; the node serves those blobs over its own HTTP API instead.
/// </summary>
public interface IBlobUrlIssuer
{
    /// <summary>Whether this instance can issue URLs (an Azure store signed by a token credential cannot).</summary>
    bool CanIssueReadUrls { get; }

    /// <summary>A read-only URL for <paramref name="name"/>, valid from <paramref name="startsOn"/> (default: now minus clock-skew allowance) until <paramref name="expiresOn"/>.</summary>
    Uri IssueReadUrl(string name, DateTimeOffset expiresOn, DateTimeOffset? startsOn = null);
}

/// <summary>Calls on any <see cref="IBlobStore"/> that work out whether it can issue URLs.</summary>
public static class BlobUrlIssuerExtensions
{
    /// <summary>A read-only URL for the blob valid for <paramref name="validFor"/>, or null when the store cannot issue one.</summary>
    public static Uri? TryIssueReadUrl(this IBlobStore store, string name, TimeSpan validFor) =>
        store is IBlobUrlIssuer { CanIssueReadUrls: true } issuer
            ? issuer.IssueReadUrl(name, DateTimeOffset.UtcNow + validFor)
            : null;
}
