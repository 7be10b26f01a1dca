using System.Numerics;
using FairDelegation.Chain.Accounts;
using FairDelegation.Chain.Crypto;
using FairDelegation.Chain.Escrow;
using FairDelegation.Chain.Rpc;
using FairDelegation.Chain.Tests.Support;
using FairDelegation.Testing;

namespace FairDelegation.Chain.Tests.Escrow;

/// <summary>The escrow's whole life cycle on a real anvil, through the typed binding.</summary>
public sealed class EscrowLifecycleTests(AnvilProcess anvil) : IClassFixture<AnvilProcess>, IDisposable
{
    private readonly ChainTestContext _chain = new(anvil);
    private static readonly BigInteger Wage = ChainTestContext.Ether / 10;

    private sealed record Parties(EscrowContract Escrow, Transactions.TransactionSender Customer, Transactions.TransactionSender Provider, EthAccount WorkKey);

    private async Task<Parties> SetUpAsync()
    {
        var escrow = await _chain.DeployEscrowAsync();
        return new Parties(escrow, await _chain.FundedSenderAsync(), await _chain.FundedSenderAsync(), EthAccount.Generate());
    }

    private async Task<(EscrowTerms Terms, EscrowTransaction Tx)> OpenAsync(Parties p, long deadlineIn = 3600)
    {
        var opening = new EscrowOpening(ChainTestContext.RandomBytes32(), p.Provider.Account.Address, p.WorkKey.Address,
            ChainTestContext.RandomBytes32(), Wage, await _chain.LatestTimestampAsync() + deadlineIn);
        return await p.Escrow.OpenAsync(p.Customer, opening);
    }

    [Fact]
    public async Task Open_then_claim_pays_the_payee_and_reveals_the_key()
    {
        var p = await SetUpAsync();
        var (terms, open) = await OpenAsync(p);
        open.GasUsed.Should().BeGreaterThan(BigInteger.Zero);
        (await p.Escrow.GetStateAsync(p.WorkKey.Address)).Should().Be(EscrowState.Open);
        (await p.Escrow.IsOpenWithAsync(terms)).Should().BeTrue();

        var opened = p.Escrow.EventsOf(open.Receipt).OfType<EscrowOpened>().Single();
        opened.Terms.Matches(terms).Should().BeTrue("the event carries the full terms");
        (await p.Escrow.FindOpenedAsync(p.WorkKey.Address, open.BlockNumber))!.Terms.Matches(terms).Should().BeTrue("step 9 finds it by work key");
        (await p.Escrow.FindKeyRevealedAsync(p.WorkKey.Address, open.BlockNumber)).Should().BeNull("not claimed yet");

        var before = await _chain.Rpc.GetBalanceAsync(p.Provider.Account.Address);
        var claim = await p.Escrow.ClaimAsync(p.Provider, terms, p.WorkKey.ExportPrivateKey());
        var after = await _chain.Rpc.GetBalanceAsync(p.Provider.Account.Address);
        after.Should().Be(before + Wage - claim.GasUsed * claim.Receipt.EffectiveGasPrice);

        var revealed = (await p.Escrow.GetEventsAsync(open.BlockNumber, workKey: p.WorkKey.Address)).OfType<KeyRevealed>().Single();
        revealed.PrivateKey.Should().Equal(p.WorkKey.ExportPrivateKey(), "the customer decrypts with the revealed key");
        (await p.Escrow.FindKeyRevealedAsync(p.WorkKey.Address, open.BlockNumber))!.PrivateKey.Should().Equal(p.WorkKey.ExportPrivateKey());
        revealed.ToString().Should().NotContain(Convert.ToHexStringLower(p.WorkKey.ExportPrivateKey()));
        (await p.Escrow.GetStateAsync(p.WorkKey.Address)).Should().Be(EscrowState.Claimed);
    }

    [Fact]
    public async Task A_wrong_key_reverts_with_a_readable_reason_and_nothing_is_sent()
    {
        var p = await SetUpAsync();
        var (terms, _) = await OpenAsync(p);
        var nonceBefore = await _chain.Rpc.GetTransactionCountAsync(p.Provider.Account.Address);

        var wrong = EthAccount.Generate();
        var e = await FluentActions.Awaiting(() => p.Escrow.ClaimAsync(p.Provider, terms, wrong.ExportPrivateKey()))
            .Should().ThrowAsync<ContractRevertedException>();
        e.Which.Reason!.Name.Should().Be("WrongPrivateKey");
        e.Which.Message.Should().Contain($"WrongPrivateKey(workKey={p.WorkKey.Address}, derived={wrong.Address})");

        var zero = await FluentActions.Awaiting(() => p.Escrow.ClaimAsync(p.Provider, terms, new byte[32]))
            .Should().ThrowAsync<ContractRevertedException>();
        zero.Which.Reason!.Name.Should().Be("PrivateKeyOutOfRange");

        (await _chain.Rpc.GetTransactionCountAsync(p.Provider.Account.Address)).Should().Be(nonceBefore);
        (await p.Escrow.GetStateAsync(p.WorkKey.Address)).Should().Be(EscrowState.Open);
    }

