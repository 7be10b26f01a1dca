using System.Security.Cryptography;

namespace FairDelegation.Storage.Azure;

/// <summary>A forward-only source of unknown length, SHA-256 computed as the SDK reads it; the source's own failure is kept.</summary>
internal sealed class HashingReadStream(Stream source) : Stream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long _read;
    private byte[]? _sha256;

    public Exception? SourceError { get; private set; }

    /// <summary>The SHA-256 of everything read (call once the SDK has read the source to its end).</summary>
    public byte[] Sha256() => _sha256 ??= _hash.GetHashAndReset();

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => _read;
    public override long Position { get => _read; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n;
        try { n = source.Read(buffer); }
        catch (Exception e) when (SourceError is null) { SourceError = e; throw; }
        return Account(buffer[..n]);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n;
        try { n = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false); }
        catch (Exception e) when (SourceError is null) { SourceError = e; throw; }
        return Account(buffer.Span[..n]);
    }

    private int Account(ReadOnlySpan<byte> chunk)
    {
        _hash.AppendData(chunk);
        _read += chunk.Length;
        return chunk.Length;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) _hash.Dispose();
        base.Dispose(disposing);
    }
}
