using FairDelegation.Chain.Accounts;
using FairDelegation.Chain.Escrow;
using FairDelegation.Chain.Rpc;
using FairDelegation.Chain.Tests.Support;
using FairDelegation.Chain.Transactions;
using FairDelegation.Chain.Watching;
using FairDelegation.Testing;

namespace FairDelegation.Chain.Tests.Rpc;

/// <summary>Confirmations and the log watcher across reorganisations (own anvil: these tests rewrite its chain).</summary>
public sealed class ReorgTests(AnvilProcess anvil) : IClassFixture<AnvilProcess>, IDisposable
{
    private readonly ChainTestContext _chain = new(anvil);

    private async Task<(EscrowContract Escrow, TransactionSender Customer)> SetUpAsync() =>
        (await _chain.DeployEscrowAsync(), await _chain.FundedSenderAsync());

    private async Task<(EscrowTerms, EscrowTransaction)> OpenAsync(EscrowContract escrow, TransactionSender customer) =>
        await escrow.OpenAsync(customer, new EscrowOpening(ChainTestContext.RandomBytes32(), customer.Account.Address,
            EthAccount.Generate().Address, ChainTestContext.RandomBytes32(), 1000, await _chain.LatestTimestampAsync() + 3600));

    [Fact]
    public async Task Waits_until_the_receipt_is_n_blocks_deep()
    {
        var (escrow, customer) = await SetUpAsync();
        var (_, open) = await OpenAsync(escrow, customer);
        var confirmations = new Confirmations(_chain.Rpc, TimeSpan.FromMilliseconds(20));
        (await confirmations.CheckAsync(open.Receipt, 3)).State.Should().Be(ConfirmationState.Pending);

        var waiting = confirmations.WaitAsync(open.TransactionHash, 3, TimeSpan.FromSeconds(20));
        await Task.Delay(100);
        waiting.IsCompleted.Should().BeFalse("only one block holds it");
        await _chain.Rpc.MineAsync(2);
        (await waiting).BlockHash.Should().Be(open.BlockHash);

        await FluentActions.Awaiting(() => confirmations.WaitAsync(open.Receipt, 50, TimeSpan.FromMilliseconds(200)))
            .Should().ThrowAsync<TimeoutException>();
    }

    [Fact]
    public async Task A_reorg_by_snapshot_and_revert_is_reported_not_trusted()
    {
        var (escrow, customer) = await SetUpAsync();
        var snapshot = await _chain.Rpc.SnapshotAsync();
        var (_, open) = await OpenAsync(escrow, customer);
        var confirmations = new Confirmations(_chain.Rpc, TimeSpan.FromMilliseconds(20));
        var waiting = confirmations.WaitAsync(open.Receipt, 3, TimeSpan.FromSeconds(20));

        // The block holding the open vanishes; the chain grows past it on another branch.
        (await _chain.Rpc.RevertAsync(snapshot)).Should().BeTrue();
        await _chain.Rpc.MineAsync(4);

        var e = await FluentActions.Awaiting(() => waiting).Should().ThrowAsync<ChainReorganizedException>();
        e.Which.StaleReceipt.BlockHash.Should().Be(open.BlockHash);
        e.Which.CurrentReceipt.Should().BeNull("evm_revert discards the transaction");
        (await confirmations.CheckAsync(open.Receipt, 1)).State.Should().Be(ConfirmationState.Reorganized);
    }

    [Fact]
    public async Task A_reorg_by_anvil_reorg_is_reported()
    {
        var (escrow, customer) = await SetUpAsync();
        var (_, open) = await OpenAsync(escrow, customer);
        await _chain.Rpc.ReorgAsync(1);
        var status = await new Confirmations(_chain.Rpc).CheckAsync(open.Receipt, 1);
        status.State.Should().Be(ConfirmationState.Reorganized);
    }

