using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.Logging;

namespace FairDelegation.Storage.Azure;

/// <summary>
/// A narrow Azure Blob client over the REST API on Azure.Core's pipeline (retries, logging, SharedKey or bearer
/// authentication), one container. Every write is published by one final request, so nothing is visible before it:
/// a known-length write is one streamed Put Blob to a staging blob, then Copy Blob with the SHA-256 metadata; an
/// unknown-length one is Put Block (bounded parallelism, pooled buffers) then one Put Block List; a write that fits
/// one block is a single Put Blob.
/// </summary>
public sealed class AzureBlobStore : IBlobStore, IBlobUrlIssuer
{
    /// <summary>The metadata entry holding the SHA-256 (hex) computed at write time.</summary>
    public const string Sha256MetadataName = "sha256";

    /// <summary>The OAuth scope for Azure Storage data-plane bearer tokens.</summary>
    public const string StorageScope = "https://storage.azure.com/.default";

    private readonly HttpPipeline _pipeline;
    private readonly StorageSharedKeyCredential? _sharedKey;
    private readonly AzureBlobClientOptions _options;
    private readonly string _containerBase;
    private readonly object _containerLock = new();
    private Task? _containerReady;

    // Chunk buffers of parallel ranged reads (DownloadConcurrency > 1). A pool of its own rather than ArrayPool.Shared:
    // the shared pool parks returned arrays in per-thread slots that other thread-pool threads cannot see, so
    // block-sized buffers would keep being allocated; this one is one shared stack. (Uploads use a pool per upload.)
    private readonly ArrayPool<byte> _blockBuffers;

    /// <summary>A store signing with the account key (SharedKey); it can also issue SAS URLs.</summary>
    public AzureBlobStore(Uri blobEndpoint, string container, StorageSharedKeyCredential credential,
        AzureBlobClientOptions? options = null, ILogger? logger = null)
        : this(blobEndpoint, container, credential.AccountName, credential, new SharedKeyAuthenticationPolicy(credential), options, logger)
    {
    }

    /// <summary>A store authenticating with bearer tokens (Azure.Identity, e.g. DefaultAzureCredential); HTTPS only, no SAS.</summary>
    public AzureBlobStore(Uri blobEndpoint, string container, TokenCredential credential,
        AzureBlobClientOptions? options = null, ILogger? logger = null)
        : this(blobEndpoint, container, AccountFromHost(blobEndpoint), null,
            new BearerTokenAuthenticationPolicy(credential ?? throw new ArgumentNullException(nameof(credential)), StorageScope), options, logger)
    {
    }

    private AzureBlobStore(Uri blobEndpoint, string container, string accountName, StorageSharedKeyCredential? sharedKey,
        HttpPipelinePolicy authentication, AzureBlobClientOptions? options, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(blobEndpoint);
        if (!blobEndpoint.IsAbsoluteUri || blobEndpoint.Scheme is not ("http" or "https"))
            throw new ArgumentException($"blob endpoint '{blobEndpoint}' is not an absolute http(s) URL", nameof(blobEndpoint));
        ValidateContainerName(container);
        _options = options ?? new AzureBlobClientOptions();
        _options.Validate();
        _sharedKey = sharedKey;
        _blockBuffers = ArrayPool<byte>.Create(_options.BlockSize, _options.MaxConcurrency + 1);
        AccountName = accountName;
        ContainerName = container;
        Endpoint = blobEndpoint;
        _containerBase = blobEndpoint.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/" + container;
        var perRetry = new List<HttpPipelinePolicy> { authentication };
        if (logger is not null) perRetry.Add(new BlobRequestLoggingPolicy(logger));
        _pipeline = HttpPipelineBuilder.Build(_options, [new StorageVersionPolicy(_options.ApiVersion)], perRetry.ToArray(), new BlobResponseClassifier());
    }

    /// <summary>A store from a connection string (needs an AccountKey, or UseDevelopmentStorage=true).</summary>
    public static AzureBlobStore FromConnectionString(string connectionString, string container,
        AzureBlobClientOptions? options = null, ILogger? logger = null)
    {
        var parsed = StorageConnectionString.Parse(connectionString);
        if (parsed.Credential is null)
            throw new FormatException("storage connection string has no AccountKey; for token authentication configure Blobs:ServiceUri instead");
        return new AzureBlobStore(parsed.BlobEndpoint, container, parsed.Credential, options, logger);
    }

