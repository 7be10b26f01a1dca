using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace FairDelegation.Protocol.Encryption;

/// <summary>
/// The second stage of the encryption pipeline: hashes (SHA-256) and writes batches of ciphertext, in order, on
/// its own thread, so hashing (the bound of the pipeline) overlaps AES-GCM on the caller's thread. A fixed ring of
/// batches keeps memory constant; nothing is allocated per segment or per batch after start.
/// When every batch is in flight, the caller hashes the oldest one itself instead of waiting: if the hashing
/// thread is descheduled (a busy machine), the pipeline degrades to sequential speed, never below it.
/// Order is kept by taking a batch from the FIFO and hashing it under one lock.
/// </summary>
internal sealed class HashingWriter : IDisposable
{
    internal sealed class Batch(int capacity)
    {
        public readonly byte[] Buffer = new byte[capacity];
        public int Count;
    }

    private readonly Stream _output;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly BlockingCollection<Batch> _free;
    private readonly ConcurrentQueue<Batch> _filled = new();
    private readonly SemaphoreSlim _submitted = new(0);
    private readonly Lock _hashLock = new();
    private readonly CancellationTokenSource _cts;
    private readonly Thread? _thread;
    private volatile bool _completing;
    private Exception? _failure;
    private long _written;

    // pipelined = false: no hashing thread; the caller hashes every batch (the bench's sequential reference).
    public HashingWriter(Stream output, int batchCapacity, int batches, CancellationToken cancellationToken, bool pipelined = true)
    {
        _output = output;
        _free = new BlockingCollection<Batch>(new ConcurrentQueue<Batch>(), batches);
        for (var i = 0; i < batches; i++) _free.Add(new Batch(batchCapacity));
        _cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (!pipelined) return;
        _thread = new Thread(Run) { IsBackground = true, Name = "work-encryption hash+write" };
        _thread.Start();
    }

    /// <summary>An empty batch to fill. With none free, hashes the oldest filled batch itself, else waits.</summary>
    public Batch Rent()
    {
        try
        {
            Batch? b;
            while (!_free.TryTake(out b))
            {
                ThrowFailure();
                if (!TryConsumeOne()) { b = _free.Take(_cts.Token); break; }
            }
            b.Count = 0;
            return b;
        }
        catch (OperationCanceledException) { ThrowFailure(); throw; }
    }

    /// <summary>Queues a filled batch for hashing and writing.</summary>
    public void Submit(Batch batch)
    {
        ThrowFailure();
        _filled.Enqueue(batch);
        _submitted.Release();
    }

    /// <summary>Waits for every batch to be hashed and written; returns the SHA-256 and the byte count.</summary>
    public (byte[] Hash, long Length) Complete()
    {
        _completing = true;
        _submitted.Release();
        _thread?.Join();
        while (TryConsumeOne()) { }
        ThrowFailure();
        _cts.Token.ThrowIfCancellationRequested();
        _output.Flush();
        return (_hash.GetHashAndReset(), _written);
    }

    private void Run()
    {
        try
        {
            while (true)
            {
                _submitted.Wait(_cts.Token);
                // The caller may have hashed this batch already (then the queue is empty): nothing to do.
                while (TryConsumeOne()) { }
                if (_completing && _filled.IsEmpty) return;
            }
        }
        catch (OperationCanceledException) when (_cts.IsCancellationRequested)
        {
        }
    }

    /// <summary>Hashes and writes the oldest filled batch, if any; false when the queue is empty.</summary>
    private bool TryConsumeOne()
    {
        if (_failure is not null) return false;
        Batch? b;
        lock (_hashLock)
        {
            if (!_filled.TryDequeue(out b)) return false;
            try
            {
                var data = b.Buffer.AsSpan(0, b.Count);
                _hash.AppendData(data);
                _output.Write(data);
                _written += b.Count;
            }
            catch (Exception e)
            {
                _failure = e;
                _cts.Cancel();
                return false;
            }
        }
        _free.Add(b);
        return true;
    }

    private void ThrowFailure()
    {
        if (_failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(_failure);
    }

    public void Dispose()
    {
        // Stop the thread if the producer failed half-way.
        if (_thread is { IsAlive: true })
        {
            _cts.Cancel();
            _thread.Join();
        }
        _hash.Dispose();
        _cts.Dispose();
        _free.Dispose();
        _submitted.Dispose();
    }
}