    [Fact]
    public async Task The_log_watcher_follows_events_resumes_from_a_cursor_and_rewinds_on_reorg()
    {
        var (escrow, customer) = await SetUpAsync();
        var start = await _chain.Rpc.BlockNumberAsync();
        var watcher = escrow.Watch();

        var (t1, _) = await OpenAsync(escrow, customer);
        var first = await watcher.PollAsync(null, start);
        first.Logs.Select(EscrowContract.DecodeLog).OfType<EscrowOpened>().Should().ContainSingle().Which.Terms.WorkKey.Should().Be(t1.WorkKey);
        var cursor = first.Cursor;

        // Nothing new: same cursor, no logs.
        (await watcher.PollAsync(cursor, start)).Should().BeEquivalentTo(new LogBatch([], cursor));

        // A restarted watcher (new instance) resumes from the stored cursor and sees only what is new.
        var snapshot = await _chain.Rpc.SnapshotAsync();
        var (t2, _) = await OpenAsync(escrow, customer);
        var resumed = escrow.Watch();
        var second = await resumed.PollAsync(cursor, start);
        second.Logs.Select(EscrowContract.DecodeLog).OfType<EscrowOpened>().Should().ContainSingle().Which.Terms.WorkKey.Should().Be(t2.WorkKey);

        // The block with the second open is reorganised away; the next poll reports it and rewinds.
        await _chain.Rpc.RevertAsync(snapshot);
        var (t3, _) = await OpenAsync(escrow, customer);
        await _chain.Rpc.MineAsync(2);
        var reorg = await resumed.PollAsync(second.Cursor, start);
        reorg.Reorg.Should().NotBeNull();
        reorg.Reorg!.Abandoned.Should().Be(second.Cursor);
        reorg.Cursor.BlockNumber.Should().BeLessThanOrEqualTo(cursor.BlockNumber, "back to the last block still canonical");
        reorg.Logs.Should().BeEmpty();

        // From the common ancestor on, the new branch's events arrive (t3), t2 is gone.
        var after = await resumed.PollAsync(reorg.Cursor, start);
        var opened = after.Logs.Select(EscrowContract.DecodeLog).OfType<EscrowOpened>().Select(o => o.Terms.WorkKey).ToArray();
        opened.Should().Contain(t3.WorkKey).And.NotContain(t2.WorkKey);
    }

    [Fact]
    public async Task A_watch_starting_beyond_the_head_waits_for_its_first_block()
    {
        var (escrow, customer) = await SetUpAsync();
        var watcher = escrow.Watch();
        var start = await _chain.Rpc.BlockNumberAsync() + 3;
        var waiting = await watcher.PollAsync(null, start);
        waiting.Logs.Should().BeEmpty();
        waiting.Cursor.BlockNumber.Should().Be(start - 1);

        await OpenAsync(escrow, customer);                  // block start - 2: before the watch, must not show
        await _chain.Rpc.MineAsync();                       // start - 1
        var (t, _) = await OpenAsync(escrow, customer);     // start
        var batch = await watcher.PollAsync(waiting.Cursor, start);
        batch.Logs.Select(EscrowContract.DecodeLog).OfType<EscrowOpened>().Should().ContainSingle().Which.Terms.WorkKey.Should().Be(t.WorkKey);
    }

    [Fact]
    public async Task The_log_watcher_stream_yields_new_events()
    {
        var (escrow, customer) = await SetUpAsync();
        var start = await _chain.Rpc.BlockNumberAsync() + 1;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var watcher = escrow.Watch(new LogWatcherOptions { PollInterval = TimeSpan.FromMilliseconds(20) });
        var (t, _) = await OpenAsync(escrow, customer);
        await foreach (var batch in watcher.WatchAsync(null, start, cts.Token))
        {
            batch.Logs.Select(EscrowContract.DecodeLog).OfType<EscrowOpened>().Single().Terms.WorkKey.Should().Be(t.WorkKey);
            break;
        }
    }

    public void Dispose() => _chain.Dispose();
}
