using System.Text.Json;
using FairDelegation.Chain.Rpc;
using FairDelegation.Testing;

namespace FairDelegation.Node.Tests.EndToEnd;

/// <summary>
/// The suite's outages and silent counterparties: Azurite down (5 s, 30 s), anvil stopped for 20 s and started again
/// with its state, a provider down past the deadline, and a counterparty that stops answering (SIGSTOP, at a named point
/// through <c>FAIRDELEGATION_TEST_FREEZE_AT</c>) at each wait. Each ends with nobody out of pocket and nothing Running.
/// </summary>
public sealed partial class FaultInjectionTests
{
    // ---- storage and chain outages --------------------------------------------------------------------------------

    [Theory]
    [InlineData(5, null)]
    [InlineData(30, null)]
    [InlineData(30, 1)]
    public async Task Azurite_down_while_the_key_is_revealed_and_the_result_must_be_stored(int seconds, int? customerBlobRetries)
    {
        // The riskiest instant for storage: the customer has paid (the claim is mined) and must now read w' and store
        // the decrypted result. The provider is held (SIGSTOP) just before its claim while Azurite goes down. With the
        // blob client's default retries (~55 s) the SDK rides out 30 s; with one retry the outage outlasts DecryptWork's
        // retries, and the customer must run the step again until the store answers (before that fix it ended Failed,
        // paid and without its result).
        var customerSettings = customerBlobRetries is { } r ? new Dictionary<string, string?> { ["FairDelegation:Blobs:MaxRetries"] = r.ToString(System.Globalization.CultureInfo.InvariantCulture) } : null;
        var (customer, provider) = await StartPairAsync(providerFault: (FreezeAt, "RevealKey:before-send"), customer: customerSettings);
        var id = await StartDelegationAsync(customer, provider);
        await provider.UntilFrozenAsync();

        await chain.Azurite.StopAsync();
        var downSince = DateTime.UtcNow;
        try
        {
            provider.Resume(); // the claim is mined; the customer learns the key while its store is down
            await Task.Delay(downSince + TimeSpan.FromSeconds(seconds) - DateTime.UtcNow is { Ticks: > 0 } left ? left : TimeSpan.Zero);
        }
        finally
        {
            await chain.Azurite.RestartAsync();
        }

        var outcome = await CustomerOutcomeAsync(customer, id);
        await RecordAsync($"Azurite down {seconds} s right after the claim (customer must read w' and store the result" +
            (customerBlobRetries is { } retries ? $"; its blob client retries only {retries}x, so DecryptWork fails and runs again)" : ")"), outcome, provider, expectPaid: true);
    }

