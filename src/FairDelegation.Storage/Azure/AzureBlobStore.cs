using System.Buffers;
using System.Net;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Azure;
using Azure.Core;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Azure.Storage.Sas;
using Microsoft.Extensions.Logging;

namespace FairDelegation.Storage.Azure;

/// <summary>
/// Encrypted work in one Azure Blob container, through Azure.Storage.Blobs (its pipeline signs with SharedKey or a
/// bearer token, retries, parses connection strings, builds SAS). What is ours: the publication rule and the hash.
/// Every write becomes visible in one step with its SHA-256 as metadata, so a reader never sees a partial blob:
/// a known-length write is one single-shot Put Blob to a reserved staging name (hashed as the SDK reads the source),
/// then a copy onto the name carrying the hash, then the staging blob is deleted; an unknown-length one is the SDK's
/// block upload to a staging name, then the same copy; a write shorter than one block is a single Put Blob of a
/// buffer with Content-MD5 and the hash. A whole-blob read checks the hash at its end.
/// </summary>
public sealed class AzureBlobStore : IBlobStore, IBlobUrlIssuer
{
    /// <summary>The metadata entry holding the SHA-256 (hex) computed at write time.</summary>
    public const string Sha256MetadataName = "sha256";

    /// <summary>The OAuth scope for Azure Storage data-plane bearer tokens.</summary>
    public const string StorageScope = "https://storage.azure.com/.default";

    /// <summary>The largest single Put Blob the service accepts (x-ms-version 2019-12-12 and later): 5000 MiB.</summary>
    public const long MaxPutBlobSize = 5000L << 20;

    private readonly BlobContainerClient _container;
    private readonly AzureBlobClientOptions _options;
    private readonly object _containerLock = new();
    private Task? _containerReady;

    /// <summary>A store signing with the account key (SharedKey); it can also issue SAS URLs.</summary>
    public AzureBlobStore(Uri blobEndpoint, string container, StorageSharedKeyCredential credential,
        AzureBlobClientOptions? options = null, ILogger? logger = null)
        : this(blobEndpoint, container, options, logger, (uri, o) => new BlobContainerClient(uri, credential, o))
    {
    }

    /// <summary>A store authenticating with bearer tokens (Azure.Identity, e.g. DefaultAzureCredential); HTTPS only, no SAS.</summary>
    public AzureBlobStore(Uri blobEndpoint, string container, TokenCredential credential,
        AzureBlobClientOptions? options = null, ILogger? logger = null)
        : this(blobEndpoint, container, options, logger,
            (uri, o) => new BlobContainerClient(uri, credential ?? throw new ArgumentNullException(nameof(credential)), o))
    {
    }

