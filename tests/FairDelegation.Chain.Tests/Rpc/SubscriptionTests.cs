using System.Collections.Concurrent;
using System.Diagnostics;
using FairDelegation.Chain.Accounts;
using FairDelegation.Chain.Crypto;
using FairDelegation.Chain.Escrow;
using FairDelegation.Chain.Rpc;
using FairDelegation.Chain.Tests.Support;
using FairDelegation.Chain.Transactions;
using FairDelegation.Chain.Watching;
using FairDelegation.Testing;

namespace FairDelegation.Chain.Tests.Rpc;

/// <summary>
/// eth_subscribe over WebSocket against a real anvil: pushed heads and logs, watchers and confirmations that wake on
/// blocks instead of polling, resumption after a dropped connection, reorgs, and the calls one escrow cycle costs
/// (own anvil: some tests rewrite its chain).
/// </summary>
public sealed class SubscriptionTests(AnvilProcess anvil) : IClassFixture<AnvilProcess>, IDisposable
{
    private readonly ChainTestContext _chain = new(anvil);

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private async Task<(EscrowTerms Terms, EscrowTransaction Tx, byte[] Key)> OpenAsync(EscrowContract escrow, TransactionSender customer)
    {
        var key = NewKey();
        var (terms, tx) = await escrow.OpenAsync(customer, new EscrowOpening(ChainTestContext.RandomBytes32(), customer.Account.Address,
            EthereumAddress.FromPrivateKey(key), ChainTestContext.RandomBytes32(), 1000, await _chain.LatestTimestampAsync() + 3600));
        return (terms, tx, key);
    }

    private static byte[] NewKey()
    {
        while (true)
        {
            var k = ChainTestContext.RandomBytes32();
            if (Secp256k1.IsValidPrivateKey(k)) return k;
        }
    }

    [Fact]
    public async Task A_subscription_receives_new_heads_and_logs()
    {
        var escrow = await _chain.DeployEscrowAsync();
        var customer = await _chain.FundedSenderAsync();
        var ws = new EthRpcOptions().WebSocketUrlFor(new Uri(anvil.RpcUrl))!;
        ws.Scheme.Should().Be("ws");
        await using var client = await EthSubscriptionClient.ConnectAsync(ws, Patience);
        var heads = new ConcurrentQueue<BlockHeader>();
        var logs = new ConcurrentQueue<LogEntry>();
        var headsId = await client.SubscribeNewHeadsAsync(heads.Enqueue);
        await client.SubscribeLogsAsync(new LogFilter(escrow.Address, 0, Topic0: EscrowContract.EventTopics), logs.Enqueue);

        var (terms, open, _) = await OpenAsync(escrow, customer);
        await Eventually(() => heads.Any(h => h.Hash == open.BlockHash) && logs.Any(l => l.TransactionHash == open.TransactionHash));
        var head = heads.Single(h => h.Hash == open.BlockHash);
        head.Number.Should().Be(open.BlockNumber);
        head.LogsBloom.Should().HaveCount(256);
        LogsBloom.MayContain(head.LogsBloom, escrow.Address, EscrowContract.EventTopics).Should().BeTrue();
        LogsBloom.MayContain(head.LogsBloom, EthAccount.Generate().Address).Should().BeFalse("the block holds only the escrow's log");
        EscrowContract.DecodeLog(logs.Single(l => l.TransactionHash == open.TransactionHash)).Should().BeOfType<EscrowOpened>()
            .Which.Terms.WorkKey.Should().Be(terms.WorkKey);

        (await client.UnsubscribeAsync(headsId)).Should().BeTrue();
        var count = heads.Count;
        await _chain.Rpc.MineAsync();
        await Task.Delay(200);
        heads.Count.Should().Be(count, "unsubscribed");
        (await client.RequestAsync("eth_chainId", [])).GetString().Should().Be("0x7a69");
    }

