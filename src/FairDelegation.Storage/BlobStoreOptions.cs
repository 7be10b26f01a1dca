namespace FairDelegation.Storage;

/// <summary>Which store keeps the encrypted work.</summary>
public enum BlobStoreKind
{
    /// <summary>A local directory (the embedded default).</summary>
    FileSystem,

    /// <summary>An Azure Blob container (or Azurite).</summary>
    AzureBlob,
}

/// <summary>
/// Blob store configuration, bound from the "Blobs" section (appsettings.json, or environment variables such as
/// Blobs__Kind=AzureBlob, Blobs__ConnectionString=UseDevelopmentStorage=true, Blobs__Container=work).
/// </summary>
public sealed class BlobStoreOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Blobs";

    public BlobStoreKind Kind { get; set; } = BlobStoreKind.FileSystem;

    /// <summary>FileSystem: the root directory (created if missing).</summary>
    public string? Path { get; set; }

    /// <summary>AzureBlob: a storage connection string with an AccountKey, or UseDevelopmentStorage=true.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>AzureBlob without a connection string: the blob endpoint (https://account.blob.core.windows.net), authenticated by a TokenCredential (Azure.Identity).</summary>
    public string? ServiceUri { get; set; }

    /// <summary>AzureBlob: the container (created on first write).</summary>
    public string Container { get; set; } = "work";

    /// <summary>AzureBlob: bytes per block of a parallel upload.</summary>
    public int BlockSize { get; set; } = 4 << 20;

    /// <summary>AzureBlob: blocks uploaded at once (bounds memory to about BlockSize x this).</summary>
    public int MaxConcurrency { get; set; } = 4;

    /// <summary>
    /// AzureBlob: known-length writes (seekable streams, or a declared length) of at least BlockSize go as one streamed
    /// Put Blob to a staging blob plus a Copy Blob (true), or as blocks like unknown-length ones (false).
    /// </summary>
    public bool StagedUpload { get; set; } = true;

    /// <summary>AzureBlob: retries per request on transient failures.</summary>
    public int MaxRetries { get; set; } = 10;

    /// <summary>AzureBlob: the per-read network timeout.</summary>
    public TimeSpan NetworkTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Every setting that cannot work, in one message; empty when the options are usable.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        switch (Kind)
        {
            case BlobStoreKind.FileSystem:
                if (string.IsNullOrWhiteSpace(Path)) problems.Add($"{SectionName}:Path is required for Kind=FileSystem");
                break;
            case BlobStoreKind.AzureBlob:
                if (string.IsNullOrWhiteSpace(ConnectionString) == string.IsNullOrWhiteSpace(ServiceUri))
                    problems.Add($"{SectionName}: Kind=AzureBlob needs exactly one of ConnectionString or ServiceUri");
                if (!string.IsNullOrWhiteSpace(ServiceUri) && !Uri.TryCreate(ServiceUri, UriKind.Absolute, out _))
                    problems.Add($"{SectionName}:ServiceUri '{ServiceUri}' is not an absolute URL");
                try { Azure.AzureBlobStore.ValidateContainerName(Container); }
                catch (ArgumentException e) { problems.Add($"{SectionName}:Container: {e.Message}"); }
                if (BlockSize is < 1024 or > 100 << 20) problems.Add($"{SectionName}:BlockSize must be between 1 KiB and 100 MiB");
                if (MaxConcurrency is < 1 or > 64) problems.Add($"{SectionName}:MaxConcurrency must be between 1 and 64");
                if (MaxRetries is < 0 or > 20) problems.Add($"{SectionName}:MaxRetries must be between 0 and 20");
                break;
            default:
                problems.Add($"{SectionName}:Kind must be FileSystem or AzureBlob");
                break;
        }
        return problems;
    }
}
