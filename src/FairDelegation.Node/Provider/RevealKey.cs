using FairDelegation.Node.Chain;
using FairDelegation.Node.Keys;
using FairDelegation.Node.Model;

namespace FairDelegation.Node.Provider;

/// <summary>
/// Step (10): reveal sk_sp to the contract (claim). The contract checks P(pk_sp, sk_sp) and pays the payee fixed at (8),
/// whoever sends the claim. The key leaves the key store only for this call; an earlier claim is returned if any. Nothing is
/// broadcast when the claim could not land before the deadline minus the margin (issue 11 #6).
/// </summary>
public sealed class RevealKey(EscrowGateway escrow, KeyStore keys, Microsoft.Extensions.Options.IOptions<FairDelegation.Node.Configuration.NodeOptions> options) : TaskActivity<RevealKeyInput, ChainTransaction>
{
    public override async Task<ChainTransaction> RunAsync(TaskActivityContext context, RevealKeyInput input)
    {
        using var sk = keys.Open(input.WorkKeyId);
        var copy = sk.Bytes.ToArray();
        try
        {
            // The margin is read here, not from the input: a re-run after a restart applies it to the chain's time then.
            return await escrow.ClaimAsync(EscrowGateway.TermsOf(input.Opened), copy, options.Value.Timeouts.DeadlineMargin, CancellationToken.None);
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(copy);
        }
    }
}
