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

/// <summary>A source stream that hands out its data, then at <paramref name="failAt"/> bytes runs a hook (pause, fail, kill a server).</summary>
internal sealed class ScriptedStream(byte[] data, long failAt, Func<Task> atFailPoint) : Stream
{
    private long _position;
    private bool _fired;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _position; set => throw new NotSupportedException(); }

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
