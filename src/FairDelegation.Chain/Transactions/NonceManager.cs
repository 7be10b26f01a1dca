using System.Collections.Concurrent;
using System.Numerics;
using FairDelegation.Chain.Crypto;
using FairDelegation.Chain.Rpc;

namespace FairDelegation.Chain.Transactions;

/// <summary>
/// Hands out nonces per account so that concurrent sends never collide: a send holds the account's lock from
/// choosing its nonce until the node accepted the transaction, and the next nonce advances only on acceptance
/// (a failed send leaves no gap). Each send also weighs the node's pending count (read by the manager, or observed by
/// the sender in the batch that prepares the transaction, so it costs no round trip of its own): if it is ahead
/// (someone else used the account) it wins; if it is behind because a transaction of ours vanished (dropped from the
/// pool, or reorganised away) the vanished nonce is reused instead of queueing behind a gap forever.
/// One instance per process and account: two managers for one account would race.
/// </summary>
public sealed class NonceManager(EthRpcClient rpc)
{
    private readonly ConcurrentDictionary<EthereumAddress, AccountNonce> _accounts = new();

    /// <summary>
    /// Runs <paramref name="send"/> with the account's next nonce while holding the account's lock. The nonce is
    /// consumed when <paramref name="send"/> returns; if it throws, the nonce is free for the next send.
    /// </summary>
    public async Task<T> WithNextNonceAsync<T>(EthereumAddress account, Func<BigInteger, Task<T>> send, CancellationToken ct = default)
    {
        var observedAt = DateTime.UtcNow;
        var pending = await rpc.GetTransactionCountAsync(account, "pending", ct);
        return await WithNextNonceAsync(account, new ObservedNonce(pending, observedAt), send, ct);
    }

    /// <summary>
    /// As above, with the node's pending count already read (at <see cref="ObservedNonce.ObservedUtc"/>, e.g. in a batch
    /// with the gas estimate): no call of its own unless the count is behind ours because a transaction may have vanished.
    /// </summary>
    public async Task<T> WithNextNonceAsync<T>(EthereumAddress account, ObservedNonce observed, Func<BigInteger, Task<T>> send, CancellationToken ct = default)
    {
        var state = _accounts.GetOrAdd(account, _ => new AccountNonce());
        await state.Lock.WaitAsync(ct);
        try
        {
            var pending = observed.PendingCount;
            if (state.Next is not { } next || next < pending) next = pending;
            else if (next > pending && await VanishedAsync(state, pending, observed.ObservedUtc, ct)) next = pending;
            var result = await send(next);
            state.Next = next + 1;
            return result;
        }
        finally
        {
            state.Lock.Release();
        }
    }

    /// <summary>Remembers which transaction used a nonce, so a vanished one can be told from a slow node.</summary>
    public void RecordSent(EthereumAddress account, BigInteger nonce, string transactionHash)
    {
        var state = _accounts.GetOrAdd(account, _ => new AccountNonce());
        lock (state.Sent)
        {
            state.Sent[nonce] = (transactionHash, DateTime.UtcNow);
            while (state.Sent.Count > 256) state.Sent.Remove(state.Sent.Keys.Min());
        }
    }

    private async Task<bool> VanishedAsync(AccountNonce state, BigInteger nonce, DateTime observedUtc, CancellationToken ct)
    {
        (string Hash, DateTime SentUtc) sent;
        bool known;
        lock (state.Sent) known = state.Sent.TryGetValue(nonce, out sent);
        // Without a record we cannot tell; trust the local count (a load-balanced node may lag behind). Sent after the
        // count was read (a concurrent send of ours): the count simply predates it.
        if (!known || sent.SentUtc >= observedUtc) return false;
        return await rpc.GetTransactionByHashAsync(sent.Hash, ct) is null;
    }

    /// <summary>Forget the account's local nonce: the next send re-reads the node's pending count.</summary>
    public void Reset(EthereumAddress account)
    {
        if (_accounts.TryGetValue(account, out var state)) state.Next = null;
    }

    /// <summary>The nonce the next send would use if known locally (null before the first send or after a reset).</summary>
    public BigInteger? Peek(EthereumAddress account) => _accounts.TryGetValue(account, out var s) ? s.Next : null;

    private sealed class AccountNonce
    {
        public readonly SemaphoreSlim Lock = new(1, 1);
        public BigInteger? Next;
        public readonly Dictionary<BigInteger, (string Hash, DateTime SentUtc)> Sent = new();
    }
}

/// <summary>The node's pending transaction count of an account, and when it was asked for.</summary>
public readonly record struct ObservedNonce(BigInteger PendingCount, DateTime ObservedUtc);