    [Fact]
    public async Task A_front_run_claim_by_a_third_party_still_pays_the_payee()
    {
        var p = await SetUpAsync();
        var (terms, _) = await OpenAsync(p);
        var thief = await _chain.FundedSenderAsync();
        var payeeBefore = await _chain.Rpc.GetBalanceAsync(p.Provider.Account.Address);
        var thiefBefore = await _chain.Rpc.GetBalanceAsync(thief.Account.Address);

        // The thief copied sk from the mempool. Redirecting the payment to itself does not match the stored terms...
        var redirected = terms with { Payee = thief.Account.Address };
        var e = await FluentActions.Awaiting(() => p.Escrow.ClaimAsync(thief, redirected, p.WorkKey.ExportPrivateKey()))
            .Should().ThrowAsync<ContractRevertedException>();
        e.Which.Reason!.Name.Should().Be("TermsMismatch");

        // ...so it can only submit the claim as is: it pays the gas, the payee gets the wage.
        var claim = await p.Escrow.ClaimAsync(thief, terms, p.WorkKey.ExportPrivateKey());
        (await _chain.Rpc.GetBalanceAsync(p.Provider.Account.Address)).Should().Be(payeeBefore + Wage);
        (await _chain.Rpc.GetBalanceAsync(thief.Account.Address)).Should().Be(thiefBefore - claim.GasUsed * claim.Receipt.EffectiveGasPrice);
    }

    [Fact]
    public async Task Double_claim_reverts_and_the_key_can_never_be_used_again()
    {
        var p = await SetUpAsync();
        var (terms, _) = await OpenAsync(p);
        await p.Escrow.ClaimAsync(p.Provider, terms, p.WorkKey.ExportPrivateKey());

        var again = await FluentActions.Awaiting(() => p.Escrow.ClaimAsync(p.Provider, terms, p.WorkKey.ExportPrivateKey()))
            .Should().ThrowAsync<ContractRevertedException>();
        again.Which.Reason!.Name.Should().Be("AlreadyClaimed");

        var reuse = await FluentActions.Awaiting(() => OpenAsync(p)).Should().ThrowAsync<ContractRevertedException>();
        reuse.Which.Message.Should().Contain("WorkKeyAlreadyUsed");
    }

    [Fact]
    public async Task The_agreement_id_binds_the_work_key_so_a_reused_id_is_rejected()
    {
        var p = await SetUpAsync();
        var details = ChainTestContext.RandomBytes32();
        var deadline = await _chain.LatestTimestampAsync() + 3600;
        var opening = new EscrowOpening(details, p.Provider.Account.Address, p.WorkKey.Address, ChainTestContext.RandomBytes32(), Wage, deadline);
        var (_, tx) = await p.Escrow.OpenAsync(p.Customer, opening);

        // The contract derives the id: keccak256(abi.encode(detailsHash, workKey)), the same as the binding's.
        var expected = Keccak256.Hash([.. details, .. new byte[12], .. p.WorkKey.Address.Bytes]);
        opening.AgreementId.Should().Equal(expected);
        p.Escrow.EventsOf(tx.Receipt).OfType<EscrowOpened>().Single().AgreementId.Should().Equal(expected);
        (await p.Escrow.GetAgreementIdAsync(details, p.WorkKey.Address)).Should().Equal(expected);

        // The same id again, by someone else and with other terms: the id names this work key, whose slot is taken.
        var stranger = await _chain.FundedSenderAsync();
        var reuse = opening with { Payee = stranger.Account.Address, WorkHash = ChainTestContext.RandomBytes32(), Deadline = deadline + 60 };
        reuse.AgreementId.Should().Equal(expected);
        (await FluentActions.Awaiting(() => p.Escrow.OpenAsync(stranger, reuse)).Should().ThrowAsync<ContractRevertedException>())
            .Which.Reason!.Name.Should().Be("WorkKeyAlreadyUsed");

        // The same details with another work key is another agreement id: it cannot pass for this one.
        var other = opening with { WorkKey = EthAccount.Generate().Address };
        var (_, tx2) = await p.Escrow.OpenAsync(p.Customer, other);
        p.Escrow.EventsOf(tx2.Receipt).OfType<EscrowOpened>().Single().AgreementId.Should().Equal(other.AgreementId).And.NotEqual(expected);
        (await p.Escrow.FindOpenedAsync(p.WorkKey.Address, tx.BlockNumber))!.AgreementId.Should().Equal(expected, "the first escrow is untouched");
    }

