namespace FairDelegation.Storage;

/// <summary>
/// Reads exactly <c>length</c> bytes from a source that declared that length, and fails with
/// <see cref="BlobSourceLengthException"/> when the source ends early or still has bytes after them: a store that
/// trusts a declared length must never commit a truncated or cut-off blob silently.
/// </summary>
internal sealed class DeclaredLengthStream(Stream inner, long length) : Stream
{
    private long _position;
    private bool _checkedEnd;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => length;
    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (buffer.Length == 0) return 0;
        if (_position == length) return CheckEnd(inner.Read(stackalloc byte[1]));
        var n = inner.Read(buffer[..(int)Math.Min(buffer.Length, length - _position)]);
        return Advance(n);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.Length == 0) return 0;
        if (_position == length)
        {
            var probe = new byte[1];
            return CheckEnd(await inner.ReadAsync(probe, cancellationToken).ConfigureAwait(false));
        }
        var n = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, length - _position)], cancellationToken).ConfigureAwait(false);
        return Advance(n);
    }

    private int Advance(int n)
    {
        if (n == 0) throw new BlobSourceLengthException(length, _position, atLeast: false);
        _position += n;
        return n;
    }

    /// <summary>After the declared bytes the source must be at its end.</summary>
    private int CheckEnd(int probed)
    {
        if (!_checkedEnd && probed > 0) throw new BlobSourceLengthException(length, length + probed, atLeast: true);
        _checkedEnd = true;
        return 0;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