    private AzureBlobStore(Uri blobEndpoint, string container, AzureBlobClientOptions? options, ILogger? logger,
        Func<Uri, BlobClientOptions, BlobContainerClient> create)
    {
        ArgumentNullException.ThrowIfNull(blobEndpoint);
        if (!blobEndpoint.IsAbsoluteUri || blobEndpoint.Scheme is not ("http" or "https"))
            throw new ArgumentException($"blob endpoint '{blobEndpoint}' is not an absolute http(s) URL", nameof(blobEndpoint));
        ValidateContainerName(container);
        _options = options ?? new AzureBlobClientOptions();
        _options.Validate();
        if (logger is not null) _options.AddPolicy(new BlobRequestLoggingPolicy(logger), HttpPipelinePosition.PerRetry);
        Endpoint = blobEndpoint;
        _container = create(new Uri(blobEndpoint.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/" + container), _options);
        AccountName = _container.AccountName;
        ContainerName = container;
    }

    /// <summary>A store from a connection string (needs an AccountKey, or UseDevelopmentStorage=true), parsed by the SDK.</summary>
    public static AzureBlobStore FromConnectionString(string connectionString, string container,
        AzureBlobClientOptions? options = null, ILogger? logger = null)
    {
        ValidateContainerName(container);
        BlobServiceClient service;
        try { service = new BlobServiceClient(connectionString, new AzureBlobClientOptions()); }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
        {
            // The SDK's message never carries the key; ours names the setting.
            throw new FormatException($"the storage connection string is not valid: {e.Message}", e);
        }
        if (!service.CanGenerateAccountSasUri)
            throw new FormatException("storage connection string has no AccountKey; for token authentication configure Blobs:ServiceUri instead");
        return new AzureBlobStore(service.Uri, container, options, logger, (_, o) => new BlobContainerClient(connectionString, container, o));
    }

    /// <summary>Azurite's well-known development account (UseDevelopmentStorage=true).</summary>
    public const string DevelopmentAccountName = "devstoreaccount1";

    /// <summary>Azurite's well-known development key (public, not a secret).</summary>
    public const string DevelopmentAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    /// <summary>The blob service endpoint (for the emulator, including the account path segment).</summary>
    public Uri Endpoint { get; }

    public string AccountName { get; }

    public string ContainerName { get; }

    /// <summary>The URL of a blob (name validated).</summary>
    public Uri GetBlobUri(string name) => _container.GetBlobClient(BlobName.Validate(name)).Uri;

    // ---------------------------------------------------------------- container

    /// <summary>Creates the container if it does not exist (idempotent; done once before the first write).</summary>
    public Task EnsureContainerAsync(CancellationToken cancellationToken = default)
    {
        lock (_containerLock)
        {
            if (_containerReady is { IsFaulted: false, IsCanceled: false }) return _containerReady;
            return _containerReady = Guard("create container", ContainerName, () => _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken), cancellationToken);
        }
    }

    private void ForgetContainer()
    {
        lock (_containerLock) _containerReady = null;
    }

    // ---------------------------------------------------------------- write

    public Task<BlobWriteResult> WriteAsync(string name, Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        return SourceLength.Remaining(content) is { } length
            ? WriteAsync(name, content, length, cancellationToken)
            : WriteUnknownLengthAsync(name, content, cancellationToken);
    }

    public Task<BlobWriteResult> WriteAsync(string name, Stream content, long length, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        BlobName.Validate(name);
        if (length < _options.BlockSize) return WriteSmallAsync(name, content, length, cancellationToken);
        if (_options.StagedUpload && length <= MaxPutBlobSize) return WriteStagedAsync(name, content, length, cancellationToken);
        return WriteUnknownLengthAsync(name, new DeclaredLengthStream(content, length), cancellationToken);
    }

    /// <summary>
    /// Shorter than one block (most of a delegation's blobs: a few KiB): read into a buffer of its own size, hashed, and
    /// sent as ONE Put Blob with Content-MD5 and the sha256 metadata, which publishes data and hash in one step.
    /// </summary>
    private async Task<BlobWriteResult> WriteSmallAsync(string name, Stream content, long length, CancellationToken cancellationToken)
    {
        var count = (int)length;
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(count, 1));
        try
        {
            // Exactly the declared bytes, then the end of the source (a short or long source fails before anything is sent).
            var source = new DeclaredLengthStream(content, length);
            await source.ReadExactlyAsync(buffer.AsMemory(0, count), cancellationToken).ConfigureAwait(false);
            if (await source.ReadAsync(buffer.AsMemory(0, 1), cancellationToken).ConfigureAwait(false) != 0)
                throw new InvalidOperationException("unreachable: the declared-length source reads nothing after its length");
            var sha256 = SHA256.HashData(buffer.AsSpan(0, count));
            var options = new BlobUploadOptions
            {
                Metadata = Sha256Metadata(sha256),
                TransferValidation = new UploadTransferValidationOptions
                {
                    ChecksumAlgorithm = _options.TransactionalMd5 ? StorageChecksumAlgorithm.MD5 : StorageChecksumAlgorithm.None,
                },
            };
            var blob = _container.GetBlockBlobClient(name);
            await WriteWithContainerAsync("upload", name,
                () => blob.UploadAsync(new MemoryStream(buffer, 0, count, writable: false), options, cancellationToken), cancellationToken).ConfigureAwait(false);
            return new BlobWriteResult(name, length, sha256);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// A known-length write as ONE single-shot Put Blob of the source (hashed as the SDK reads it; a retry rewinds it) to
    /// a staging blob, then the copy that publishes it with its hash. Measured against Azurite: 0.95 of a raw Put Blob,
    /// where the SDK's block upload reaches about half (Azurite spends twice the CPU per byte on Put Block).
    /// </summary>
    private async Task<BlobWriteResult> WriteStagedAsync(string name, Stream content, long length, CancellationToken cancellationToken)
    {
        using var body = new HashingUploadStream(content, length);
        var staging = StagingBlob();
        var options = new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = "application/octet-stream" },
            // Single-shot: the SDK would otherwise cut anything above its 256 MiB threshold into Put Blocks, which
            // without Content-MD5 make Azurite checksum each block in JavaScript (measured 0.06 of a raw PUT).
            TransferOptions = new StorageTransferOptions
            {
                InitialTransferSize = MaxPutBlobSize, MaximumTransferSize = _options.BlockSize, MaximumConcurrency = 1,
            },
            TransferValidation = new UploadTransferValidationOptions { ChecksumAlgorithm = StorageChecksumAlgorithm.None },
        };
        try
        {
            try
            {
                await WriteWithContainerAsync("upload", name, () =>
                {
                    body.Position = 0; // a repeat after the container was recreated sends the source again (rewound, hash restarted)
                    return staging.UploadAsync(body, options, cancellationToken);
                }, cancellationToken, canRepeat: () => content.CanSeek && body.SourceError is null).ConfigureAwait(false);
            }
            catch (Exception) when (body.SourceError is not null)
            {
                // The source failed (or held the wrong length): its own error, not a network failure.
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(body.SourceError);
                throw;
            }
            return await PublishAsync(staging, name, body.Sha256, length, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await DeleteStagingAsync(staging).ConfigureAwait(false);
        }
    }

    /// <summary>Unknown length: the SDK's block upload (bounded buffers and parallelism) to a staging blob, hashed as read, then the copy.</summary>
    private async Task<BlobWriteResult> WriteUnknownLengthAsync(string name, Stream content, CancellationToken cancellationToken)
    {
        BlobName.Validate(name);
        var staging = StagingBlob();
        var hashing = new HashingReadStream(content);
        var options = new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = "application/octet-stream" },
            TransferOptions = new StorageTransferOptions
            {
                InitialTransferSize = _options.BlockSize, MaximumTransferSize = _options.BlockSize, MaximumConcurrency = _options.MaxConcurrency,
            },
            TransferValidation = new UploadTransferValidationOptions
            {
                ChecksumAlgorithm = _options.TransactionalMd5 ? StorageChecksumAlgorithm.MD5 : StorageChecksumAlgorithm.None,
            },
        };
        try
        {
            try
            {
                await WriteWithContainerAsync("upload", name,
                    () => _container.GetBlobClient(staging.Name).UploadAsync(hashing, options, cancellationToken), cancellationToken,
                    canRepeat: () => false).ConfigureAwait(false);
            }
            catch (Exception) when (hashing.SourceError is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(hashing.SourceError);
                throw;
            }
            return await PublishAsync(staging, name, hashing.Sha256(), hashing.Length, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await DeleteStagingAsync(staging).ConfigureAwait(false);
        }
    }

