using Azure.Core;

namespace FairDelegation.Storage.Azure;

/// <summary>
/// Pipeline and transfer settings of <see cref="AzureBlobStore"/>. Being Azure.Core <see cref="ClientOptions"/>,
/// it also carries Retry (count, delay, mode, network timeout), Diagnostics (logging) and Transport.
/// </summary>
public sealed class AzureBlobClientOptions : ClientOptions
{
    public AzureBlobClientOptions()
    {
        Retry.MaxRetries = 3;
        Retry.Delay = TimeSpan.FromMilliseconds(200);
        Retry.MaxDelay = TimeSpan.FromSeconds(5);
        Diagnostics.IsDistributedTracingEnabled = false;
        Diagnostics.ApplicationId = "fairdelegation";
    }

    /// <summary>Bytes per Put Block (and the most a single Put Blob carries). Default 4 MiB.</summary>
    public int BlockSize { get; set; } = 4 << 20;

    /// <summary>Put Block requests in flight at once; the upload holds at most this many block buffers. Default 4.</summary>
    public int MaxConcurrency { get; set; } = 4;

    /// <summary>
    /// Ranged GETs of BlockSize fetched ahead in parallel when reading (pinned to one version by If-Match). Default 1:
    /// one streamed GET, which measured faster against Azurite; raise it for high-latency links to real Azure.
    /// </summary>
    public int DownloadConcurrency { get; set; } = 1;

    /// <summary>
    /// Known-length writes (a seekable stream, or a length passed to WriteAsync) of at least BlockSize go as one streamed
    /// Put Blob to a staging blob, then one Copy Blob onto the name with the SHA-256 metadata. Default true. Off: blocks.
    /// </summary>
    public bool StagedUpload { get; set; } = true;

    /// <summary>Send Content-MD5 with every block (and small Put Blob) so the service verifies each one on arrival. Default true.</summary>
    public bool TransactionalMd5 { get; set; } = true;

    /// <summary>
    /// On a staged (streamed) upload, also compute the MD5 of the body while sending it and compare it with the MD5 the
    /// service computed of what it stored, before the blob is published. Default false: it costs ~1.5 CPU-seconds per GiB
    /// and the body cannot carry a Content-MD5 up front anyway (its integrity on the wire is TCP's, or TLS's on https).
    /// </summary>
    public bool VerifyStreamedUploadMd5 { get; set; }

    /// <summary>Blobs listed per List Blobs page (the service caps it at 5000).</summary>
    public int ListPageSize { get; set; } = 1000;

    /// <summary>The x-ms-version spoken.</summary>
    public string ApiVersion { get; set; } = StorageVersionPolicy.DefaultVersion;

    internal void Validate()
    {
        if (BlockSize is < 1024 or > 100 << 20) throw new ArgumentOutOfRangeException(nameof(BlockSize), BlockSize, "block size must be between 1 KiB and 100 MiB");
        if (MaxConcurrency is < 1 or > 64) throw new ArgumentOutOfRangeException(nameof(MaxConcurrency), MaxConcurrency, "concurrency must be between 1 and 64");
        if (DownloadConcurrency is < 1 or > 64) throw new ArgumentOutOfRangeException(nameof(DownloadConcurrency), DownloadConcurrency, "download concurrency must be between 1 and 64");
        if (ListPageSize is < 1 or > 5000) throw new ArgumentOutOfRangeException(nameof(ListPageSize), ListPageSize, "list page size must be between 1 and 5000");
    }
}
