using System.Security.Cryptography;

namespace FairDelegation.Storage.Azure;

/// <summary>
/// A whole blob as downloaded, hashed as it is read; at its end the SHA-256 must equal the one recorded with the blob at
/// write time, or the read fails (a damaged or substituted blob is never returned as good).
/// </summary>
internal sealed class VerifyingReadStream(Stream inner, byte[] expectedSha256, string name) : Stream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private bool _checked;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => inner.Length;
    public override long Position { get => inner.Position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer) => Account(buffer, inner.Read(buffer));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        return Account(buffer.Span, n);
    }

    private int Account(ReadOnlySpan<byte> buffer, int n)
    {
        if (n > 0) _hash.AppendData(buffer[..n]);
        else if (buffer.Length > 0 && !_checked)
        {
            _checked = true;
            var actual = _hash.GetHashAndReset();
            if (!actual.AsSpan().SequenceEqual(expectedSha256))
                throw new BlobStoreException($"blob '{name}' is damaged: its SHA-256 {Convert.ToHexStringLower(actual)} differs from the " +
                                             $"{Convert.ToHexStringLower(expectedSha256)} recorded when it was written");
        }
        return n;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
            inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
