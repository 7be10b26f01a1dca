using FairDelegation.Chain.Crypto;
using FairDelegation.Node.Chain;
using FairDelegation.Node.Keys;

namespace FairDelegation.Node.Customer;

/// <summary>
/// After the deadline with no key revealed: take the deposit back (no transaction when no escrow holds it). If the provider claimed after all (a race at the
/// deadline), the revealed key is read from the chain into the key store and its id returned instead.
/// </summary>
public sealed class RefundEscrow(EscrowGateway escrow, KeyStore keys) : TaskActivity<RefundEscrowInput, RefundResult>
{
    public override async Task<RefundResult> RunAsync(TaskActivityContext context, RefundEscrowInput input)
    {
        var terms = EscrowGateway.TermsOf(input.Agreement.ParseTerms(), input.WorkHash);
        var (tx, claimed) = await escrow.RefundAsync(terms, CancellationToken.None);
        if (claimed is not null)
        {
            var keyId = RevealedKeys.Store(keys, claimed.RevealedWorkKey, claimed.PrivateKey);
            return new RefundResult(null, true, keyId);
        }
        if (tx is { Succeeded: false })
            throw new InvalidOperationException($"the refund of escrow {terms.WorkKey} failed: {tx.FailureReason}");
        return new RefundResult(tx, false, null);
    }
}

/// <summary>Keys revealed on chain, kept in the key store like any other (workflows carry the id).</summary>
public static class RevealedKeys
{
    public static string IdFor(EthereumAddress workKey) => "revealed-" + workKey.ToLowerHex();

    /// <summary>Stores a revealed key (idempotent) and returns its id.</summary>
    public static string Store(KeyStore keys, EthereumAddress workKey, byte[] privateKey)
    {
        var id = IdFor(workKey);
        keys.Put(id, privateKey, "revealed-work-key");
        return id;
    }
}
