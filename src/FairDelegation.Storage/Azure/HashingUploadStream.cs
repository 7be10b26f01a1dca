using System.Security.Cryptography;

namespace FairDelegation.Storage.Azure;

/// <summary>
/// The body of a known-length upload as the SDK reads it: exactly the declared bytes of the source, SHA-256 computed on
/// the way (no second pass), the end of the source checked, and a rewind to the start (the SDK's retry of the request)
/// restarting the hash. The source's own failure is kept so the caller sees it rather than the SDK's wrapping.
/// </summary>
internal sealed class HashingUploadStream : Stream
{
    private readonly Stream _source;
    private readonly long _length;
    private readonly long _origin;
    private IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long _read;
    private byte[]? _sha256;

    public HashingUploadStream(Stream source, long length)
    {
        _source = source;
        _length = length;
        _origin = source.CanSeek ? source.Position : -1;
    }

    /// <summary>The source's failure (or a wrong length), when reading it failed.</summary>
    public Exception? SourceError { get; private set; }

    /// <summary>SHA-256 of the bytes sent, once the whole declared length was read and the source had nothing more.</summary>
    public byte[] Sha256 => _sha256 ?? throw new InvalidOperationException("the upload body was not read to its end");

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length => _length;

    public override long Position
    {
        get => _read;
        set => Seek(value, SeekOrigin.Begin);
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        var target = origin switch { SeekOrigin.Begin => offset, SeekOrigin.Current => _read + offset, _ => _length + offset };
        if (target == _read) return _read;
        // Only a rewind to the start, for a retry of the whole request; a source that failed is not sent again.
        if (target != 0 || SourceError is not null || _origin < 0)
            throw new NotSupportedException("the upload's source cannot be read again" + (SourceError is null ? "" : $": {SourceError.Message}"));
        _source.Position = _origin;
        _hash.Dispose();
        _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        _read = 0;
        _sha256 = null;
        return 0;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var want = (int)Math.Min(buffer.Length, _length - _read);
        if (want == 0) return Finish(() => _source.Read(new byte[1]));
        int n;
        try { n = _source.Read(buffer[..want]); }
        catch (Exception e) when (SourceError is null) { SourceError = e; throw; }
        return Account(buffer[..n]);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var want = (int)Math.Min(buffer.Length, _length - _read);
        if (want == 0)
        {
            var probe = new byte[1];
            var extra = await GuardAsync(() => _source.ReadAsync(probe, cancellationToken)).ConfigureAwait(false);
            return Finish(() => extra);
        }
        var n = await GuardAsync(() => _source.ReadAsync(buffer[..want], cancellationToken)).ConfigureAwait(false);
        return Account(buffer.Span[..n]);
    }

    private int Account(ReadOnlySpan<byte> chunk)
    {
        if (chunk.Length == 0) Fail(new BlobSourceLengthException(_length, _read, atLeast: false));
        _hash.AppendData(chunk);
        _read += chunk.Length;
        return chunk.Length;
    }

    private int Finish(Func<int> readOneMore)
    {
        if (_sha256 is not null) return 0;
        if (readOneMore() != 0) Fail(new BlobSourceLengthException(_length, _length + 1, atLeast: true));
        _sha256 = _hash.GetHashAndReset();
        return 0;
    }

    private async ValueTask<int> GuardAsync(Func<ValueTask<int>> read)
    {
        try { return await read().ConfigureAwait(false); }
        catch (Exception e) when (SourceError is null) { SourceError = e; throw; }
    }

    private void Fail(Exception e)
    {
        SourceError ??= e;
        throw e;
    }

    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) _hash.Dispose();
        base.Dispose(disposing);
    }
}
