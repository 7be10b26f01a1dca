using FairDelegation.Node.Configuration;
using FairDelegation.Node.Model;
using FairDelegation.Storage;
using Microsoft.Extensions.Options;

namespace FairDelegation.Node.Storage;

/// <summary>The fetched bytes were not what the reference promised (length or SHA-256), or could not be fetched.</summary>
public sealed class BlobFetchException(string message, bool mismatch) : Exception(message)
{
    /// <summary>True when the bytes arrived but differ from the reference (retrying will not help).</summary>
    public bool Mismatch { get; } = mismatch;
}

/// <summary>
/// Copies bytes a peer referenced into this node's own blob store, streaming, hashing while writing (the store
/// computes length and SHA-256 of exactly what it committed), and checks them against the reference.
/// </summary>
public sealed class BlobFetcher(IBlobStore store, IHttpClientFactory httpFactory, IOptions<NodeOptions> options)
{
    /// <summary>The HttpClient name used for fetches (no overall timeout: large blobs stream).</summary>
    public const string HttpClientName = "fairdelegation-fetch";

    /// <summary>
    /// Puts the referenced bytes at <paramref name="targetName"/> and returns what was written; throws
    /// <see cref="BlobFetchException"/> (the partial blob removed) when they do not match.
    /// </summary>
    public async Task<StoredBlob> FetchAsync(FetchableBlob source, string targetName, CancellationToken ct)
    {
        if (source.LocalBlob is { } local)
        {
            // Already here: the peer API wrote it (inline bytes) and checked then what the store committed against the
            // reference, so the reference's length and hash are the blob's.
            return new StoredBlob(local, source.Length, source.Sha256);
        }
        if (source.Url is null) throw new BlobFetchException("the reference has neither a local blob nor a URL", mismatch: true);
        var max = options.Value.PeerApi.MaxReferencedBytes;
        if (source.Length > max) throw new BlobFetchException($"the referenced blob is {source.Length} bytes, more than the limit of {max}", mismatch: true);

        var http = httpFactory.CreateClient(HttpClientName);
        using var response = await http.GetAsync(source.Url, HttpCompletionOption.ResponseHeadersRead, ct);
        if (!response.IsSuccessStatusCode)
            throw new BlobFetchException($"GET of the referenced blob answered {(int)response.StatusCode}", mismatch: false);
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        // Never read more than promised (+1 to notice a longer body): a peer cannot fill our disk.
        await using var limited = new LimitedReadStream(body, source.Length + 1);
        var written = await store.WriteAsync(targetName, limited, ct);
        var stored = new StoredBlob(written.Name, written.Length, written.Sha256Hex);
        try
        {
            Check(stored, source.Length, source.Sha256, targetName);
        }
        catch (BlobFetchException)
        {
            await store.DeleteAsync(targetName, CancellationToken.None);
            throw;
        }
        return stored;
    }

    /// <summary>
    /// Like <see cref="FetchAsync"/>, and also returns the bytes when the blob is at most <paramref name="keepBytes"/> long
    /// and came from the peer (null for a local blob): the caller that needs the content saves reading it back.
    /// </summary>
    public async Task<(StoredBlob Blob, byte[]? Bytes)> FetchKeepingAsync(FetchableBlob source, string targetName, long keepBytes, CancellationToken ct)
    {
        if (source.LocalBlob is not null || source.Url is null || source.Length > keepBytes) return (await FetchAsync(source, targetName, ct), null);
        var http = httpFactory.CreateClient(HttpClientName);
        using var response = await http.GetAsync(source.Url, HttpCompletionOption.ResponseHeadersRead, ct);
        if (!response.IsSuccessStatusCode)
            throw new BlobFetchException($"GET of the referenced blob answered {(int)response.StatusCode}", mismatch: false);
        byte[] bytes;
        await using (var body = await response.Content.ReadAsStreamAsync(ct))
        await using (var limited = new LimitedReadStream(body, source.Length + 1))
        using (var copy = new MemoryStream())
        {
            await limited.CopyToAsync(copy, ct);
            bytes = copy.ToArray();
        }
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
        Check(new StoredBlob(targetName, bytes.Length, sha), source.Length, source.Sha256, targetName); // nothing written yet
        using var content = new MemoryStream(bytes, writable: false);
        var written = await store.WriteAsync(targetName, content, ct);
        return (new StoredBlob(written.Name, written.Length, written.Sha256Hex), bytes);
    }

    private static void Check(StoredBlob blob, long length, string sha256, string what)
    {
        if (blob.Length != length)
            throw new BlobFetchException($"{what}: expected {length} bytes, got {blob.Length}{(blob.Length > length ? " or more" : "")}", mismatch: true);
        if (!string.Equals(blob.Sha256, sha256, StringComparison.OrdinalIgnoreCase))
            throw new BlobFetchException($"{what}: SHA-256 {blob.Sha256} differs from the announced {sha256}", mismatch: true);
    }
}

/// <summary>A read-only stream that stops after a number of bytes.</summary>
internal sealed class LimitedReadStream(Stream inner, long limit) : Stream
{
    private long _remaining = limit;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_remaining <= 0) return 0;
        var n = inner.Read(buffer[..(int)Math.Min(buffer.Length, _remaining)]);
        _remaining -= n;
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_remaining <= 0) return 0;
        var n = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _remaining)], cancellationToken);
        _remaining -= n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
