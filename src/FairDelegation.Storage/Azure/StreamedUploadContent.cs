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

    /// <summary>Whether the last attempt sent the whole body.</summary>
    public bool Complete => _sent == _length;

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
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            while (_sent < _length)
            {
                int n;
                try
                {
                    n = await _source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(CopyBufferSize, _length - _sent)), cancellationToken).ConfigureAwait(false);
                    if (n == 0) throw new BlobSourceLengthException(_length, _sent, atLeast: false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    SourceError = e;
                    throw;
                }
                _sha256.AppendData(buffer, 0, n);
                _md5?.AppendData(buffer, 0, n);
                await stream.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                _sent += n;
            }
            // The declared bytes are sent; the source must be at its end, or the blob would be silently cut off. (The
            // request is aborted by this exception; if the service still took the whole body, only the staging blob has it.)
            int extra;
            try
            {
                extra = await _source.ReadAsync(buffer.AsMemory(0, 1), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                SourceError = e;
                throw;
            }
            if (extra > 0)
            {
                SourceError = new BlobSourceLengthException(_length, _length + extra, atLeast: true);
                throw SourceError;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

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
