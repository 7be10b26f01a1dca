using System.Collections.Concurrent;
using System.Numerics;
using FairDelegation.Chain.Crypto;
using FairDelegation.Chain.Rpc;

namespace FairDelegation.Chain.Transactions;

/// <summary>
/// Hands out nonces per account so that concurrent sends never collide: a send holds the account's lock from
/// choosing its nonce until the node accepted the transaction, and the next nonce advances only on acceptance
/// (a failed send leaves no gap). The first use, and every <see cref="Reset"/>, reads the account's pending
/// transaction count from the node; "nonce too low" and dropped transactions are recovered that way.
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
        var state = _accounts.GetOrAdd(account, _ => new AccountNonce());
        await state.Lock.WaitAsync(ct);
        try
        {
            state.Next ??= await rpc.GetTransactionCountAsync(account, "pending", ct);
            var result = await send(state.Next.Value);
            state.Next = state.Next.Value + 1;
            return result;
        }
        finally
        {
            state.Lock.Release();
        }
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
    }
}