    [Fact]
    public async Task Azurite_down_5_s_at_the_start_of_a_delegation()
    {
        var (customer, provider) = await StartPairAsync();
        var id = await StartDelegationAsync(customer, provider);
        await chain.Azurite.StopAsync(); // the verifier package, the input and w' are all still to be written and read
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(5));
        }
        finally
        {
            await chain.Azurite.RestartAsync();
        }

        var outcome = await CustomerOutcomeAsync(customer, id);
        await RecordAsync("Azurite down 5 s at the start (verifier package, input, w' to be written)", outcome, provider, expectPaid: true);
    }

    [Fact]
    public async Task Anvil_down_20_s_while_the_customer_opens_the_escrow_and_started_again_with_its_state()
    {
        // The customer is held just before sending its opening; anvil stops (dumping its chain to its state file), the
        // customer resumes and tries to send into the outage; anvil comes back with the same chain 20 s later.
        var (customer, provider) = await StartPairAsync(customerFault: (FreezeAt, "OpenEscrow:before-send"));
        var id = await StartDelegationAsync(customer, provider);
        await customer.UntilFrozenAsync();

        var chainId = await chain.Rpc.ChainIdAsync();
        var head = await chain.Rpc.BlockNumberAsync();
        await chain.Anvil.StopAsync();
        var downSince = DateTime.UtcNow;
        try
        {
            customer.Resume();
            await Task.Delay(downSince + TimeSpan.FromSeconds(20) - DateTime.UtcNow is { Ticks: > 0 } left ? left : TimeSpan.Zero);
        }
        finally
        {
            await chain.Anvil.StartAgainAsync();
        }
        (await chain.Rpc.ChainIdAsync()).Should().Be(chainId);
        (await chain.Rpc.BlockNumberAsync()).Should().BeGreaterThanOrEqualTo(head, "anvil came back with its chain");

        var outcome = await CustomerOutcomeAsync(customer, id);
        await RecordAsync("anvil down 20 s (SIGTERM, --state) while the customer sends its opening", outcome, provider, expectPaid: true);
    }

    [Fact]
    public async Task A_provider_down_past_the_deadline_lets_the_customer_refund()
    {
        // The provider dies once it accepted the escrow (before it saved that, before claiming) and stays down past the deadline.
        var (customer, provider) = await StartPairAsync(providerFault: (KillAt, "CheckEscrow:before-save"));
        var id = await StartDelegationAsync(customer, provider);
        await provider.UntilExitedAsync("CheckEscrow:before-save");

        await PassTheDeadlineOnceWaitingForKeyAsync(customer, id);
        var outcome = await CustomerOutcomeAsync(customer, id);
        // RecordAsync restarts the provider after the refund: it must end too, without revealing anything.
        await RecordAsync("provider SIGKILL after accepting the escrow, down past the deadline (restarted after the refund)", outcome, provider, expectPaid: false);
    }

    [Fact]
    public async Task A_provider_killed_right_after_delivering_leaves_the_customer_unable_to_fetch_and_nothing_is_paid()
    {
        // w' stays in the provider's store until the customer fetched it: a provider gone for good before that leaves the
        // customer nothing to check, so it never pays.
        var (customer, provider) = await StartPairAsync(providerFault: (KillAt, "DeliverWork:before-save"));
        var id = await StartDelegationAsync(customer, provider);
        await provider.UntilExitedAsync("DeliverWork:before-save");
        var outcome = await CustomerOutcomeAsync(customer, id);
        outcome.GetProperty("failure").GetProperty("step").GetString().Should().Be("CheckStamp", outcome.ToString());
        await RecordAsync("provider SIGKILL right after delivering (w' not yet fetched), back only after the customer gave up", outcome, provider,
            expectPaid: false, expectedStatus: "Failed");
    }

    // ---- a counterparty that stops answering at each wait ---------------------------------------------------------

    [Fact]
    public async Task Customer_waiting_for_the_quote_from_a_provider_that_stopped_answering()
    {
        var (customer, provider) = await StartPairAsync(customer: new() { ["FairDelegation:Timeouts:PeerCall"] = "00:00:02" },
            provider: new() { ["FairDelegation:Timeouts:Request"] = "00:00:05" });
        provider.Freeze();
        var id = await StartDelegationAsync(customer, provider);
        var outcome = await CustomerOutcomeAsync(customer, id);
        // The quote call timed out on every attempt: the step failed for good before anything was at stake.
        outcome.GetProperty("failure").GetProperty("step").GetString().Should().Be("FixTerms", outcome.ToString());
        provider.Resume(); // late answers find nobody waiting; what it started on its side must end too
        await RecordAsync("provider silent (SIGSTOP) while the customer waits for the quote", outcome, provider, expectPaid: false, expectedStatus: "Failed");
    }

    [Fact]
    public async Task Customer_waiting_for_the_work_from_a_provider_that_stopped_answering()
    {
        var (customer, provider) = await StartPairAsync(customer: new() { ["FairDelegation:Timeouts:WorkDelivery"] = "00:00:08" },
            providerFault: (FreezeAt, "ProduceWork:before-save"));
        var id = await StartDelegationAsync(customer, provider);
        await provider.UntilFrozenAsync();
        var outcome = await CustomerOutcomeAsync(customer, id);
        // Resumed after the customer gave up: its late delivery is refused at once (the customer's delegation ended), so it
        // abandons instead of waiting for an escrow that cannot come.
        provider.Resume();
        await RecordAsync("provider silent (SIGSTOP) while the customer waits for the work; resumed, its late delivery refused", outcome, provider,
            expectPaid: false, expectedStatus: "Cancelled");
    }

    [Fact]
    public async Task Customer_waiting_for_the_claim_from_a_provider_that_stopped_answering_refunds_and_the_late_provider_sends_nothing()
    {
        var (customer, provider) = await StartPairAsync(providerFault: (FreezeAt, "RevealKey:before-send"));
        var id = await StartDelegationAsync(customer, provider);
        await provider.UntilFrozenAsync();
        await PassTheDeadlineOnceWaitingForKeyAsync(customer, id);
        var outcome = await CustomerOutcomeAsync(customer, id);
        // Resumed after the refund, right where it was about to send its claim: it must not broadcast the key now.
        provider.Resume();
        await RecordAsync("provider silent (SIGSTOP) before its claim until past the deadline, then resumed", outcome, provider, expectPaid: false);
    }

    [Fact]
    public async Task Provider_waiting_for_the_escrow_from_a_customer_that_stopped_answering()
    {
        // The customer stops just before its opening; the provider gives up waiting; the customer resumes and deposits
        // into an escrow nobody will claim, and takes it back after the deadline.
        var (customer, provider) = await StartPairAsync(customerFault: (FreezeAt, "OpenEscrow:before-send"),
            provider: new() { ["FairDelegation:Timeouts:EscrowOpen"] = "00:00:05" });
        var id = await StartDelegationAsync(customer, provider);
        await customer.UntilFrozenAsync();
        await provider.UntilNothingRunningAsync();
        customer.Resume();
        await PassTheDeadlineOnceWaitingForKeyAsync(customer, id);
        var outcome = await CustomerOutcomeAsync(customer, id);
        await RecordAsync("customer silent (SIGSTOP) while the provider waits for the escrow; resumed after the provider gave up", outcome, provider, expectPaid: false);
    }

    [Fact]
    public async Task Provider_waiting_for_the_request_from_a_customer_that_stopped_answering()
    {
        var (customer, provider) = await StartPairAsync(customerFault: (FreezeAt, "FixTerms:before-save"),
            provider: new() { ["FairDelegation:Timeouts:Request"] = "00:00:05" });
        var id = await StartDelegationAsync(customer, provider);
        await customer.UntilFrozenAsync();
        await provider.UntilNothingRunningAsync();
        customer.Resume();
        var outcome = await CustomerOutcomeAsync(customer, id);
        // The late request is refused at once, naming how the provider's side ended (not waited out for Timeouts:WorkDelivery).
        outcome.GetProperty("reason").GetString().Should().Contain("already ended", outcome.ToString());
        await RecordAsync("customer silent (SIGSTOP) while the provider waits for the request; resumed, its late request refused", outcome, provider,
            expectPaid: false, expectedStatus: "Cancelled");
    }
}
