using FairDelegation.Node.Chain;
using FairDelegation.Node.Model;

namespace FairDelegation.Node.Customer;

/// <summary>
/// Step (8): deposit the wage in the escrow against the work key address(pk_sp), H(w'), the payee and the deadline.
/// Safe to repeat: if the escrow is already open with these terms, the earlier transaction is returned.
/// </summary>
public sealed class OpenEscrow(EscrowGateway escrow) : TaskActivity<OpenEscrowInput, ChainTransaction>
{
    public override Task<ChainTransaction> RunAsync(TaskActivityContext context, OpenEscrowInput input) =>
        escrow.OpenAsync(input.Agreement, input.WorkHash, CancellationToken.None);
}
