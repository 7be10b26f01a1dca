using System.Globalization;

namespace FairDelegation.Storage.Azure;

/// <summary>
/// Read-only service SAS for one blob (sr=b, sp=r), signed with the account key per the service SAS rules for
/// signed versions 2020-12-06 and later. The result is a plain URL: a peer fetches it with any HTTP client.
/// </summary>
public static class BlobServiceSas
{
    /// <summary>
    /// The blob's URL with a read-only SAS appended. <paramref name="blobUri"/> is the blob's URL without a query;
    /// <paramref name="containerName"/> and <paramref name="blobName"/> are the unencoded names.
    /// </summary>
    public static Uri CreateReadUri(Uri blobUri, StorageSharedKeyCredential credential, string containerName, string blobName,
        DateTimeOffset expiresOn, DateTimeOffset? startsOn = null, string version = StorageVersionPolicy.DefaultVersion)
    {
        ArgumentNullException.ThrowIfNull(blobUri);
        ArgumentNullException.ThrowIfNull(credential);
        if (startsOn is { } s && s >= expiresOn) throw new ArgumentException("a SAS must start before it expires", nameof(startsOn));
        var start = startsOn is null ? "" : Format(startsOn.Value);
        var expiry = Format(expiresOn);
        // HTTPS-only unless the endpoint itself is plain HTTP (the emulator).
        var protocol = blobUri.Scheme == Uri.UriSchemeHttps ? "https" : "https,http";
        const string permissions = "r", resource = "b";
        var stringToSign = string.Join("\n",
            permissions,
            start,
            expiry,
            $"/blob/{credential.AccountName}/{containerName}/{blobName}",
            "", // signed identifier (stored access policy): none
            "", // signed IP range: any
            protocol,
            version,
            resource,
            "", // snapshot time
            "", // encryption scope
            "", "", "", "", ""); // rscc, rscd, rsce, rscl, rsct: no response header overrides
        var signature = credential.Sign(stringToSign);
        var query = new List<string> { $"sv={version}" };
        if (start.Length > 0) query.Add($"st={Uri.EscapeDataString(start)}");
        query.Add($"se={Uri.EscapeDataString(expiry)}");
        query.Add($"sr={resource}");
        query.Add($"sp={permissions}");
        query.Add($"spr={Uri.EscapeDataString(protocol)}");
        query.Add($"sig={Uri.EscapeDataString(signature)}");
        var builder = new UriBuilder(blobUri) { Query = string.Join("&", query) };
        return builder.Uri;
    }

    private static string Format(DateTimeOffset t) =>
        t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
