using FairDelegation.Node.Chain;
using FairDelegation.Node.Configuration;
using FairDelegation.Node.Model;

namespace FairDelegation.Node.Customer;

/// <summary>
/// The customer's side of a fair delegation, steps (0) to (11) of the paper. Every wait has a timeout and every
/// early end leaves the customer's money where it was (or refunds it after the deadline).
/// </summary>
public sealed class CustomerDelegation : TaskOrchestrator<CustomerDelegationInput, DelegationOutcome>
{
    /// <summary>How many fresh quotes the customer asks for when the quoted work key's escrow slot is taken (issue 11 #7).</summary>
    public const int FreshQuotes = 2;

    public override async Task<DelegationOutcome> RunAsync(TaskOrchestrationContext context, CustomerDelegationInput input)
    {
        var timeouts = input.Timeouts;
        var transactions = new List<ChainTransaction>();
        var timeline = new List<StepMark>();
        string? agreementId = null;
        string? stamp = null, knownWorkHash = null;
        MarketChoice? market = null;
        var log = context.CreateReplaySafeLogger<CustomerDelegation>();
        var at = "start"; // the step in progress, for failure details and logs
        DelegationOutcome End(DelegationStatus status, string? reason, Agreement? agreement = null, string? workHash = null, string? result = null,
            DelegationFailure? failure = null)
        {
            failure = status == DelegationStatus.Completed ? null : failure ?? new DelegationFailure(reason ?? status.ToString(), at, status.ToString());
            DelegationLog.Ended(log, context.InstanceId, status, failure);
            context.SetCustomStatus(new StepStatus("end", status.ToString(), agreementId, reason, transactions.Count > 0 ? [.. transactions] : null,
                [.. StepMark.Append(timeline, "end", status.ToString(), reason, context.CurrentUtcDateTime)], stamp, workHash ?? knownWorkHash, market));
            return new DelegationOutcome
            {
                Status = status, Role = NodeRole.Customer, Reason = reason, AgreementId = agreementId,
                Wage = agreement?.ParseTerms().Wage ?? 0, WorkHash = workHash, ResultBlob = result, Transactions = transactions,
                Failure = failure,
            };
        }
        void Step(string number, string name, string? detail = null)
        {
            at = name;
            context.SetCustomStatus(new StepStatus(number, name, agreementId, detail, transactions.Count > 0 ? [.. transactions] : null,
                [.. StepMark.Append(timeline, number, name, detail, context.CurrentUtcDateTime)], stamp, knownWorkHash, market));
        }

        // Once the wage may be at stake (from (8) on), a step that fails for good (the chain or the blob store unreachable
        // for longer than its retries) must not end the delegation: the money is on chain whatever this node's state, and
        // a Failed instance would never refund or decrypt. Each such step is safe to repeat (it looks for its earlier
        // effect first), so it runs again after the check interval, its status naming the step and the error, until it
        // answers or until giveUpAt: the opening is not worth trying past the escrow deadline (the contract refuses it;
        // the refund path then settles whatever the chain holds), while decrypting a paid result is tried until it works.
        async Task<T?> UntilAnsweredAsync<T>(string number, string name, object input, TaskOptions options, DateTime? giveUpAt = null) where T : class
        {
            while (true)
            {
                try
                {
                    return await context.CallActivityAsync<T>(name, input, options);
                }
                catch (TaskFailedException e)
                {
                    if (context.CurrentUtcDateTime >= giveUpAt) return null;
                    Step(number, name, $"failed ({e.FailureDetails.ErrorMessage}); trying again in {timeouts.DeadlineCheck}");
                    await context.CreateTimer(context.CurrentUtcDateTime + timeouts.DeadlineCheck, CancellationToken.None);
                }
            }
        }

        var deposited = false;
        var freshQuotes = 0; // fresh quotes asked of the same provider because its work key's slot was taken
        try
        {
            // A fresh quote (a new work key) when a griefer took the quoted key's escrow slot, or, in the market, the next
            // valid quote when the chosen provider refused the terms at (0); each round is a new agreement.
            for (var round = 0; ; round++)
                if (await Steps(round) is { } outcome) return outcome;
        }
        catch (TaskFailedException e) when (!deposited)
        {
            // A step failed for good before any money was at stake: end with the reason instead of a crash.
            var reason = $"{e.TaskName} failed: {e.FailureDetails.ErrorMessage}";
            return End(DelegationStatus.Failed, reason, failure: DelegationFailure.FromTask(e, reason));
        }
        catch (Exception e) when (DelegationLog.Crashed(log, context.InstanceId, at, e))
        {
            throw; // not reached: the filter logs and declines, so the engine records the failure with its details
        }

        // The delegation's outcome, or null to start over with a fresh quote.
        async Task<DelegationOutcome?> Steps(int round)
        {
            var request = round == 0 ? input.Request : input.Request with { QuoteRound = round };
            if (request.ProviderUrl is null)
            {
                // The market chooses the provider (once: a fresh quote goes to the same provider): the best-scored valid
                // quote; (0) then agrees with that provider, at most at its quoted wage.
                if (market is null)
                {
                    Step("0", nameof(ChooseProvider));
                    market = await context.CallActivityAsync<MarketChoice>(nameof(ChooseProvider), input.Request, StepRetry.Network);
                }
                if (market.ProviderUrl is null) return End(DelegationStatus.Cancelled, market.Why);
                request = request with { ProviderUrl = market.ProviderUrl, ProviderIdentity = market.Provider, MaxWage = market.Wage };
            }

            // (0) agree on the terms with the provider; make the verifier's disposable key sk_c.
            Step("0", nameof(FixTerms), freshQuotes > 0 ? $"fresh quote {freshQuotes} of {FreshQuotes}" : market?.Why);
            FixTermsResult fixedTerms;
            try
            {
                fixedTerms = await context.CallActivityAsync<FixTermsResult>(nameof(FixTerms), request, StepRetry.Network);
            }
            catch (TaskFailedException e) when (market is not null && freshQuotes == 0)
            {
                fixedTerms = new FixTermsResult(null, null, $"the provider did not answer the terms: {e.FailureDetails.ErrorMessage}");
            }
            if (fixedTerms.Agreement is not { } agreement)
            {
                // Chosen in the market: the next valid quote, in a new round (new proposal ids, a new verifier key).
                if (freshQuotes == 0 && market?.PassOver(fixedTerms.Reason) is { } next)
                {
                    market = next;
                    return null;
                }
                return End(DelegationStatus.Cancelled, fixedTerms.Reason);
            }
            agreementId = agreement.AgreementId;

            // (1) the verifier: SLA logic, hidden test data, sk_c.
            Step("1", nameof(CreateVerifier));
            var verifier = await context.CallActivityAsync<StoredBlob>(nameof(CreateVerifier),
                new CreateVerifierInput(agreement, input.Request, fixedTerms.VerifierKeyId!), StepRetry.Local);

            // (2) the verifier and the input go to the provider.
            Step("2", nameof(SendRequest));
            var sent = await context.CallActivityAsync<PeerResult>(nameof(SendRequest), new SendRequestInput(agreement, input.Request.InputBlob, verifier, round), StepRetry.Network);
            if (!sent.Accepted) return End(DelegationStatus.Cancelled, $"the provider refused the request: {sent.Reason}", agreement);

            // The provider works (3)-(5) and delivers (6); nothing is paid if it never does.
            Step("6", "WaitForWork");
            WorkDeliveredEvent delivered;
            try
            {
                delivered = await context.WaitForExternalEvent<WorkDeliveredEvent>(DelegationEvents.WorkDelivered, timeouts.WorkDelivery);
            }
            catch (TaskCanceledException) // the SDK ends a timed-out WaitForExternalEvent this way
            {
                return End(DelegationStatus.Cancelled, $"the provider did not deliver stamped work within {timeouts.WorkDelivery}", agreement);
            }

            // (7) download w' while hashing it; check the hash and the stamp. Any mismatch: stop before paying.
            stamp = delivered.Stamp;
            Step("7", nameof(CheckStamp));
            var check = await context.CallActivityAsync<CheckStampResult>(nameof(CheckStamp), new CheckStampInput(agreement, delivered), StepRetry.Network);
            if (!check.Valid) return End(DelegationStatus.Cancelled, check.Reason, agreement);
            knownWorkHash = check.WorkHash;

            // (8) open the escrow: wage against the work key and H(w'); wait for its confirmations.
            Step("8", nameof(OpenEscrow));
            deposited = true; // from here on, every path ends in a claim or a refund
            var escrowDeadline = agreement.ParseTerms().EscrowDeadline;
            var deadline = DateTimeOffset.FromUnixTimeSeconds(escrowDeadline).UtcDateTime;
            var open = await UntilAnsweredAsync<ChainTransaction>("8", nameof(OpenEscrow), new OpenEscrowInput(agreement, check.WorkHash!), StepRetry.Chain, deadline);
            // Null: the chain did not answer until the deadline; the refund path below settles whatever it holds.
            if (open is not null)
            {
                transactions.Add(open);
                // OpenEscrow reports this only when the chain holds no opening of ours (issue 11 #1).
                if (!open.Succeeded && open.FailureReason?.Contains("WorkKeyAlreadyUsed", StringComparison.Ordinal) == true && freshQuotes < FreshQuotes)
                {
                    // Somebody else opened an escrow on the quoted work key first (a griefer can lock a key until its deadline):
                    // nothing of ours is deposited, and this key can never be claimed for us. Ask the provider for a new key.
                    if (open.Hash.Length == 0) transactions.RemoveAt(transactions.Count - 1);
                    deposited = false;
                    freshQuotes++;
                    Step("8", nameof(OpenEscrow), $"the work key's escrow slot is taken by another opening; asking for a fresh quote");
                    agreementId = null;
                    stamp = null;
                    knownWorkHash = null;
                    return null;
                }
                if (!open.Succeeded) return End(DelegationStatus.Cancelled, $"the escrow could not be opened ({open.FailureReason}); nothing was deposited", agreement, check.WorkHash);
                for (var wait = 1; ; wait++)
                {
                    Step("8", nameof(OpenEscrow), "waiting for confirmations");
                    var confirmed = await Confirmations.WaitAsync(context, open, timeouts);
                    if (confirmed is not null)
                    {
                        transactions[^1] = confirmed;
                        break;
                    }
                    // Not confirmed in time (a reorganisation may have dropped it): OpenEscrow again returns the opening if the
                    // escrow holds our terms, or deposits again if it does not. Past the last round, wait for the key or the
                    // deadline all the same: the refund settles whatever is on chain.
                    if (wait == 3) break;
                    var again = await UntilAnsweredAsync<ChainTransaction>("8", nameof(OpenEscrow), new OpenEscrowInput(agreement, check.WorkHash!), StepRetry.Chain, deadline);
                    if (again is null || !again.Succeeded) break;
                    if (again.Hash != open.Hash) transactions.Add(again);
                    open = again;
                }
            }

            // (10)-(11) wait for the provider to reveal its key, until the deadline (chain time); then refund.
            while (true)
            {
                Step("10", "WaitForKey");
                // Wake at the deadline, or earlier to read the chain's clock (the deadline is chain time).
                var wait = deadline - context.CurrentUtcDateTime;
                if (wait > timeouts.DeadlineCheck) wait = timeouts.DeadlineCheck;
                if (wait < TimeSpan.FromSeconds(1)) wait = TimeSpan.FromSeconds(1);
                try
                {
                    var revealed = await context.WaitForExternalEvent<KeyRevealedEvent>(DelegationEvents.KeyRevealed, wait);
                    // (11) decrypt w' with sk_sp, read from the chain, into the customer's store.
                    Step("11", nameof(DecryptWork));
                    var decrypted = (await UntilAnsweredAsync<string>("11", nameof(DecryptWork), new DecryptWorkInput(agreement, check.WorkBlob!, revealed.KeyId), StepRetry.Local))!;
                    return End(DelegationStatus.Completed, null, agreement, check.WorkHash, decrypted);
                }
                catch (TaskCanceledException) // the SDK ends a timed-out WaitForExternalEvent this way
                {
                    // The deadline is chain time; the node's clock only estimates it.
                    long chainNow;
                    try
                    {
                        chainNow = await context.CallActivityAsync<long>(nameof(ReadChainTime), null, StepRetry.Chain);
                    }
                    catch (TaskFailedException)
                    {
                        // The chain is unreachable for now: the deposit is safe in the escrow; look again later.
                        deadline = context.CurrentUtcDateTime + timeouts.DeadlineCheck;
                        continue;
                    }
                    if (chainNow < escrowDeadline)
                    {
                        deadline = context.CurrentUtcDateTime + TimeSpan.FromSeconds(escrowDeadline - chainNow);
                        continue;
                    }
                    // Passed: fall through to the refund.
                }

                Step("11", nameof(RefundEscrow));
                RefundResult refund;
                try
                {
                    refund = await context.CallActivityAsync<RefundResult>(nameof(RefundEscrow), new RefundEscrowInput(agreement, check.WorkHash!), StepRetry.Chain);
                }
                catch (TaskFailedException)
                {
                    // Never give up on a deposit: try again after the next check interval.
                    deadline = context.CurrentUtcDateTime + timeouts.DeadlineCheck;
                    continue;
                }
                if (refund.AlreadyClaimed)
                {
                    // The provider claimed just in time: the key is public, decrypt as in (11).
                    Step("11", nameof(DecryptWork));
                    var decrypted = (await UntilAnsweredAsync<string>("11", nameof(DecryptWork), new DecryptWorkInput(agreement, check.WorkBlob!, refund.RevealedKeyId!), StepRetry.Local))!;
                    return End(DelegationStatus.Completed, null, agreement, check.WorkHash, decrypted);
                }
                if (refund.Transaction is null)
                    return End(DelegationStatus.Cancelled, "no escrow holds the deposit (its opening never reached the chain or did not stay on it); nothing to refund", agreement, check.WorkHash);
                transactions.Add(refund.Transaction);
                return End(DelegationStatus.Refunded, "the provider did not reveal its key before the deadline; the wage was refunded", agreement, check.WorkHash);
            }
        }
    }
}
