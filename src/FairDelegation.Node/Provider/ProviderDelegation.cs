using FairDelegation.Node.Chain;
using FairDelegation.Node.Configuration;
using FairDelegation.Node.Model;

namespace FairDelegation.Node.Provider;

/// <summary>
/// The provider's side of a fair delegation, steps (0) to (11') of the paper. It never reveals the work key unless
/// a matching escrow is confirmed on chain with enough time left before the deadline.
/// </summary>
public sealed class ProviderDelegation : TaskOrchestrator<ProviderDelegationInput, DelegationOutcome>
{
    public override async Task<DelegationOutcome> RunAsync(TaskOrchestrationContext context, ProviderDelegationInput input)
    {
        var timeouts = input.Timeouts;
        var agreement = new Agreement(input.AgreementId, input.TermsJson, input.CustomerUrl, input.CustomerIdentity);
        var wage = agreement.ParseTerms().Wage;
        var transactions = new List<ChainTransaction>();
        var timeline = new List<StepMark>();
        var attempts = 0;
        string? workHash = null, stamp = null;
        var log = context.CreateReplaySafeLogger<ProviderDelegation>();
        var at = "start"; // the step in progress, for failure details and logs
        DelegationOutcome End(DelegationStatus status, string? reason, DelegationFailure? failure = null)
        {
            failure = status == DelegationStatus.Completed ? null : failure ?? new DelegationFailure(reason ?? status.ToString(), at, status.ToString());
            DelegationLog.Ended(log, context.InstanceId, status, failure);
            context.SetCustomStatus(new StepStatus("end", status.ToString(), input.AgreementId, reason, transactions.Count > 0 ? [.. transactions] : null,
                [.. StepMark.Append(timeline, "end", status.ToString(), reason, context.CurrentUtcDateTime)], stamp, workHash));
            return new DelegationOutcome
            {
                Status = status, Role = NodeRole.Provider, Reason = reason, AgreementId = input.AgreementId, Wage = wage,
                WorkHash = workHash, Attempts = attempts, Transactions = transactions, Failure = failure,
            };
        }
        void Step(string number, string name, string? detail = null)
        {
            at = name;
            context.SetCustomStatus(new StepStatus(number, name, input.AgreementId, detail, transactions.Count > 0 ? [.. transactions] : null,
                [.. StepMark.Append(timeline, number, name, detail, context.CurrentUtcDateTime)], stamp, workHash));
        }

        var revealing = false;
        try
        {
            return await Steps();
        }
        catch (TaskFailedException e) when (!revealing)
        {
            // A step failed for good before any money was at stake: end with the reason instead of a crash.
            var reason = $"{e.TaskName} failed: {e.FailureDetails.ErrorMessage}; the work key was not revealed";
            return End(DelegationStatus.Failed, reason, DelegationFailure.FromTask(e, reason));
        }
        catch (Exception e) when (DelegationLog.Crashed(log, context.InstanceId, at, e))
        {
            throw; // not reached: the filter logs and declines, so the engine records the failure with its details
        }

        async Task<DelegationOutcome> Steps()
        {
            // (0) the quote (work key made, wage_sp fixed) was answered by Quote; now wait for the request (2).
            Step("0", nameof(Quote), "waiting for the request");
            RequestReceivedEvent request;
            try
            {
                request = await context.WaitForExternalEvent<RequestReceivedEvent>(DelegationEvents.RequestReceived, timeouts.Request);
            }
            catch (TaskCanceledException) // the SDK ends a timed-out WaitForExternalEvent this way
            {
                return End(DelegationStatus.Abandoned, $"the customer sent no request within {timeouts.Request}");
            }

            // (3) produce the work, (4-5) have the customer's verifier check, encrypt and stamp it; retry on a violation.
            VerifierResult? verified = null;
            while (verified is null)
            {
                attempts++;
                Step("3", nameof(ProduceWork), $"attempt {attempts}");
                var produced = await context.CallActivityAsync<ProduceWorkResult>(nameof(ProduceWork), new ProduceWorkInput(agreement, request, attempts), StepRetry.Network);
                string reason;
                if (produced.WorkBlob is null)
                {
                    reason = produced.Error!;
                }
                else
                {
                    Step("4-5", nameof(RunVerifier), $"attempt {attempts}");
                    var result = await context.CallActivityAsync<VerifierResult>(nameof(RunVerifier),
                        new RunVerifierInput(agreement, request.Verifier, produced.WorkBlob, attempts), StepRetry.Network);
                    if (result.Compliant)
                    {
                        verified = result;
                        break;
                    }
                    reason = result.Reason!;
                }
                if (attempts > input.RetryBudget)
                    return End(DelegationStatus.Failed, $"no SLA-compliant work after {attempts} attempts; last: {reason}");
            }
            workHash = verified.WorkHash;
            stamp = verified.Stamp;

            // (6) w' stays in the provider's store; a fetchable reference and the stamp go to the customer.
            Step("6", nameof(DeliverWork));
            var delivered = await context.CallActivityAsync<PeerResult>(nameof(DeliverWork), new DeliverWorkInput(agreement, verified), StepRetry.Network);
            if (!delivered.Accepted) return End(DelegationStatus.Abandoned, $"the customer refused the delivery: {delivered.Reason}");

            // (8) is the customer's: wait for the escrow, then (9) check it on chain. Nothing is revealed on a timeout.
            var giveUpAt = context.CurrentUtcDateTime + timeouts.EscrowOpen;
            while (true)
            {
                Step("8", "WaitForEscrow");
                EscrowOpenedEvent opened;
                try
                {
                    var left = giveUpAt - context.CurrentUtcDateTime;
                    if (left <= TimeSpan.Zero) throw new TaskCanceledException();
                    opened = await context.WaitForExternalEvent<EscrowOpenedEvent>(DelegationEvents.EscrowOpened, left);
                }
                catch (TaskCanceledException) // the SDK ends a timed-out WaitForExternalEvent this way
                {
                    return End(DelegationStatus.Abandoned, $"no escrow was opened within {timeouts.EscrowOpen}; the work key was not revealed");
                }

                Step("9", nameof(CheckEscrow));
                var check = await Check(context, agreement, verified, opened, timeouts, giveUpAt);
                if (check.Verdict == EscrowVerdict.Reorged) continue; // the opening vanished in a reorg: wait for it again
                if (check.Verdict != EscrowVerdict.Accepted) return End(DelegationStatus.Abandoned, $"escrow refused, the work key was not revealed: {check.Reason}");

                // (10) reveal sk_sp to the contract (claim), paid to the payee fixed at (8); wait for confirmations.
                Step("10", nameof(RevealKey));
                revealing = true;
                var claim = await context.CallActivityAsync<ChainTransaction>(nameof(RevealKey), new RevealKeyInput(agreement, input.WorkKeyId, opened), StepRetry.Chain);
                transactions.Add(claim);
                if (!claim.Succeeded)
                    return End(DelegationStatus.Failed, claim.Hash.Length == 0
                        ? $"the claim was not sent, the work key was not revealed: {claim.FailureReason}"
                        : $"the claim reverted: {claim.FailureReason}");
                Step("10", nameof(RevealKey), "waiting for confirmations");
                var confirmed = await Confirmations.WaitAsync(context, claim, timeouts);
                if (confirmed is not null) transactions[^1] = confirmed;

                // (11') the wage reached the payee.
                Step("11'", nameof(PaymentReceived));
                var paid = await context.CallActivityAsync<PeerResult>(nameof(PaymentReceived), new PaymentReceivedInput(agreement, opened, transactions[^1]), StepRetry.Chain);
                return paid.Accepted ? End(DelegationStatus.Completed, null) : End(DelegationStatus.Failed, paid.Reason);
            }
        }
    }

    /// <summary>(9) repeated until the escrow has its confirmations, or refused.</summary>
    private static async Task<CheckEscrowResult> Check(TaskOrchestrationContext context, Agreement agreement, VerifierResult verified,
        EscrowOpenedEvent opened, DelegationTimeouts timeouts, DateTime giveUpAt)
    {
        while (true)
        {
            var check = await context.CallActivityAsync<CheckEscrowResult>(nameof(CheckEscrow),
                new CheckEscrowInput(agreement, verified.WorkHash!, opened, timeouts.DeadlineMargin, timeouts.Confirmations), StepRetry.Chain);
            if (check.Verdict != EscrowVerdict.Unconfirmed) return check;
            if (context.CurrentUtcDateTime >= giveUpAt)
                return check with { Verdict = EscrowVerdict.Refused, Reason = $"the escrow did not reach {timeouts.Confirmations} confirmations in time" };
            await context.CreateTimer(timeouts.PollInterval, CancellationToken.None);
        }
    }
}
