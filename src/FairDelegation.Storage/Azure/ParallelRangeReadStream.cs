using System.Buffers;

namespace FairDelegation.Storage.Azure;

/// <summary>
/// A blob read as a stream: the first chunk streams from the response already open, the following chunks are
/// fetched ahead by a bounded number of parallel ranged GETs into pooled buffers and handed out in order. Memory is
/// at most (parallelism + 1) chunks, whatever the blob's size.
/// </summary>
internal sealed class ParallelRangeReadStream : Stream
{
    /// <summary>Fills buffer[0..count) with the blob's bytes at offset, or throws.</summary>
    public delegate Task FetchRange(long offset, byte[] buffer, int count, CancellationToken cancellationToken);

    private readonly FetchRange _fetch;
    private readonly ArrayPool<byte> _pool;
    private readonly int _chunkSize;
    private readonly int _parallelism;
    private readonly long _end;
    private readonly Queue<Task<(byte[] Buffer, int Count)>> _pending = new();
    private readonly CancellationTokenSource _stop = new();
    private Stream? _head;
    private long _headRemaining;
    private byte[]? _current;
    private int _currentCount;
    private int _currentPosition;
    private long _nextOffset;
    private bool _disposed;

    public ParallelRangeReadStream(Stream head, long headLength, long nextOffset, long end, int chunkSize, int parallelism,
        ArrayPool<byte> pool, FetchRange fetch)
    {
        _head = head;
        _headRemaining = headLength;
        _nextOffset = nextOffset;
        _end = end;
        _chunkSize = chunkSize;
        _parallelism = Math.Max(1, parallelism);
        _pool = pool;
        _fetch = fetch;
        while (_pending.Count < _parallelism && StartNext()) { }
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (destination.Length == 0) return 0;
        if (_head is not null)
        {
            var n = await _head.ReadAsync(destination[..(int)Math.Min(destination.Length, _headRemaining)], cancellationToken).ConfigureAwait(false);
            _headRemaining -= n;
            if (n > 0 && _headRemaining > 0) return n;
            if (n == 0 && _headRemaining > 0) throw new BlobStoreException($"the download ended {_headRemaining} bytes early");
            await _head.DisposeAsync().ConfigureAwait(false);
            _head = null;
            if (n > 0) return n;
        }
        while (true)
        {
            if (_current is not null && _currentPosition < _currentCount)
            {
                var n = Math.Min(destination.Length, _currentCount - _currentPosition);
                _current.AsMemory(_currentPosition, n).CopyTo(destination);
                _currentPosition += n;
                return n;
            }
            if (_current is not null)
            {
                _pool.Return(_current);
                _current = null;
            }
            if (_pending.Count == 0) return 0;
            cancellationToken.ThrowIfCancellationRequested();
            var next = _pending.Dequeue();
            StartNext();
            (_current, _currentCount) = await next.ConfigureAwait(false);
            _currentPosition = 0;
        }
    }

    private bool StartNext()
    {
        if (_nextOffset >= _end) return false;
        var count = (int)Math.Min(_chunkSize, _end - _nextOffset);
        _pending.Enqueue(FetchAsync(_nextOffset, count));
        _nextOffset += count;
        return true;
    }

    private async Task<(byte[], int)> FetchAsync(long offset, int count)
    {
        var buffer = _pool.Rent(count);
        try
        {
            await _fetch(offset, buffer, count, _stop.Token).ConfigureAwait(false);
            return (buffer, count);
        }
        catch
        {
            _pool.Return(buffer);
            throw;
        }
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            _stop.Cancel();
            _head?.Dispose();
            // Requests still running own their buffers until they finish; hand those back then.
            foreach (var task in _pending)
                _ = task.ContinueWith(t =>
                {
                    if (t.IsCompletedSuccessfully) _pool.Return(t.Result.Item1);
                    else _ = t.Exception;
                }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            _pending.Clear();
            if (_current is not null) _pool.Return(_current);
            _current = null;
            _stop.Dispose();
        }
        base.Dispose(disposing);
    }
}
