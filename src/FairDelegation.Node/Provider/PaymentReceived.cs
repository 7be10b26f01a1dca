using FairDelegation.Chain.Crypto;
using FairDelegation.Chain.Escrow;
using FairDelegation.Node.Chain;
using FairDelegation.Node.Model;

namespace FairDelegation.Node.Provider;

/// <summary>
/// Step (11'): the wage reached the payee: the claim is mined and succeeded, its receipt carries our KeyRevealed, and
/// the escrow is marked claimed (the contract paid the payee in the same transaction).
/// </summary>
public sealed class PaymentReceived(EscrowGateway escrow) : TaskActivity<PaymentReceivedInput, PeerResult>
{
    public override async Task<PeerResult> RunAsync(TaskActivityContext context, PaymentReceivedInput input)
    {
        var ct = CancellationToken.None;
        var (_, receipt) = await escrow.ConfirmationsAsync(input.Claim.Hash, ct);
        if (receipt is null) return PeerResult.Refuse($"the claim {input.Claim.Hash} is not on the chain");
        if (!receipt.Succeeded) return PeerResult.Refuse($"the claim {input.Claim.Hash} reverted");
        var workKey = EthereumAddress.Parse(input.Opened.WorkKey);
        if (!escrow.Contract.EventsOf(receipt).OfType<KeyRevealed>().Any(k => k.RevealedWorkKey == workKey))
            return PeerResult.Refuse($"the claim {input.Claim.Hash} did not reveal work key {workKey}");
        if (await escrow.Contract.GetStateAsync(workKey, ct) != EscrowState.Claimed)
            return PeerResult.Refuse($"escrow {workKey} is not marked claimed");
        return PeerResult.Ok;
    }
}