    [Fact]
    public async Task The_watcher_wakes_on_a_pushed_block_not_after_a_poll_interval()
    {
        var escrow = await _chain.DeployEscrowAsync();
        var customer = await _chain.FundedSenderAsync();
        using var rpc = new EthRpcClient(anvil.RpcUrl);
        (await rpc.Heads.WaitUntilLiveAsync(Patience)).Should().BeTrue();
        var watcher = new EscrowContract(rpc, escrow.Address).Watch(new LogWatcherOptions
        {
            PollInterval = TimeSpan.FromSeconds(30), SubscribedPollInterval = TimeSpan.FromSeconds(30),
        });
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var start = await rpc.BlockNumberAsync() + 1;
        await using var stream = watcher.WatchAsync(null, start, cts.Token).GetAsyncEnumerator(cts.Token);
        var next = stream.MoveNextAsync().AsTask();
        await Task.Delay(300); // the watcher has polled once and now waits
        next.IsCompleted.Should().BeFalse();

        var clock = Stopwatch.StartNew();
        var (terms, _, _) = await OpenAsync(escrow, customer);
        (await next).Should().BeTrue();
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5), "the pushed block woke it; a poll would take 30 s");
        EscrowContract.DecodeLog(stream.Current.Logs.Single()).Should().BeOfType<EscrowOpened>().Which.Terms.WorkKey.Should().Be(terms.WorkKey);
    }

    [Fact]
    public async Task After_a_dropped_connection_the_watcher_resumes_from_its_cursor_without_missing_or_repeating()
    {
        var escrow = await _chain.DeployEscrowAsync();
        var customer = await _chain.FundedSenderAsync();
        using var rpc = new EthRpcClient(anvil.RpcUrl, new EthRpcOptions { HeadFeed = new HeadFeedOptions { ReconnectDelay = TimeSpan.FromMilliseconds(300) } });
        (await rpc.Heads.WaitUntilLiveAsync(Patience)).Should().BeTrue();
        var contract = new EscrowContract(rpc, escrow.Address);
        var options = new LogWatcherOptions { PollInterval = TimeSpan.FromSeconds(30), SubscribedPollInterval = TimeSpan.FromSeconds(30) };
        var start = await rpc.BlockNumberAsync() + 1;
        var seen = new List<string>();
        LogCursor? cursor = null;

        async Task<LogCursor?> FollowAsync(LogWatcher watcher, LogCursor? from, int expected)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            var at = from;
            await foreach (var batch in watcher.WatchAsync(from, start, cts.Token))
            {
                batch.Reorg.Should().BeNull();
                seen.AddRange(batch.Logs.Select(l => $"{l.TransactionHash}:{l.LogIndex}"));
                at = batch.Cursor;
                if (seen.Count >= expected) break;
            }
            return at;
        }

        var opened = new List<EscrowTransaction>();
        var following = FollowAsync(contract.Watch(options), null, 3);
        opened.Add((await OpenAsync(escrow, customer)).Tx);
        await Eventually(() => seen.Count == 1);

        // The connection drops; two events happen while the feed is away (and the watcher's poll is 30 s off).
        rpc.Heads.Reconnect();
        rpc.Heads.IsLive.Should().BeFalse();
        opened.Add((await OpenAsync(escrow, customer)).Tx);
        opened.Add((await OpenAsync(escrow, customer)).Tx);
        cursor = await following.WaitAsync(TimeSpan.FromSeconds(15));
        rpc.Heads.Connections.Should().BeGreaterThanOrEqualTo(2, "the feed reconnected and woke the watcher to catch up");

        // A new watcher (a restart) resumes from the stored cursor: only the event after it.
        opened.Add((await OpenAsync(escrow, customer)).Tx);
        await FollowAsync(contract.Watch(options), cursor, 4).WaitAsync(TimeSpan.FromSeconds(15));

        seen.Should().Equal(opened.Select(t => $"{t.TransactionHash}:{t.Receipt.Logs.Single().LogIndex}"), "each event once, in order");
    }

    [Fact]
    public async Task A_reorg_is_detected_with_a_live_subscription()
    {
        var escrow = await _chain.DeployEscrowAsync();
        var customer = await _chain.FundedSenderAsync();
        using var rpc = new EthRpcClient(anvil.RpcUrl);
        (await rpc.Heads.WaitUntilLiveAsync(Patience)).Should().BeTrue();
        var watcher = new EscrowContract(rpc, escrow.Address).Watch(new LogWatcherOptions { PollInterval = TimeSpan.FromSeconds(30) });
        var start = await rpc.BlockNumberAsync() + 1;
        var first = await watcher.PollAsync(null, start);

        var (_, open, _) = await OpenAsync(escrow, customer);
        await Eventually(() => rpc.Heads.Latest?.Hash == open.BlockHash);
        var confirmations = new Confirmations(rpc);
        (await confirmations.CheckAsync(open.Receipt, 1)).State.Should().Be(ConfirmationState.Confirmed);
        var delivered = await watcher.PollAsync(first.Cursor, start);
        delivered.Logs.Should().ContainSingle().Which.TransactionHash.Should().Be(open.TransactionHash);

        // The block with the open is replaced (anvil_reorg pushes the new branch's head).
        await rpc.ReorgAsync(1);
        await Eventually(() => rpc.Heads.Latest is { } h && h.Number == open.BlockNumber && h.Hash != open.BlockHash);
        (await confirmations.CheckAsync(open.Receipt, 1)).State.Should().Be(ConfirmationState.Reorganized);
        var reorg = await watcher.PollAsync(delivered.Cursor, start);
        reorg.Reorg.Should().NotBeNull();
        reorg.Reorg!.Abandoned.Should().Be(delivered.Cursor);
        reorg.Cursor.BlockNumber.Should().BeLessThan(open.BlockNumber);
    }

    [Fact]
    public async Task One_escrow_open_and_claim_costs_a_bounded_number_of_calls()
    {
        var escrow = await _chain.DeployEscrowAsync();
        using var rpc = new EthRpcClient(anvil.RpcUrl);
        (await rpc.Heads.WaitUntilLiveAsync(Patience)).Should().BeTrue();
        var nonces = new NonceManager(rpc);
        var customer = new TransactionSender(rpc, (await _chain.FundedSenderAsync()).Account, nonces);
        var provider = new TransactionSender(rpc, (await _chain.FundedSenderAsync()).Account, nonces);
        var contract = new EscrowContract(rpc, escrow.Address);

        async Task CycleAsync()
        {
            var (terms, _, key) = await OpenAsync(contract, customer);
            await Eventually(() => rpc.Heads.Latest?.Number >= 0);
            await contract.ClaimAsync(provider, terms, key);
        }

        await CycleAsync(); // the chain id and the tip are asked once per client and sender
        rpc.Calls.Reset();
        await CycleAsync();

        // Per transaction: one batch (pending count + gas estimate), the send, the receipt. The latest timestamp the
        // test reads for the deadline is one more call.
        // A receipt asked for before its block was ready is asked again when the block is pushed (at most once more each).
        // Before the push-driven client, the same cycle took 12-14 calls in 12-14 round trips.
        var calls = rpc.Calls;
        var receipts = calls["eth_getTransactionReceipt"];
        receipts.Should().BeInRange(2, 4, $"calls were: {calls}");
        (calls.Total - receipts).Should().BeLessThanOrEqualTo(7, $"calls were: {calls}");
        (calls.RoundTrips - receipts).Should().BeLessThanOrEqualTo(5, $"calls were: {calls}");
        calls["eth_chainId"].Should().Be(0);
        calls["eth_maxPriorityFeePerGas"].Should().Be(0);
        calls["eth_blockNumber"].Should().Be(0);
    }

    [Fact]
    public async Task Without_a_websocket_everything_still_works_by_polling()
    {
        var escrow = await _chain.DeployEscrowAsync();
        using var rpc = new EthRpcClient(anvil.RpcUrl, new EthRpcOptions { UseWebSocket = false });
        var customer = new TransactionSender(rpc, (await _chain.FundedSenderAsync()).Account, new NonceManager(rpc),
            new TransactionSenderOptions { PollInterval = TimeSpan.FromMilliseconds(20) });
        var watcher = new EscrowContract(rpc, escrow.Address).Watch(new LogWatcherOptions { PollInterval = TimeSpan.FromMilliseconds(20) });
        var start = await rpc.BlockNumberAsync() + 1;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var (terms, _, _) = await OpenAsync(new EscrowContract(rpc, escrow.Address), customer);
        await foreach (var batch in watcher.WatchAsync(null, start, cts.Token))
        {
            EscrowContract.DecodeLog(batch.Logs.Single()).Should().BeOfType<EscrowOpened>().Which.Terms.WorkKey.Should().Be(terms.WorkKey);
            break;
        }
        rpc.Heads.IsLive.Should().BeFalse();
        rpc.Heads.Url.Should().BeNull();
    }

    private static async Task Eventually(Func<bool> condition)
    {
        var until = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException("the condition did not become true in time");
            await Task.Delay(10);
        }
    }

    public void Dispose() => _chain.Dispose();
}
