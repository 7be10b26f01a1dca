using FairDelegation.Node.Customer;
using FairDelegation.Node.Model;
using FairDelegation.Node.Provider;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace FairDelegation.Functions.Workflows;

/// <summary>
/// One orchestrator function per role. Each body is the node's own orchestrator class run on the context the Durable
/// Functions runtime gives: the workflow code is the node's, not a copy. (Microsoft.DurableTask.Generators would write
/// these; it is not served here, so they are written by hand, the way it writes them.)
/// </summary>
public static class OrchestratorFunctions
{
    /// <summary>The customer's side, steps (0) to (11).</summary>
    [Function(nameof(CustomerDelegation))]
    public static Task<DelegationOutcome> RunCustomerDelegation([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new CustomerDelegation().RunAsync(context, context.GetInput<CustomerDelegationInput>()
                                                   ?? throw new InvalidOperationException("CustomerDelegation needs its input"));

    /// <summary>The provider's side, steps (0) to (10).</summary>
    [Function(nameof(ProviderDelegation))]
    public static Task<DelegationOutcome> RunProviderDelegation([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new ProviderDelegation().RunAsync(context, context.GetInput<ProviderDelegationInput>()
                                                   ?? throw new InvalidOperationException("ProviderDelegation needs its input"));
}
