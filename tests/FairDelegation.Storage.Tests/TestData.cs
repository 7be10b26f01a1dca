namespace FairDelegation.Storage.Tests;

internal static class TestData
{
    /// <summary>Deterministic pseudo-random bytes (not zeros: a bug that drops or reorders blocks shows).</summary>
    public static byte[] Bytes(int length, int seed = 1)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    public static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        await using (stream)
        {
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            return copy.ToArray();
        }
    }

    public static byte[] Sha256(byte[] data) => System.Security.Cryptography.SHA256.HashData(data);
}

/// <summary>
/// A source stream that hands out its data, then at <paramref name="failAt"/> bytes runs a hook (pause, fail, kill a
/// server). Seekable or not (a seekable one declares its length and takes a store's known-length path).
/// </summary>
internal sealed class ScriptedStream(byte[] data, long failAt, Func<Task> atFailPoint, bool seekable = false) : Stream
{
    private long _position;
    private bool _fired;

    public override bool CanRead => true;
    public override bool CanSeek => seekable;
    public override bool CanWrite => false;
    public override long Length => seekable ? data.Length : throw new NotSupportedException();

    public override long Position
    {
        get => _position;
        set => _position = seekable ? value : throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!_fired && _position >= failAt)
        {
            _fired = true;
            await atFailPoint();
        }
        var limit = _fired ? data.Length : failAt;
        var n = (int)Math.Min(buffer.Length, limit - _position);
        data.AsMemory((int)_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>Hides a stream's seekability (and length): the store must take its unknown-length path.</summary>
internal sealed class NonSeekableStream(Stream inner) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>A seekable stream whose Length lies: it declares <paramref name="declared"/> bytes but holds <paramref name="data"/>.</summary>
internal sealed class LyingLengthStream(byte[] data, long declared) : Stream
{
    private readonly MemoryStream _inner = new(data, writable: false);

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length => declared;
    public override long Position { get => _inner.Position; set => _inner.Position = value; }
    public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _inner.ReadAsync(buffer, cancellationToken);
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => _inner.Seek(offset, origin);
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
