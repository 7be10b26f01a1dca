using FairDelegation.Node.Configuration;
using FairDelegation.Node.Model;
using Microsoft.Extensions.Options;

namespace FairDelegation.Node.Chain;

/// <summary>
/// How deep a transaction is on the canonical chain (a receipt whose block was reorganised away counts 0). When the
/// input names the block the transaction was mined in and the blocks the node pushed prove it canonical, no call is
/// made; when it is not deep enough yet and a subscription is live, it waits here for the next block (up to the poll
/// interval) before answering, so the orchestration's timer is the fallback, not the usual path.
/// </summary>
public sealed class ReadConfirmations(EscrowGateway escrow, IOptions<NodeOptions> options) : TaskActivity<ReadConfirmationsInput, ConfirmationState>
{
    public override async Task<ConfirmationState> RunAsync(TaskActivityContext context, ReadConfirmationsInput input)
    {
        var ct = CancellationToken.None;
        var heads = escrow.Rpc.Heads;
        var seen = heads.Sequence;
        var state = await ReadAsync(input, ct);
        if (!state.Confirmed && heads.IsLive && await heads.WaitForNextAsync(seen, options.Value.Chain.PollInterval, ct))
            state = await ReadAsync(input, ct);
        return state;
    }

    private async Task<ConfirmationState> ReadAsync(ReadConfirmationsInput input, CancellationToken ct)
    {
        if (input.Transaction is { BlockNumber: { } number, BlockHash: { } hash } known && known.Hash == input.TransactionHash
            && escrow.KnownConfirmations(number, hash) is { } depth)
            return new ConfirmationState(depth >= input.Required, depth, known);
        var (confirmations, receipt) = await escrow.ConfirmationsAsync(input.TransactionHash, ct);
        if (receipt is null) return new ConfirmationState(false, 0, null);
        var tx = new ChainTransaction
        {
            Step = input.Step, Hash = receipt.TransactionHash, BlockNumber = receipt.BlockNumber, BlockHash = receipt.BlockHash,
            GasUsed = receipt.GasUsed, EffectiveGasPrice = receipt.EffectiveGasPrice, Succeeded = receipt.Succeeded,
            BatchSize = input.Transaction?.BatchSize ?? 1,
        };
        return new ConfirmationState(confirmations >= input.Required, confirmations, tx);
    }
}
