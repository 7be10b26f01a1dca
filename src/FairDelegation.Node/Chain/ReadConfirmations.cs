using FairDelegation.Durable;
using FairDelegation.Node.Model;

namespace FairDelegation.Node.Chain;

/// <summary>How deep a transaction is on the canonical chain (a receipt whose block was reorganised away counts 0).</summary>
public sealed class ReadConfirmations(EscrowGateway escrow) : TaskActivity<ReadConfirmationsInput, ConfirmationState>
{
    public override async Task<ConfirmationState> RunAsync(TaskActivityContext context, ReadConfirmationsInput input)
    {
        var (confirmations, receipt) = await escrow.ConfirmationsAsync(input.TransactionHash, context.CancellationToken);
        if (receipt is null) return new ConfirmationState(false, 0, null);
        var tx = new ChainTransaction
        {
            Step = input.Step, Hash = receipt.TransactionHash, BlockNumber = receipt.BlockNumber, BlockHash = receipt.BlockHash,
            GasUsed = receipt.GasUsed, EffectiveGasPrice = receipt.EffectiveGasPrice, Succeeded = receipt.Succeeded,
        };
        return new ConfirmationState(confirmations >= input.Required, confirmations, tx);
    }
}