    /// <summary>The blob service endpoint (for the emulator, including the account path segment).</summary>
    public Uri Endpoint { get; }

    public string AccountName { get; }

    public string ContainerName { get; }

    /// <summary>The URL of a blob (name validated, each segment percent-encoded).</summary>
    public Uri GetBlobUri(string name) => new(_containerBase + "/" + EncodeName(BlobName.Validate(name)));

    // ---------------------------------------------------------------- container

    /// <summary>Creates the container if it does not exist (idempotent; done once before the first write).</summary>
    public Task EnsureContainerAsync(CancellationToken cancellationToken = default)
    {
        lock (_containerLock)
        {
            if (_containerReady is { IsFaulted: false, IsCanceled: false }) return _containerReady;
            return _containerReady = CreateContainerAsync(cancellationToken);
        }
    }

    private void ForgetContainer()
    {
        lock (_containerLock) _containerReady = null;
    }

    private async Task CreateContainerAsync(CancellationToken cancellationToken)
    {
        using var message = NewMessage(RequestMethod.Put, new Uri(_containerBase + "?restype=container"));
        var response = await SendAsync(message, "create container", ContainerName, cancellationToken).ConfigureAwait(false);
        if (response.Status is 201) return;
        if (response.Status is 409 && ErrorCodeOf(response) is "ContainerAlreadyExists") return;
        throw await ErrorAsync(response, "create container", ContainerName).ConfigureAwait(false);
    }

    // ---------------------------------------------------------------- write

    /// <summary>The largest single Put Blob the service accepts (x-ms-version 2019-12-12 and later): 5000 MiB.</summary>
    public const long MaxPutBlobSize = 5000L << 20;

    /// <summary>What a write of unknown length reads first, into a shared buffer, before it needs block-sized ones.</summary>
    private const int SmallReadSize = 64 << 10;

    public Task<BlobWriteResult> WriteAsync(string name, Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        return SourceLength.Remaining(content) is { } length
            ? WriteAsync(name, content, length, cancellationToken)
            : WriteBlocksAsync(name, content, cancellationToken);
    }

    public Task<BlobWriteResult> WriteAsync(string name, Stream content, long length, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        // Below one block: one Put Blob of a buffer just the blob's size, with Content-MD5 and the SHA-256 metadata (one
        // request, atomic by itself).
        if (length < _options.BlockSize) return WriteSmallAsync(name, content, length, cancellationToken);
        return _options.StagedUpload && length <= MaxPutBlobSize
            ? WriteStagedAsync(name, content, length, cancellationToken)
            : WriteBlocksAsync(name, new DeclaredLengthStream(content, length), cancellationToken);
    }

