using Azure.Core;
using Azure.Storage.Blobs;

namespace FairDelegation.Storage.Azure;

/// <summary>
/// The SDK's <see cref="BlobClientOptions"/> (Retry, Diagnostics, Transport, service version) plus our transfer settings.
/// Retries are exponential and long enough for a write or read to ride out a 30-second outage of the service; the
/// network timeout is raised because it also bounds sending a large single-shot upload.
/// </summary>
public sealed class AzureBlobClientOptions : BlobClientOptions
{
    /// <summary>
    /// The newest service version Azurite (node_modules/azurite 3.37) accepts; the SDK's default is newer and Azurite
    /// refuses it unless started with --skipApiVersionCheck.
    /// </summary>
    public const ServiceVersion PinnedVersion = ServiceVersion.V2026_06_06;

    public AzureBlobClientOptions() : base(PinnedVersion)
    {
        // 0.5, 1, 2, 4, 8, 8, ... s (the SDK adds ±20 % jitter): ten retries wait ~55 s in all, so a request that meets a
        // 5 s or 30 s outage of the service succeeds once it is back.
        Retry.Mode = RetryMode.Exponential;
        Retry.MaxRetries = 10;
        Retry.Delay = TimeSpan.FromMilliseconds(500);
        Retry.MaxDelay = TimeSpan.FromSeconds(8);
        // Azure.Core's default (100 s) covers the whole send of a request body: a 1 GiB single Put Blob to a slow link
        // would be cancelled and sent again. Raised; a dead connection still fails through TCP.
        Retry.NetworkTimeout = TimeSpan.FromMinutes(10);
        Diagnostics.IsDistributedTracingEnabled = false;
        Diagnostics.IsLoggingEnabled = false;
        Diagnostics.ApplicationId = "fairdelegation";
    }

    /// <summary>
    /// Known-length writes below this go as one Put Blob of a buffer with Content-MD5 and the SHA-256 metadata (no staging
    /// blob, no copy). Default 4 MiB.
    /// </summary>
    public int BlockSize { get; set; } = 4 << 20;

    /// <summary>Blocks in flight at once when a write of unknown length is staged as blocks. Default 4.</summary>
    public int MaxConcurrency { get; set; } = 4;

    /// <summary>
    /// Known-length writes of at least <see cref="BlockSize"/>: one single-shot Put Blob to a staging blob then a copy onto
    /// the name (true), or the SDK's block upload to the staging blob (false). Default true.
    /// </summary>
    public bool StagedUpload { get; set; } = true;

    /// <summary>Send Content-MD5 with small blobs so the service verifies them on arrival. Default true.</summary>
    public bool TransactionalMd5 { get; set; } = true;

    /// <summary>Blobs listed per List Blobs page (the service caps it at 5000).</summary>
    public int ListPageSize { get; set; } = 1000;

    internal void Validate()
    {
        if (BlockSize is < 1024 or > 100 << 20) throw new ArgumentOutOfRangeException(nameof(BlockSize), BlockSize, "block size must be between 1 KiB and 100 MiB");
        if (MaxConcurrency is < 1 or > 64) throw new ArgumentOutOfRangeException(nameof(MaxConcurrency), MaxConcurrency, "concurrency must be between 1 and 64");
        if (ListPageSize is < 1 or > 5000) throw new ArgumentOutOfRangeException(nameof(ListPageSize), ListPageSize, "list page size must be between 1 and 5000");
    }
}