    [Fact]
    public async Task Refund_reverts_before_the_deadline_and_pays_the_customer_after_it_once()
    {
        var p = await SetUpAsync();
        var (terms, _) = await OpenAsync(p, deadlineIn: 600);

        var early = await FluentActions.Awaiting(() => p.Escrow.RefundAsync(p.Customer, terms)).Should().ThrowAsync<ContractRevertedException>();
        early.Which.Reason!.Name.Should().Be("DeadlineNotReached");

        await _chain.Rpc.IncreaseTimeAsync(601);
        await _chain.Rpc.MineAsync();

        var lateClaim = await FluentActions.Awaiting(() => p.Escrow.ClaimAsync(p.Provider, terms, p.WorkKey.ExportPrivateKey()))
            .Should().ThrowAsync<ContractRevertedException>();
        lateClaim.Which.Reason!.Name.Should().Be("DeadlinePassed");

        var before = await _chain.Rpc.GetBalanceAsync(p.Customer.Account.Address);
        var refund = await p.Escrow.RefundAsync(p.Customer, terms);
        (await _chain.Rpc.GetBalanceAsync(p.Customer.Account.Address))
            .Should().Be(before + Wage - refund.GasUsed * refund.Receipt.EffectiveGasPrice);
        p.Escrow.EventsOf(refund.Receipt).Should().ContainSingle().Which.Should().BeOfType<Refunded>();

        var twice = await FluentActions.Awaiting(() => p.Escrow.RefundAsync(p.Customer, terms)).Should().ThrowAsync<ContractRevertedException>();
        twice.Which.Reason!.Name.Should().Be("NoSuchEscrow");
    }

    [Fact]
    public async Task Open_rejects_zero_value_and_past_deadline_with_reasons()
    {
        var p = await SetUpAsync();
        var now = await _chain.LatestTimestampAsync();
        var zero = new EscrowOpening(ChainTestContext.RandomBytes32(), p.Provider.Account.Address, p.WorkKey.Address, ChainTestContext.RandomBytes32(), 0, now + 100);
        (await FluentActions.Awaiting(() => p.Escrow.OpenAsync(p.Customer, zero)).Should().ThrowAsync<ContractRevertedException>())
            .Which.Reason!.Name.Should().Be("ZeroAmount");
        var past = zero with { Amount = Wage, Deadline = now - 1 };
        (await FluentActions.Awaiting(() => p.Escrow.OpenAsync(p.Customer, past)).Should().ThrowAsync<ContractRevertedException>())
            .Which.Reason!.Name.Should().Be("DeadlineNotInFuture");
        // Issue 11 #7: a far deadline (2^256-1 on chain) would lock the work key forever; the contract caps it at 30 days.
        var forever = zero with { Amount = Wage, Deadline = long.MaxValue };
        (await FluentActions.Awaiting(() => p.Escrow.OpenAsync(p.Customer, forever)).Should().ThrowAsync<ContractRevertedException>())
            .Which.Reason!.Name.Should().Be("DeadlineTooFar");
    }

    [Fact]
    public async Task Open_batch_opens_every_escrow_each_claimable()
    {
        var p = await SetUpAsync();
        var deadline = await _chain.LatestTimestampAsync() + 3600;
        var keys = Enumerable.Range(0, 3).Select(_ => EthAccount.Generate()).ToArray();
        var openings = keys.Select((k, i) => new EscrowOpening(ChainTestContext.RandomBytes32(), p.Provider.Account.Address, k.Address,
            ChainTestContext.RandomBytes32(), Wage + i, deadline)).ToArray();
        var (terms, tx) = await p.Escrow.OpenBatchAsync(p.Customer, openings);
        p.Escrow.EventsOf(tx.Receipt).OfType<EscrowOpened>().Should().HaveCount(3);
        for (var i = 0; i < 3; i++) (await p.Escrow.IsOpenWithAsync(terms[i])).Should().BeTrue();
        await p.Escrow.ClaimAsync(p.Provider, terms[1], keys[1].ExportPrivateKey());
        (await p.Escrow.GetStateAsync(keys[1].Address)).Should().Be(EscrowState.Claimed);
        (await p.Escrow.GetStateAsync(keys[2].Address)).Should().Be(EscrowState.Open);
    }

    public void Dispose() => _chain.Dispose();
}
