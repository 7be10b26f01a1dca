using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace FairDelegation.Protocol.Encryption;

/// <summary>
/// The second stage of the encryption pipeline: hashes (SHA-256) and writes batches of ciphertext on its own
/// thread, so hashing, the bound of the pipeline, overlaps AES-GCM on the caller's thread. A fixed ring of
/// batches keeps memory constant; nothing is allocated per segment or per batch after start.
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
    private readonly BlockingCollection<Batch> _filled;
    private readonly CancellationTokenSource _cts;
    private readonly Thread _thread;
    private Exception? _failure;
    private long _written;

    public HashingWriter(Stream output, int batchCapacity, int batches, CancellationToken cancellationToken)
    {
        _output = output;
        _free = new BlockingCollection<Batch>(new ConcurrentQueue<Batch>(), batches);
        _filled = new BlockingCollection<Batch>(new ConcurrentQueue<Batch>(), batches);
        for (var i = 0; i < batches; i++) _free.Add(new Batch(batchCapacity));
        _cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _thread = new Thread(Run) { IsBackground = true, Name = "work-encryption hash+write" };
        _thread.Start();
    }

    /// <summary>An empty batch to fill; blocks while all batches are in flight.</summary>
    public Batch Rent()
    {
        try
        {
            var b = _free.Take(_cts.Token);
            b.Count = 0;
            return b;
        }
        catch (OperationCanceledException) { ThrowFailure(); throw; }
    }

    /// <summary>Hands a filled batch to the hash+write thread.</summary>
    public void Submit(Batch batch)
    {
        try { _filled.Add(batch, _cts.Token); }
        catch (OperationCanceledException) { ThrowFailure(); throw; }
    }

    /// <summary>Waits for every batch to be hashed and written; returns the SHA-256 and the byte count.</summary>
    public (byte[] Hash, long Length) Complete()
    {
        _filled.CompleteAdding();
        _thread.Join();
        ThrowFailure();
        _cts.Token.ThrowIfCancellationRequested();
        _output.Flush();
        return (_hash.GetHashAndReset(), _written);
    }

    private void Run()
    {
        try
        {
            foreach (var b in _filled.GetConsumingEnumerable(_cts.Token))
            {
                var data = b.Buffer.AsSpan(0, b.Count);
                _hash.AppendData(data);
                _output.Write(data);
                _written += b.Count;
                _free.Add(b, _cts.Token);
            }
        }
        catch (OperationCanceledException) when (_cts.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            _failure = e;
            _cts.Cancel();
        }
    }

    private void ThrowFailure()
    {
        if (_failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(_failure);
    }

    public void Dispose()
    {
        // Stop the thread if the producer failed half-way.
        if (_thread.IsAlive)
        {
            _cts.Cancel();
            _thread.Join();
        }
        _hash.Dispose();
        _cts.Dispose();
        _free.Dispose();
        _filled.Dispose();
    }
}
