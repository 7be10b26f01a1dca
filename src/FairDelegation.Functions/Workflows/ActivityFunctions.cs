using FairDelegation.Node.Chain;
using FairDelegation.Node.Customer;
using FairDelegation.Node.Model;
using FairDelegation.Node.Provider;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.Extensions.DependencyInjection;

namespace FairDelegation.Functions.Workflows;

/// <summary>
/// One activity function per protocol step, each running the node's own activity class (made from the app's services,
/// as the node's worker makes it) with the instance id the runtime binds (the idempotency keys of the steps use it).
/// The function names are the activity names the orchestrators call.
/// </summary>
public sealed class ActivityFunctions(IServiceProvider services)
{
    // Customer steps
    [Function(nameof(ChooseProvider))]
    public Task<MarketChoice> RunChooseProvider([ActivityTrigger] DelegationRequest input, string instanceId) =>
        Run<ChooseProvider, DelegationRequest, MarketChoice>(nameof(ChooseProvider), input, instanceId);

    [Function(nameof(FixTerms))]
    public Task<FixTermsResult> RunFixTerms([ActivityTrigger] DelegationRequest input, string instanceId) =>
        Run<FixTerms, DelegationRequest, FixTermsResult>(nameof(FixTerms), input, instanceId);

    [Function(nameof(CreateVerifier))]
    public Task<StoredBlob> RunCreateVerifier([ActivityTrigger] CreateVerifierInput input, string instanceId) =>
        Run<CreateVerifier, CreateVerifierInput, StoredBlob>(nameof(CreateVerifier), input, instanceId);

    [Function(nameof(SendRequest))]
    public Task<PeerResult> RunSendRequest([ActivityTrigger] SendRequestInput input, string instanceId) =>
        Run<SendRequest, SendRequestInput, PeerResult>(nameof(SendRequest), input, instanceId);

    [Function(nameof(CheckStamp))]
    public Task<CheckStampResult> RunCheckStamp([ActivityTrigger] CheckStampInput input, string instanceId) =>
        Run<CheckStamp, CheckStampInput, CheckStampResult>(nameof(CheckStamp), input, instanceId);

    [Function(nameof(OpenEscrow))]
    public Task<ChainTransaction> RunOpenEscrow([ActivityTrigger] OpenEscrowInput input, string instanceId) =>
        Run<OpenEscrow, OpenEscrowInput, ChainTransaction>(nameof(OpenEscrow), input, instanceId);

    [Function(nameof(RefundEscrow))]
    public Task<RefundResult> RunRefundEscrow([ActivityTrigger] RefundEscrowInput input, string instanceId) =>
        Run<RefundEscrow, RefundEscrowInput, RefundResult>(nameof(RefundEscrow), input, instanceId);

    [Function(nameof(DecryptWork))]
    public Task<string> RunDecryptWork([ActivityTrigger] DecryptWorkInput input, string instanceId) =>
        Run<DecryptWork, DecryptWorkInput, string>(nameof(DecryptWork), input, instanceId);

    // Provider steps
    [Function(nameof(ProduceWork))]
    public Task<ProduceWorkResult> RunProduceWork([ActivityTrigger] ProduceWorkInput input, string instanceId) =>
        Run<ProduceWork, ProduceWorkInput, ProduceWorkResult>(nameof(ProduceWork), input, instanceId);

    [Function(nameof(RunVerifier))]
    public Task<VerifierResult> RunRunVerifier([ActivityTrigger] RunVerifierInput input, string instanceId) =>
        Run<RunVerifier, RunVerifierInput, VerifierResult>(nameof(RunVerifier), input, instanceId);

    [Function(nameof(DeliverWork))]
    public Task<PeerResult> RunDeliverWork([ActivityTrigger] DeliverWorkInput input, string instanceId) =>
        Run<DeliverWork, DeliverWorkInput, PeerResult>(nameof(DeliverWork), input, instanceId);

    [Function(nameof(CheckEscrow))]
    public Task<CheckEscrowResult> RunCheckEscrow([ActivityTrigger] CheckEscrowInput input, string instanceId) =>
        Run<CheckEscrow, CheckEscrowInput, CheckEscrowResult>(nameof(CheckEscrow), input, instanceId);

    [Function(nameof(RevealKey))]
    public Task<ChainTransaction> RunRevealKey([ActivityTrigger] RevealKeyInput input, string instanceId) =>
        Run<RevealKey, RevealKeyInput, ChainTransaction>(nameof(RevealKey), input, instanceId);

    [Function(nameof(PaymentReceived))]
    public Task<PeerResult> RunPaymentReceived([ActivityTrigger] PaymentReceivedInput input, string instanceId) =>
        Run<PaymentReceived, PaymentReceivedInput, PeerResult>(nameof(PaymentReceived), input, instanceId);

    // Both roles
    [Function(nameof(ReadConfirmations))]
    public Task<ConfirmationState> RunReadConfirmations([ActivityTrigger] ReadConfirmationsInput input, string instanceId) =>
        Run<ReadConfirmations, ReadConfirmationsInput, ConfirmationState>(nameof(ReadConfirmations), input, instanceId);

    [Function(nameof(ReadChainTime))]
    public Task<long> RunReadChainTime([ActivityTrigger] object? input, string instanceId) =>
        Run<ReadChainTime, object?, long>(nameof(ReadChainTime), input, instanceId);

    private Task<TOutput> Run<TActivity, TInput, TOutput>(string name, TInput input, string instanceId)
        where TActivity : TaskActivity<TInput, TOutput> =>
        ActivatorUtilities.GetServiceOrCreateInstance<TActivity>(services).RunAsync(new FunctionActivityContext(name, instanceId), input);

    /// <summary>The activity context of one invocation: its name and its orchestration's instance id.</summary>
    private sealed class FunctionActivityContext(string name, string instanceId) : TaskActivityContext
    {
        public override TaskName Name { get; } = new(name);
        public override string InstanceId { get; } = instanceId;
    }
}