    /// <summary>
    /// A known-length write shorter than one block (most of a delegation's blobs: a few KiB): the source is read into a
    /// buffer of its own size (from the shared pool: no block-sized buffer, no per-upload pool), hashed, and sent as ONE
    /// Put Blob carrying Content-MD5 and x-ms-meta-sha256, which publishes data and hash in one step. No staging blob,
    /// no Copy Blob, no Delete.
    /// </summary>
    private async Task<BlobWriteResult> WriteSmallAsync(string name, Stream content, long length, CancellationToken cancellationToken)
    {
        var uri = GetBlobUri(name);
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
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
            await PutBlobAsync(uri, name, buffer.AsMemory(0, count), sha256, cancellationToken).ConfigureAwait(false);
            return new BlobWriteResult(name, length, sha256);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// A known-length write as ONE streamed request: Put Blob of the source, hashed on the way, to a staging blob under
    /// a reserved name (never listed, never readable by name through the store), then Copy Blob onto the target with the
    /// SHA-256 as metadata, which publishes data and hash in one step (Azurite: a metadata-only insert sharing the
    /// staging blob's extent; Azure: a same-account server-side copy, waited for), then the staging blob is deleted.
    /// Why not one streamed Put Block + Put Block List: a block without Content-MD5 (unknowable before the body is
    /// streamed) makes Azurite compute a JavaScript CRC64 of it, ~85 MiB/s; Put Blob always gets a native MD5.
    /// </summary>
    private async Task<BlobWriteResult> WriteStagedAsync(string name, Stream content, long length, CancellationToken cancellationToken)
    {
        var uri = GetBlobUri(name);
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        var stagingUri = new Uri(_containerBase + "/" + BlobName.TempPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)));
        var body = new StreamedUploadContent(content, length, _options.VerifyStreamedUploadMd5);
        try
        {
            await PutStagingBlobAsync(stagingUri, name, body, length, cancellationToken).ConfigureAwait(false);
            var sha256 = body.Sha256;
            await CopyStagedAsync(stagingUri, uri, name, sha256, cancellationToken).ConfigureAwait(false);
            return new BlobWriteResult(name, length, sha256);
        }
        finally
        {
            body.Release();
            await DeleteStagingBlobAsync(stagingUri).ConfigureAwait(false);
        }
    }

    private async Task PutStagingBlobAsync(Uri stagingUri, string name, StreamedUploadContent body, long length, CancellationToken cancellationToken)
    {
        // Azure.Core's network timeout covers sending the body too: allow the whole blob at 1 MiB/s at least.
        var timeout = TimeSpan.FromSeconds(Math.Max(_options.Retry.NetworkTimeout.TotalSeconds, length / (double)(1 << 20)));
        for (var attempt = 0; ; attempt++)
        {
            using var message = NewMessage(RequestMethod.Put, stagingUri);
            message.Request.Headers.SetValue("x-ms-blob-type", "BlockBlob");
            message.Request.Headers.SetValue("x-ms-blob-content-type", "application/octet-stream");
            message.Request.Content = body;
            message.NetworkTimeout = timeout;
            Response response;
            try
            {
                response = await SendAsync(message, "upload", name, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception) when (body.SourceError is not null)
            {
                // The source failed (or held the wrong length): its own error, not a network failure.
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(body.SourceError);
                throw;
            }
            if (response.Status == 201)
            {
                // The service's MD5 of what it stored against ours of what we sent (end-to-end, before anything is published).
                if (body.Md5 is { } md5)
                {
                    response.Headers.TryGetValue("Content-MD5", out var served);
                    if (served != Convert.ToBase64String(md5))
                        throw new BlobStoreException(string.IsNullOrEmpty(served)
                            ? $"upload '{name}' failed: the service did not report the MD5 of what it stored, so it cannot be checked (VerifyStreamedUploadMd5)"
                            : $"upload '{name}' failed: the service stored different bytes than were sent (its MD5 {served}, sent {Convert.ToBase64String(md5)})");
                }
                return;
            }
            if (response.Status == 404 && ErrorCodeOf(response) is "ContainerNotFound")
            {
                ForgetContainer(); // a source that cannot be sent again fails now; the next write recreates the container
                if (attempt == 0 && body.CanResend)
                {
                    await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
                    continue;
                }
            }
            throw await ErrorAsync(response, "upload", name).ConfigureAwait(false);
        }
    }

    /// <summary>Copy Blob from the staging blob onto the target with the hash as its metadata; waits if the copy is pending.</summary>
    private async Task CopyStagedAsync(Uri stagingUri, Uri uri, string name, byte[] sha256, CancellationToken cancellationToken)
    {
        string? status = null, copyId = null;
        await SendWriteAsync(() =>
        {
            var m = NewMessage(RequestMethod.Put, uri);
            m.Request.Headers.SetValue("x-ms-copy-source", stagingUri.AbsoluteUri);
            m.Request.Headers.SetValue("x-ms-meta-" + Sha256MetadataName, Convert.ToHexStringLower(sha256));
            return m;
        }, 202, "commit (Copy Blob)", name, cancellationToken, response =>
        {
            response.Headers.TryGetValue("x-ms-copy-status", out status);
            response.Headers.TryGetValue("x-ms-copy-id", out copyId);
        }).ConfigureAwait(false);
        var delay = TimeSpan.FromMilliseconds(50);
        while (status is "pending")
        {
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromMilliseconds(Math.Min(1000, delay.TotalMilliseconds * 2));
            using var message = NewMessage(RequestMethod.Head, uri);
            var response = await SendAsync(message, "commit (Copy Blob status)", name, cancellationToken).ConfigureAwait(false);
            if (response.Status != 200) throw await ErrorAsync(response, "commit (Copy Blob status)", name).ConfigureAwait(false);
            response.Headers.TryGetValue("x-ms-copy-id", out var id);
            if (copyId is not null && id != copyId)
                throw new BlobStoreException($"commit '{name}' failed: another write replaced the blob while its copy was pending");
            response.Headers.TryGetValue("x-ms-copy-status", out status);
        }
        if (status is not (null or "success"))
            throw new BlobStoreException($"commit (Copy Blob) '{name}' failed: copy status '{status}'");
    }

    /// <summary>Removes a staging blob (after success or failure); a leftover is harmless: reserved names are never listed or readable.</summary>
    private async Task DeleteStagingBlobAsync(Uri stagingUri)
    {
        try
        {
            using var message = NewMessage(RequestMethod.Delete, stagingUri);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _pipeline.SendAsync(message, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Best effort: the write's own outcome is what the caller needs to see.
        }
    }

    /// <summary>The block path: unknown length (or staging off / too large): Put Block in parallel from pooled buffers, then Put Block List.</summary>
    private async Task<BlobWriteResult> WriteBlocksAsync(string name, Stream content, CancellationToken cancellationToken)
    {
        var uri = GetBlobUri(name);
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        var blockSize = _options.BlockSize;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var slots = new SemaphoreSlim(_options.MaxConcurrency);
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        // First a small read into a shared buffer: most sources of unknown length are small and end within it, and then
        // one Put Blob is the whole write (no block-sized buffer, no pool for this upload).
        var probeLength = Math.Min(blockSize, SmallReadSize);
        byte[]? probe = ArrayPool<byte>.Shared.Rent(probeLength);
        int count;
        try
        {
            count = await content.ReadAtLeastAsync(probe.AsMemory(0, probeLength), probeLength, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            if (count < probeLength)
            {
                // Fits one request: a single Put Blob is just as atomic and saves a round trip.
                var sha = SHA256.HashData(probe.AsSpan(0, count));
                await PutBlobAsync(uri, name, probe.AsMemory(0, count), sha, cancellationToken).ConfigureAwait(false);
                ArrayPool<byte>.Shared.Return(probe);
                return new BlobWriteResult(name, count, sha);
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(probe);
            throw;
        }

        // A pool per upload: block buffers are reused within it (one shared stack, unlike ArrayPool.Shared's per-thread
        // slots that other thread-pool threads cannot see) and become garbage after it, so an idle store holds none.
        var pool = ArrayPool<byte>.Create(blockSize, _options.MaxConcurrency + 1);

        await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        var buffer = pool.Rent(blockSize);
        try
        {
            probe.AsSpan(0, count).CopyTo(buffer);
            ArrayPool<byte>.Shared.Return(probe);
            probe = null;
            count += await content.ReadAtLeastAsync(buffer.AsMemory(count, blockSize - count), blockSize - count, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            hash.AppendData(buffer, 0, count);
            if (count < blockSize)
            {
                // Fits one request: a single Put Blob is just as atomic and saves a round trip.
                var sha = hash.GetHashAndReset();
                await PutBlobAsync(uri, name, buffer.AsMemory(0, count), sha, cancellationToken).ConfigureAwait(false);
                pool.Return(buffer);
                return new BlobWriteResult(name, count, sha);
            }
        }
        catch
        {
            if (probe is not null) ArrayPool<byte>.Shared.Return(probe);
            pool.Return(buffer);
            throw;
        }

        var uploadId = RandomNumberGenerator.GetBytes(16); // distinct block ids per upload: concurrent writers do not mix blocks
        var blockIds = new List<string>();
        var uploads = new List<Task>();
        long total = count;
        Exception? sourceError = null;
        try
        {
            while (true)
            {
                var blockId = BlockId(uploadId, blockIds.Count);
                blockIds.Add(blockId);
                uploads.Add(PutBlockAsync(uri, name, blockId, pool, buffer, count, blockIds.Count, slots, failed));
                buffer = null;
                if (count < blockSize) break;
                await slots.WaitAsync(failed.Token).ConfigureAwait(false);
                buffer = pool.Rent(blockSize);
                count = await content.ReadAtLeastAsync(buffer.AsMemory(0, blockSize), blockSize, throwOnEndOfStream: false, failed.Token).ConfigureAwait(false);
                if (count == 0)
                {
                    pool.Return(buffer);
                    buffer = null;
                    slots.Release();
                    break;
                }
                hash.AppendData(buffer, 0, count);
                total += count;
            }
        }
        catch (Exception e)
        {
            if (buffer is not null)
            {
                pool.Return(buffer);
                slots.Release();
            }
            sourceError = e;
            await failed.CancelAsync().ConfigureAwait(false);
        }

        // Wait for every block either way: their buffers go back to the pool only once the requests are done.
        Exception? blockError = null;
        try
        {
            await Task.WhenAll(uploads).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            blockError = uploads.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!)
                .FirstOrDefault(x => x is not OperationCanceledException) ?? e;
        }
        // Never Put Block List after a failed block: the uncommitted blocks stay invisible (and expire).
        cancellationToken.ThrowIfCancellationRequested();
        if (blockError is not null && blockError is not OperationCanceledException)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(blockError);
        if (sourceError is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(sourceError);
        if (blockError is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(blockError);

        var sha256 = hash.GetHashAndReset();
        await PutBlockListAsync(uri, name, blockIds, sha256, cancellationToken).ConfigureAwait(false);
        return new BlobWriteResult(name, total, sha256);
    }

    private async Task PutBlockAsync(Uri uri, string name, string blockId, ArrayPool<byte> pool, byte[] buffer, int count, int blockNumber,
        SemaphoreSlim slots, CancellationTokenSource failed)
    {
        try
        {
            // Off the reader's thread: the Content-MD5 of this block is computed while the reader hashes the next.
            await Task.Yield();
            var blockUri = new Uri(uri.AbsoluteUri + "?comp=block&blockid=" + Uri.EscapeDataString(blockId));
            var md5 = TransactionalMd5(buffer.AsSpan(0, count));
            await SendWriteAsync(() =>
            {
                var m = NewMessage(RequestMethod.Put, blockUri);
                if (md5 is not null) m.Request.Headers.SetValue("Content-MD5", md5);
                m.Request.Content = RequestContent.Create(buffer.AsMemory(0, count));
                return m;
            }, 201, $"upload (block {blockNumber})", name, failed.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await failed.CancelAsync().ConfigureAwait(false); // stop the other blocks and the reader
            throw;
        }
        finally
        {
            pool.Return(buffer);
            slots.Release();
        }
    }

    private Task PutBlobAsync(Uri uri, string name, ReadOnlyMemory<byte> body, byte[] sha256, CancellationToken cancellationToken)
    {
        var md5 = TransactionalMd5(body.Span);
        return SendWriteAsync(() =>
        {
            var m = NewMessage(RequestMethod.Put, uri);
            if (md5 is not null) m.Request.Headers.SetValue("Content-MD5", md5);
            m.Request.Headers.SetValue("x-ms-blob-type", "BlockBlob");
            m.Request.Headers.SetValue("x-ms-blob-content-type", "application/octet-stream");
            m.Request.Headers.SetValue("x-ms-meta-" + Sha256MetadataName, Convert.ToHexStringLower(sha256));
            m.Request.Content = RequestContent.Create(body);
            return m;
        }, 201, "upload", name, cancellationToken);
    }

    /// <summary>
    /// Content-MD5 of a request body: the service checks it on arrival (transport integrity per block), and Azurite then
    /// skips its much slower JavaScript CRC64 of each staged block.
    /// </summary>
    private string? TransactionalMd5(ReadOnlySpan<byte> body)
    {
        if (!_options.TransactionalMd5) return null;
#pragma warning disable CA5351 // MD5 here is the protocol's transport checksum, not a security hash.
        return Convert.ToBase64String(MD5.HashData(body));
#pragma warning restore CA5351
    }

    private Task PutBlockListAsync(Uri uri, string name, List<string> blockIds, byte[] sha256, CancellationToken cancellationToken)
    {
        var xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>");
        foreach (var id in blockIds) xml.Append("<Latest>").Append(id).Append("</Latest>");
        xml.Append("</BlockList>");
        var body = Encoding.UTF8.GetBytes(xml.ToString());
        var listUri = new Uri(uri.AbsoluteUri + "?comp=blocklist");
        return SendWriteAsync(() =>
        {
            var m = NewMessage(RequestMethod.Put, listUri);
            m.Request.Headers.SetValue("x-ms-blob-content-type", "application/octet-stream");
            m.Request.Headers.SetValue("x-ms-meta-" + Sha256MetadataName, Convert.ToHexStringLower(sha256));
            m.Request.Content = RequestContent.Create(body);
            return m;
        }, 201, "commit (Put Block List)", name, cancellationToken);
    }

    /// <summary>Sends a write; if the container has vanished (deleted, or lost by a restarted emulator) recreates it once and repeats.</summary>
    private async Task SendWriteAsync(Func<HttpMessage> create, int expected, string operation, string name, CancellationToken cancellationToken,
        Action<Response>? onSuccess = null)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var message = create();
            var response = await SendAsync(message, operation, name, cancellationToken).ConfigureAwait(false);
            if (response.Status == expected)
            {
                onSuccess?.Invoke(response);
                return;
            }
            if (attempt == 0 && response.Status == 404 && ErrorCodeOf(response) is "ContainerNotFound")
            {
                ForgetContainer();
                await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }
            throw await ErrorAsync(response, operation, name).ConfigureAwait(false);
        }
    }

    private static string BlockId(byte[] uploadId, int index)
    {
        Span<byte> raw = stackalloc byte[20];
        uploadId.CopyTo(raw);
        BinaryPrimitives.WriteInt32BigEndian(raw[16..], index);
        return Convert.ToBase64String(raw);
    }

    // ---------------------------------------------------------------- read

    public Task<Stream> OpenReadAsync(string name, CancellationToken cancellationToken = default) =>
        OpenReadRangeAsync(name, 0, long.MaxValue, cancellationToken);

    public async Task<Stream> OpenReadRangeAsync(string name, long offset, long length, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var uri = GetBlobUri(name);
        if (length == 0)
        {
            await GetPropertiesAsync(name, cancellationToken).ConfigureAwait(false); // still a typed not-found for a missing blob
            return new MemoryStream([], writable: false);
        }
        var unbounded = length > long.MaxValue - offset;
        var parallel = _options.DownloadConcurrency > 1;
        // The first request asks for one chunk only when more may follow in parallel; its Content-Range gives the
        // blob's length and its ETag pins the version the following chunks must come from.
        var firstLength = parallel ? Math.Min(length, _options.BlockSize) : length;
        var firstLast = firstLength > long.MaxValue - offset ? "" : (offset + firstLength - 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var range = offset == 0 && unbounded && !parallel ? null : $"bytes={offset}-{firstLast}";
        var message = NewMessage(RequestMethod.Get, uri);
        try
        {
            if (range is not null) message.Request.Headers.SetValue("x-ms-range", range);
            message.BufferResponse = false; // stream the body: GiB-sized blobs never sit in memory
            var response = await SendAsync(message, "download", name, cancellationToken).ConfigureAwait(false);
            if (response.Status == 416 && range is not null)
            {
                // A range starting at or past the end: empty by this interface's contract (the blob exists).
                message.Dispose();
                return new MemoryStream([], writable: false);
            }
            if (response.Status is not (200 or 206) || response.ContentStream is not { } body)
                throw await ErrorAsync(response, "download", name).ConfigureAwait(false);
            var total = response.Status == 200 ? -1 : TotalFromContentRange(response);
            var end = total < 0 ? -1 : unbounded ? total : Math.Min(total, offset + length);
            var headLength = end < 0 ? -1 : Math.Min(end - offset, firstLength);
            if (!parallel || end < 0 || end - offset <= firstLength)
                return new ResponseContentStream(body, message);
            response.Headers.TryGetValue("ETag", out var etag);
            var head = new ResponseContentStream(body, message);
            return new ParallelRangeReadStream(head, headLength, offset + headLength, end, _options.BlockSize, _options.DownloadConcurrency,
                _blockBuffers, (o, buffer, count, ct) => FetchRangeAsync(uri, name, etag, o, buffer, count, ct));
        }
        catch
        {
            message.Dispose();
            throw;
        }
    }

    private async Task FetchRangeAsync(Uri uri, string name, string? etag, long offset, byte[] buffer, int count, CancellationToken cancellationToken)
    {
        using var message = NewMessage(RequestMethod.Get, uri);
        message.Request.Headers.SetValue("x-ms-range", $"bytes={offset}-{offset + count - 1}");
        if (etag is not null) message.Request.Headers.SetValue("If-Match", etag);
        message.BufferResponse = false;
        var response = await SendAsync(message, "download", name, cancellationToken).ConfigureAwait(false);
        if (response.Status == 412)
            throw new BlobStoreException($"download '{name}' failed: the blob was replaced while it was being read", HttpStatusCode.PreconditionFailed,
                ErrorCodeOf(response));
        if (response.Status != 206 || response.ContentStream is not { } body)
            throw await ErrorAsync(response, "download", name).ConfigureAwait(false);
        await using (body.ConfigureAwait(false))
        {
            var n = await body.ReadAtLeastAsync(buffer.AsMemory(0, count), count, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            if (n != count) throw new BlobStoreException($"download '{name}' failed: range at {offset} returned {n} of {count} bytes");
        }
    }

    /// <summary>The total length from "Content-Range: bytes a-b/total", or -1.</summary>
    private static long TotalFromContentRange(Response response)
    {
        if (!response.Headers.TryGetValue("Content-Range", out var value) || value is null) return -1;
        var slash = value.LastIndexOf('/');
        return slash >= 0 && long.TryParse(value.AsSpan(slash + 1), System.Globalization.NumberStyles.None,
            System.Globalization.CultureInfo.InvariantCulture, out var total) ? total : -1;
    }

    public async Task<BlobInfo> GetPropertiesAsync(string name, CancellationToken cancellationToken = default)
    {
        using var message = NewMessage(RequestMethod.Head, GetBlobUri(name));
        var response = await SendAsync(message, "get properties", name, cancellationToken).ConfigureAwait(false);
        if (response.Status != 200) throw await ErrorAsync(response, "get properties", name).ConfigureAwait(false);
        response.Headers.TryGetValue("Content-Length", out var lengthText);
        response.Headers.TryGetValue("x-ms-meta-" + Sha256MetadataName, out var shaText);
        return new BlobInfo(name, long.Parse(lengthText ?? "0", System.Globalization.CultureInfo.InvariantCulture), ParseSha(shaText),
            CreatedOn(response.Headers.TryGetValue("x-ms-creation-time", out var c) ? c : null,
                response.Headers.TryGetValue("Last-Modified", out var m) ? m : null));
    }

    public async Task<bool> ExistsAsync(string name, CancellationToken cancellationToken = default)
    {
        using var message = NewMessage(RequestMethod.Head, GetBlobUri(name));
        var response = await SendAsync(message, "check existence of", name, cancellationToken).ConfigureAwait(false);
        return response.Status switch
        {
            200 => true,
            404 => false,
            _ => throw await ErrorAsync(response, "check existence of", name).ConfigureAwait(false),
        };
    }

    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        using var message = NewMessage(RequestMethod.Delete, GetBlobUri(name));
        var response = await SendAsync(message, "delete", name, cancellationToken).ConfigureAwait(false);
        return response.Status switch
        {
            202 => true,
            404 => false,
            _ => throw await ErrorAsync(response, "delete", name).ConfigureAwait(false),
        };
    }

    public async IAsyncEnumerable<BlobInfo> ListAsync(string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        prefix = BlobName.ValidatePrefix(prefix);
        string? marker = null;
        do
        {
            var query = new StringBuilder("?restype=container&comp=list&include=metadata");
            query.Append("&maxresults=").Append(_options.ListPageSize);
            if (prefix.Length > 0) query.Append("&prefix=").Append(Uri.EscapeDataString(prefix));
            if (marker is not null) query.Append("&marker=").Append(Uri.EscapeDataString(marker));
            List<BlobInfo> page;
            using (var message = NewMessage(RequestMethod.Get, new Uri(_containerBase + query)))
            {
                var response = await SendAsync(message, "list", prefix, cancellationToken).ConfigureAwait(false);
                if (response.Status == 404 && ErrorCodeOf(response) is "ContainerNotFound") yield break;
                if (response.Status != 200) throw await ErrorAsync(response, "list", prefix).ConfigureAwait(false);
                (page, marker) = ParseListPage(response.Content.ToStream());
            }
            foreach (var item in page) yield return item;
        } while (!string.IsNullOrEmpty(marker));
    }

    private static (List<BlobInfo> Items, string? NextMarker) ParseListPage(Stream xml)
    {
        var doc = XDocument.Load(xml);
        var root = doc.Root ?? throw new BlobStoreException("List Blobs answered with an empty document");
        var items = new List<BlobInfo>();
        foreach (var blob in root.Element("Blobs")?.Elements("Blob") ?? [])
        {
            var nameElement = blob.Element("Name")!;
            var name = (string?)nameElement.Attribute("Encoded") == "true" ? Uri.UnescapeDataString(nameElement.Value) : nameElement.Value;
            if (BlobName.IsReserved(name)) continue; // a staging blob of a write in flight (or of a crashed one)
            var properties = blob.Element("Properties");
            var length = long.Parse(properties?.Element("Content-Length")?.Value ?? "0", System.Globalization.CultureInfo.InvariantCulture);
            var sha = blob.Element("Metadata")?.Element(Sha256MetadataName)?.Value;
            items.Add(new BlobInfo(name, length, ParseSha(sha),
                CreatedOn(properties?.Element("Creation-Time")?.Value, properties?.Element("Last-Modified")?.Value)));
        }
        var next = root.Element("NextMarker")?.Value;
        return (items, string.IsNullOrEmpty(next) ? null : next);
    }

    // ---------------------------------------------------------------- SAS

    public bool CanIssueReadUrls => _sharedKey is not null;

    /// <summary>A read-only service SAS URL for one blob (needs the account key).</summary>
    public Uri IssueReadUrl(string name, DateTimeOffset expiresOn, DateTimeOffset? startsOn = null)
    {
        if (_sharedKey is null)
            throw new NotSupportedException("this Azure blob store authenticates with a token credential; a service SAS needs the account key");
        // Default start a little in the past: the peer's and the service's clocks may disagree.
        return BlobServiceSas.CreateReadUri(GetBlobUri(name), _sharedKey, ContainerName, name, expiresOn,
            startsOn ?? DateTimeOffset.UtcNow.AddMinutes(-5), _options.ApiVersion);
    }

    // ---------------------------------------------------------------- plumbing

    private HttpMessage NewMessage(RequestMethod method, Uri uri)
    {
        var message = _pipeline.CreateMessage();
        message.Request.Method = method;
        message.Request.Uri.Reset(uri);
        return message;
    }

    /// <summary>Sends through the pipeline; a transport failure (after the retries) becomes a BlobStoreException naming the operation.</summary>
    private async Task<Response> SendAsync(HttpMessage message, string operation, string name, CancellationToken cancellationToken)
    {
        try
        {
            await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
            return message.Response;
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

    private static string? ErrorCodeOf(Response response) =>
        response.Headers.TryGetValue("x-ms-error-code", out var code) ? code : null;

    private async Task<BlobStoreException> ErrorAsync(Response response, string operation, string name)
    {
        string? code = ErrorCodeOf(response), message = null, detail = null;
        if (response.ContentStream is { } body)
        {
            try
            {
                using var reader = new StreamReader(body, Encoding.UTF8);
                var text = await reader.ReadToEndAsync().ConfigureAwait(false);
                if (text.Length > 0)
                {
                    var root = XDocument.Parse(text).Root;
                    code ??= root?.Element("Code")?.Value;
                    message = root?.Element("Message")?.Value?.Split('\n')[0].Trim();
                    detail = root?.Element("AuthenticationErrorDetail")?.Value;
                }
            }
            catch (Exception e) when (e is System.Xml.XmlException or IOException)
            {
                // The status and code still say what happened.
            }
        }
        var status = (HttpStatusCode)response.Status;
        var where = $"container '{ContainerName}' at {Endpoint.GetLeftPart(UriPartial.Authority)}";
        if (response.Status == 404)
            return new BlobNotFoundException(name, $"{code ?? "404"} in {where}", code);
        var subject = operation.EndsWith("container", StringComparison.Ordinal) ? where : $"'{name}' in {where}";
        var text2 = $"{operation} {subject} failed: HTTP {response.Status} {code ?? response.ReasonPhrase}" +
                    (message is null ? "" : $": {message}");
        if (response.Status == 403)
        {
            var hint = code is "AuthenticationFailed" or "AuthorizationFailure"
                ? " (check the account name and key, and the clock: x-ms-date must be within 15 minutes of the service's)"
                : "";
            return new BlobAuthenticationException(text2 + hint + (detail is null ? "" : $". Service detail: {detail}"), code, detail);
        }
        return new BlobStoreException(text2, status, code);
    }

    private static byte[]? ParseSha(string? hex)
    {
        if (string.IsNullOrEmpty(hex) || hex.Length != 64) return null;
        try { return Convert.FromHexString(hex); } catch (FormatException) { return null; }
    }

    private static DateTimeOffset CreatedOn(string? creationTime, string? lastModified)
    {
        foreach (var text in new[] { creationTime, lastModified })
            if (text is not null && DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture,
                    System.Globalization.DateTimeStyles.AssumeUniversal, out var t)) return t;
        return DateTimeOffset.MinValue;
    }

    private static string EncodeName(string name) => string.Join('/', name.Split('/').Select(Uri.EscapeDataString));

    /// <summary>account.blob.core.windows.net, or for a path-style (emulator) endpoint its first path segment.</summary>
    private static string AccountFromHost(Uri endpoint)
    {
        var path = endpoint.AbsolutePath.Trim('/');
        if (path.Length > 0) return path.Split('/')[0];
        var host = endpoint.Host;
        var dot = host.IndexOf('.');
        return dot > 0 ? host[..dot] : host;
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
