
namespace FairDelegation.Node.Chain;

/// <summary>The chain's current time (latest block timestamp): deadlines are measured in it, not in the node's clock.</summary>
public sealed class ReadChainTime(EscrowGateway escrow) : TaskActivity<object?, long>
{
    public override Task<long> RunAsync(TaskActivityContext context, object? input) => escrow.ChainTimeAsync(CancellationToken.None);
}