    private BlockBlobClient StagingBlob() =>
        _container.GetBlockBlobClient(BlobName.TempPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)));

    /// <summary>
    /// Copy Blob from the staging blob onto the name with the hash as its metadata, waited for: data and hash appear
    /// together (Azurite: a metadata-only insert sharing the staging blob's extent; Azure: a same-account server copy).
    /// </summary>
    private async Task<BlobWriteResult> PublishAsync(BlockBlobClient staging, string name, byte[] sha256, long length, CancellationToken cancellationToken)
    {
        var target = _container.GetBlobClient(name);
        var copy = await Guard("commit (Copy Blob)", name,
            () => target.StartCopyFromUriAsync(staging.Uri, new BlobCopyFromUriOptions { Metadata = Sha256Metadata(sha256) }, cancellationToken),
            cancellationToken).ConfigureAwait(false);
        await Guard("commit (Copy Blob status)", name, async () => await copy.WaitForCompletionAsync(cancellationToken).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);
        return new BlobWriteResult(name, length, sha256);
    }

    /// <summary>Removes a staging blob (after success or failure); a leftover is harmless: reserved names are never listed or readable.</summary>
    private static async Task DeleteStagingAsync(BlockBlobClient staging)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await staging.DeleteIfExistsAsync(cancellationToken: timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Best effort: the write's own outcome is what the caller needs to see.
        }
    }

    /// <summary>A write; if the container has vanished (deleted, or lost by a restarted emulator) it is recreated and the write repeated once.</summary>
    private async Task WriteWithContainerAsync<T>(string operation, string name, Func<Task<T>> write, CancellationToken cancellationToken,
        Func<bool>? canRepeat = null)
    {
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await Guard(operation, name, write, cancellationToken).ConfigureAwait(false);
        }
        catch (BlobNotFoundException e) when (e.ErrorCode == "ContainerNotFound")
        {
            ForgetContainer();
            if (canRepeat is not null && !canRepeat()) throw;
            await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
            await Guard(operation, name, write, cancellationToken).ConfigureAwait(false);
        }
    }

    private static Dictionary<string, string> Sha256Metadata(byte[] sha256) => new() { [Sha256MetadataName] = Convert.ToHexStringLower(sha256) };

    // ---------------------------------------------------------------- read

    public async Task<Stream> OpenReadAsync(string name, CancellationToken cancellationToken = default)
    {
        var result = await DownloadAsync(name, default, cancellationToken).ConfigureAwait(false);
        if (result is null) return new MemoryStream([], writable: false);
        // Checked at the end of the stream: the hash recorded with the blob (absent for a blob someone else wrote).
        return ParseSha(result.Details.Metadata.TryGetValue(Sha256MetadataName, out var sha) ? sha : null) is { } expected
            ? new VerifyingReadStream(result.Content, expected, name)
            : result.Content;
    }

    public async Task<Stream> OpenReadRangeAsync(string name, long offset, long length, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (offset == 0 && length == long.MaxValue) return await OpenReadAsync(name, cancellationToken).ConfigureAwait(false);
        if (length == 0)
        {
            await GetPropertiesAsync(name, cancellationToken).ConfigureAwait(false); // still a typed not-found for a missing blob
            return new MemoryStream([], writable: false);
        }
        var range = new HttpRange(offset, length > long.MaxValue - offset ? null : length);
        var result = await DownloadAsync(name, range, cancellationToken).ConfigureAwait(false);
        return result?.Content ?? new MemoryStream([], writable: false);
    }

    /// <summary>One streamed GET (the SDK resumes it from where it broke, pinned to the blob's ETag); null for a range past the end.</summary>
    private async Task<BlobDownloadStreamingResult?> DownloadAsync(string name, HttpRange range, CancellationToken cancellationToken)
    {
        var blob = _container.GetBlobClient(BlobName.Validate(name));
        try
        {
            return await Guard("download", name,
                async () => (await blob.DownloadStreamingAsync(new BlobDownloadOptions { Range = range }, cancellationToken).ConfigureAwait(false)).Value,
                cancellationToken).ConfigureAwait(false);
        }
        catch (BlobStoreException e) when (e.Status == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            // A range starting at or past the end: empty by this interface's contract (the blob exists).
            return null;
        }
    }

    public async Task<BlobInfo> GetPropertiesAsync(string name, CancellationToken cancellationToken = default)
    {
        var blob = _container.GetBlobClient(BlobName.Validate(name));
        var p = await Guard("get properties", name, async () => (await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value,
            cancellationToken).ConfigureAwait(false);
        return new BlobInfo(name, p.ContentLength, ParseSha(p.Metadata.TryGetValue(Sha256MetadataName, out var sha) ? sha : null),
            p.CreatedOn != default ? p.CreatedOn : p.LastModified);
    }

    public async Task<bool> ExistsAsync(string name, CancellationToken cancellationToken = default)
    {
        var blob = _container.GetBlobClient(BlobName.Validate(name));
        return await Guard("check existence of", name, async () => (await blob.ExistsAsync(cancellationToken).ConfigureAwait(false)).Value,
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        var blob = _container.GetBlobClient(BlobName.Validate(name));
        return await Guard("delete", name, async () => (await blob.DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value,
            cancellationToken).ConfigureAwait(false);
    }

    public async IAsyncEnumerable<BlobInfo> ListAsync(string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        prefix = BlobName.ValidatePrefix(prefix);
        var pages = _container.GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, prefix.Length == 0 ? null : prefix, cancellationToken)
            .AsPages(pageSizeHint: _options.ListPageSize);
        await using var e = pages.GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            Page<BlobItem> page;
            try
            {
                if (!await Guard("list", prefix, async () => await e.MoveNextAsync().ConfigureAwait(false), cancellationToken).ConfigureAwait(false)) yield break;
                page = e.Current;
            }
            catch (BlobNotFoundException nf) when (nf.ErrorCode == "ContainerNotFound")
            {
                yield break;
            }
            foreach (var item in page.Values)
            {
                if (BlobName.IsReserved(item.Name)) continue; // a staging blob of a write in flight (or of a crashed one)
                yield return new BlobInfo(item.Name, item.Properties.ContentLength ?? 0,
                    ParseSha(item.Metadata is { } m && m.TryGetValue(Sha256MetadataName, out var sha) ? sha : null),
                    item.Properties.CreatedOn ?? item.Properties.LastModified ?? DateTimeOffset.MinValue);
            }
        }
    }

    // ---------------------------------------------------------------- SAS

    public bool CanIssueReadUrls => _container.CanGenerateSasUri;

    /// <summary>A read-only service SAS URL for one blob (the SDK's builder; needs the account key).</summary>
    public Uri IssueReadUrl(string name, DateTimeOffset expiresOn, DateTimeOffset? startsOn = null)
    {
        if (!CanIssueReadUrls)
            throw new NotSupportedException("this Azure blob store authenticates with a token credential; a service SAS needs the account key");
        var blob = _container.GetBlobClient(BlobName.Validate(name));
        if (startsOn is { } start && start >= expiresOn)
            throw new ArgumentException($"a SAS must start ({start:O}) before it expires ({expiresOn:O})", nameof(startsOn));
        // Default start a little in the past: the peer's and the service's clocks may disagree.
        var sas = new BlobSasBuilder(BlobSasPermissions.Read, expiresOn)
        {
            BlobContainerName = ContainerName, BlobName = name, Resource = "b", StartsOn = startsOn ?? DateTimeOffset.UtcNow.AddMinutes(-5),
        };
        return blob.GenerateSasUri(sas);
    }

    // ---------------------------------------------------------------- errors

    /// <summary>Runs one SDK call; its failures become our exceptions naming the operation, the blob and the cause.</summary>
    private async Task<T> Guard<T>(string operation, string name, Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status != 0)
        {
            throw Error(e, operation, name);
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested && e is not OperationCanceledException)
        {
            // Cancelled while a retry was pending: Azure.Core aggregates the failed attempts with the cancellation.
            throw new OperationCanceledException($"{operation} '{name}' was cancelled", e, cancellationToken);
        }
        catch (Exception e) when (IsNetworkFailure(e))
        {
            // Azure.Core's retry policy throws the last transport error, or an AggregateException of all attempts.
            var last = e is AggregateException a ? a.InnerExceptions.Last(IsNetworkFailure) : e;
            throw new BlobStoreException(
                $"{operation} '{name}' failed: network failure talking to {Endpoint.GetLeftPart(UriPartial.Authority)} " +
                $"(gave up after {_options.Retry.MaxRetries} retries): {last.Message}", e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new BlobStoreException($"{operation} '{name}' failed: the request to {Endpoint.GetLeftPart(UriPartial.Authority)} timed out", e);
        }
    }

    private async Task Guard(string operation, string name, Func<Task> call, CancellationToken cancellationToken) =>
        await Guard(operation, name, async () => { await call().ConfigureAwait(false); return true; }, cancellationToken).ConfigureAwait(false);

    private static bool IsNetworkFailure(Exception e) => e switch
    {
        BlobStoreException => false,
        RequestFailedException { Status: 0 } => true,
        // Attempts that failed on the network, possibly ending in a timeout (a cancellation not asked for by the caller).
        AggregateException a => a.InnerExceptions.Any(IsNetworkFailure)
                                && a.InnerExceptions.All(x => IsNetworkFailure(x) || x is OperationCanceledException),
        HttpRequestException or IOException => true,
        _ => false,
    };

    private BlobStoreException Error(RequestFailedException e, string operation, string name)
    {
        var code = e.ErrorCode;
        var where = $"container '{ContainerName}' at {Endpoint.GetLeftPart(UriPartial.Authority)}";
        if (e.Status == 404)
            return new BlobNotFoundException(name, $"{code ?? "404"} in {where}", code);
        var subject = operation.EndsWith("container", StringComparison.Ordinal) ? where : $"'{name}' in {where}";
        // The SDK's message is several lines (status, code, headers); its first line is the service's sentence.
        var serviceMessage = e.Message.Split('\n')[0].Trim();
        var text = $"{operation} {subject} failed: HTTP {e.Status} {code}: {serviceMessage}";
        if (e.Status == 403)
        {
            var hint = code is "AuthenticationFailed" or "AuthorizationFailure"
                ? " (check the account name and key, and the clock: x-ms-date must be within 15 minutes of the service's)"
                : "";
            return new BlobAuthenticationException(text + hint, code, null);
        }
        return new BlobStoreException(text, (HttpStatusCode)e.Status, code, e);
    }

    private static byte[]? ParseSha(string? hex)
    {
        if (string.IsNullOrEmpty(hex) || hex.Length != 64) return null;
        try { return Convert.FromHexString(hex); } catch (FormatException) { return null; }
    }

    /// <summary>Container names: 3-63 characters, lower-case letters, digits and single hyphens, starting and ending with a letter or digit.</summary>
    public static void ValidateContainerName(string? container)
    {
        if (container is null || container.Length is < 3 or > 63
            || !container.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-')
            || container.StartsWith('-') || container.EndsWith('-') || container.Contains("--"))
            throw new ArgumentException($"invalid blob container name '{container}': 3-63 characters of lower-case letters, digits and single hyphens, " +
                                        "starting and ending with a letter or digit");
    }
}
