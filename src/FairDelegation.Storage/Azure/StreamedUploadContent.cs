using System.Buffers;
using System.Security.Cryptography;
using Azure.Core;

namespace FairDelegation.Storage.Azure;

/// <summary>
/// The body of a streamed Put Blob: exactly <c>length</c> bytes copied from the source as the request is sent,
/// SHA-256 (and optionally MD5) hashed on the way, so the hash is of exactly what went over the wire. A retry rewinds a
/// seekable source to where it started; a non-seekable one cannot be sent twice, and a source that fails or holds
/// the wrong number of bytes must not be retried at all (see <see cref="BlobResponseClassifier"/>).
/// </summary>
internal sealed class StreamedUploadContent : RequestContent
{
    private const int CopyBufferSize = 1 << 20;

    private readonly Stream _source;
    private readonly long _start; // -1: not seekable
    private readonly long _length;
    private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly IncrementalHash? _md5;
    private int _attempts;
    private long _sent;

    public StreamedUploadContent(Stream source, long length, bool md5)
    {
        _source = source;
        _length = length;
        _start = source.CanSeek ? source.Position : -1;
#pragma warning disable CA5351 // MD5 here is the service's transport checksum, not a security hash.
        if (md5) _md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
#pragma warning restore CA5351
    }

    /// <summary>Whether another attempt may send this body again: the source can be rewound and did nothing wrong.</summary>
    public bool CanResend => _start >= 0 && SourceError is null;

    /// <summary>What the source did wrong (threw, or held the wrong length), if anything: surfaced as is, never retried.</summary>
    public Exception? SourceError { get; private set; }

    public byte[] Sha256 => _sha256.GetCurrentHash();

    public byte[]? Md5 => _md5?.GetCurrentHash();

    public override bool TryComputeLength(out long length)
    {
        length = _length;
        return true;
    }

    public override void WriteTo(Stream stream, CancellationToken cancellationToken) =>
        WriteToAsync(stream, cancellationToken).GetAwaiter().GetResult();

    public override async Task WriteToAsync(Stream stream, CancellationToken cancellationToken)
    {
        if (_attempts++ > 0)
        {
            if (!CanResend)
                throw new InvalidOperationException("the source stream is not seekable and cannot be sent again");
            _source.Position = _start;
            _sha256.GetHashAndReset();
            _md5?.GetHashAndReset();
        }
        _sent = 0;
        _read = 0;
        // Two buffers: the next chunk is read and hashed on another thread while this one goes to the socket, so the
        // hashing hides behind the wait for the service to drain the connection instead of adding to it.
        var buffers = new[] { ArrayPool<byte>.Shared.Rent(CopyBufferSize), ArrayPool<byte>.Shared.Rent(CopyBufferSize) };
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var current = 0;
        var next = Task.Run(() => FillAsync(buffers[0], stop.Token), stop.Token);
        try
        {
            while (true)
            {
                var n = await next.ConfigureAwait(false);
                if (n == 0) break;
                var chunk = buffers[current];
                current ^= 1;
                var other = buffers[current];
                next = Task.Run(() => FillAsync(other, stop.Token), stop.Token);
                await stream.WriteAsync(chunk.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                _sent += n;
            }
        }
        finally
        {
            // The reader must be done with its buffer (and the hashes) before they are reused or released.
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await next.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Its failure, if it matters, was recorded in SourceError or already surfaced above.
            }
            foreach (var b in buffers) ArrayPool<byte>.Shared.Return(b);
        }
    }

    private long _read;

    /// <summary>Reads (and hashes) the next chunk of the declared length; 0 once it is all read.</summary>
    private async Task<int> FillAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        try
        {
            if (_read == _length) return 0;
            var want = (int)Math.Min(CopyBufferSize, _length - _read);
            var n = await _source.ReadAtLeastAsync(buffer.AsMemory(0, want), want, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            if (n < want) throw new BlobSourceLengthException(_length, _read + n, atLeast: false);
            if (_read + n == _length)
            {
                // The source must end with the declared bytes, or the blob would be silently cut off. Checked before the
                // last chunk is sent, so that the body stays incomplete and the service never commits it.
                var extra = await _source.ReadAsync(_probe, cancellationToken).ConfigureAwait(false);
                if (extra > 0) throw new BlobSourceLengthException(_length, _length + extra, atLeast: true);
            }
            _sha256.AppendData(buffer, 0, n);
            _md5?.AppendData(buffer, 0, n);
            _read += n;
            return n;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            SourceError = e;
            throw;
        }
    }

    private readonly byte[] _probe = new byte[1];

    /// <summary>Nothing: each attempt's message disposes its content, but the body outlives attempts; see <see cref="Release"/>.</summary>
    public override void Dispose()
    {
    }

    /// <summary>Frees the hashes once the upload is over.</summary>
    public void Release()
    {
        _sha256.Dispose();
        _md5?.Dispose();
    }
}

/// <summary>Azure.Core's retry rules, except that a streamed body that cannot (or must not) be sent again is not retried.</summary>
internal sealed class BlobResponseClassifier : ResponseClassifier
{
    public override bool IsRetriableResponse(HttpMessage message) =>
        message.Request.Content is not StreamedUploadContent { CanResend: false } && base.IsRetriableResponse(message);

    public override bool IsRetriable(HttpMessage message, Exception exception) =>
        message.Request.Content is not StreamedUploadContent { CanResend: false } && base.IsRetriable(message, exception);
}
