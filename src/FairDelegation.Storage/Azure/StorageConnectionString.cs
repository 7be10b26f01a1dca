namespace FairDelegation.Storage.Azure;

/// <summary>
/// A parsed Azure Storage connection string: the blob endpoint and, when it carries one, the account key.
/// Understands AccountName, AccountKey, BlobEndpoint, DefaultEndpointsProtocol, EndpointSuffix and
/// UseDevelopmentStorage=true (Azurite's devstoreaccount1 on http://127.0.0.1:10000/devstoreaccount1).
/// </summary>
public sealed record StorageConnectionString(Uri BlobEndpoint, string AccountName, StorageSharedKeyCredential? Credential)
{
    /// <summary>The blob endpoint Azurite listens on by default, account name in the path (path-style).</summary>
    public static readonly Uri DevelopmentBlobEndpoint = new("http://127.0.0.1:10000/devstoreaccount1");

    /// <summary>A connection string for Azurite's development account on an explicit blob endpoint (e.g. http://127.0.0.1:PORT/devstoreaccount1).</summary>
    public static string ForDevelopmentAccount(Uri blobEndpoint) =>
        $"DefaultEndpointsProtocol={blobEndpoint.Scheme};AccountName={StorageSharedKeyCredential.DevelopmentAccountName};" +
        $"AccountKey={StorageSharedKeyCredential.DevelopmentAccountKey};BlobEndpoint={blobEndpoint.AbsoluteUri.TrimEnd('/')};";

    /// <summary>Parses; every malformed or missing part is a <see cref="FormatException"/> naming it (never echoing the key).</summary>
    public static StorageConnectionString Parse(string connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString)) throw new FormatException("the storage connection string is empty");
        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0) throw new FormatException($"storage connection string: '{Redact(part)}' is not Key=Value");
            var key = part[..eq].Trim();
            if (!settings.TryAdd(key, part[(eq + 1)..].Trim()))
                throw new FormatException($"storage connection string: '{key}' appears twice");
        }

        if (settings.TryGetValue("UseDevelopmentStorage", out var dev))
        {
            if (!bool.TryParse(dev, out var useDev) || !useDev)
                throw new FormatException($"storage connection string: UseDevelopmentStorage must be 'true', not '{dev}'");
            var extra = settings.Keys.Where(k => !k.Equals("UseDevelopmentStorage", StringComparison.OrdinalIgnoreCase)
                                                 && !k.Equals("DevelopmentStorageProxyUri", StringComparison.OrdinalIgnoreCase)).ToList();
            if (extra.Count > 0)
                throw new FormatException($"storage connection string: UseDevelopmentStorage=true cannot be combined with {string.Join(", ", extra)}; " +
                                          "use an explicit AccountName/AccountKey/BlobEndpoint string for another port");
            return new StorageConnectionString(DevelopmentBlobEndpoint, StorageSharedKeyCredential.DevelopmentAccountName,
                new StorageSharedKeyCredential(StorageSharedKeyCredential.DevelopmentAccountName, StorageSharedKeyCredential.DevelopmentAccountKey));
        }

        settings.TryGetValue("AccountName", out var account);
        settings.TryGetValue("AccountKey", out var key2);
        Uri endpoint;
        if (settings.TryGetValue("BlobEndpoint", out var blobEndpoint))
        {
            if (!Uri.TryCreate(blobEndpoint, UriKind.Absolute, out endpoint!) || endpoint.Scheme is not ("http" or "https"))
                throw new FormatException($"storage connection string: BlobEndpoint '{blobEndpoint}' is not an absolute http(s) URL");
            account ??= AccountFromEndpoint(endpoint);
        }
        else
        {
            if (string.IsNullOrEmpty(account))
                throw new FormatException("storage connection string: needs AccountName (or BlobEndpoint, or UseDevelopmentStorage=true)");
            var protocol = settings.GetValueOrDefault("DefaultEndpointsProtocol", "https");
            if (protocol is not ("http" or "https"))
                throw new FormatException($"storage connection string: DefaultEndpointsProtocol must be http or https, not '{protocol}'");
            var suffix = settings.GetValueOrDefault("EndpointSuffix", "core.windows.net");
            endpoint = new Uri($"{protocol}://{account}.blob.{suffix}");
        }
        if (string.IsNullOrEmpty(account))
            throw new FormatException("storage connection string: needs AccountName (it cannot be inferred from the BlobEndpoint)");
        var credential = string.IsNullOrEmpty(key2) ? null : new StorageSharedKeyCredential(account, key2);
        return new StorageConnectionString(endpoint, account, credential);
    }

    /// <summary>account.blob.core.windows.net, or the first path segment of a path-style (emulator) URL.</summary>
    private static string? AccountFromEndpoint(Uri endpoint)
    {
        var segments = endpoint.AbsolutePath.Trim('/');
        if (segments.Length > 0) return segments.Split('/')[0];
        var host = endpoint.Host;
        var dot = host.IndexOf('.');
        return dot > 0 && host.Contains(".blob.", StringComparison.OrdinalIgnoreCase) ? host[..dot] : null;
    }

    private static string Redact(string part) =>
        part.StartsWith("AccountKey", StringComparison.OrdinalIgnoreCase) || part.StartsWith("SharedAccessSignature", StringComparison.OrdinalIgnoreCase)
            ? part[..Math.Min(part.Length, 10)] + "..." : part;
}
