using System.Numerics;
using FairDelegation.Chain.Accounts;
using FairDelegation.Chain.Rpc;
using FairDelegation.Chain.Tests.Support;
using FairDelegation.Chain.Transactions;
using FairDelegation.Testing;

namespace FairDelegation.Chain.Tests.Rpc;

/// <summary>Nonces under concurrency, after foreign sends, and after a dropped transaction (own anvil: toggles automine).</summary>
public sealed class NonceManagerTests(AnvilProcess anvil) : IClassFixture<AnvilProcess>, IDisposable
{
    private readonly ChainTestContext _chain = new(anvil);

    [Fact]
    public async Task Concurrent_sends_from_one_account_never_collide()
    {
        var sender = await _chain.FundedSenderAsync();
        var start = await _chain.Rpc.GetTransactionCountAsync(sender.Account.Address);
        var to = EthAccount.Generate().Address;
        var receipts = await Task.WhenAll(Enumerable.Range(1, 12).Select(i =>
            Task.Run(() => sender.SendAndWaitAsync(new TransactionRequest(to, [], i)))));
        receipts.Should().OnlyContain(r => r.Succeeded);
        (await _chain.Rpc.GetBalanceAsync(to)).Should().Be(Enumerable.Range(1, 12).Sum());
        (await _chain.Rpc.GetTransactionCountAsync(sender.Account.Address)).Should().Be(start + 12);
    }

    [Fact]
    public async Task Recovers_from_nonce_too_low_after_a_send_behind_its_back()
    {
        var account = EthAccount.Generate();
        await _chain.Rpc.SetBalanceAsync(account.Address, ChainTestContext.Ether);
        var sender = _chain.Sender(account);
        await sender.SendAndWaitAsync(new TransactionRequest(EthAccount.Generate().Address, [], 1));

        // Another process (here: a second manager) sends from the same account: our local nonce is stale.
        var other = new TransactionSender(_chain.Rpc, account, new NonceManager(_chain.Rpc));
        await other.SendAndWaitAsync(new TransactionRequest(EthAccount.Generate().Address, [], 1));
        sender.Nonces.Peek(account.Address).Should().Be(new BigInteger(1), "the local count is stale now");

        var receipt = await sender.SendAndWaitAsync(new TransactionRequest(EthAccount.Generate().Address, [], 1));
        receipt.Succeeded.Should().BeTrue();
        (await _chain.Rpc.GetTransactionCountAsync(account.Address)).Should().Be(3);
    }

    [Fact]
    public async Task A_dropped_transaction_is_broadcast_again_while_waiting()
    {
        var sender = new TransactionSender(_chain.Rpc, EthAccount.Generate(), _chain.Nonces,
            new TransactionSenderOptions { PollInterval = TimeSpan.FromMilliseconds(20), RebroadcastAfter = TimeSpan.FromMilliseconds(100) });
        await _chain.Rpc.SetBalanceAsync(sender.Account.Address, ChainTestContext.Ether);
        var to = EthAccount.Generate().Address;

        await _chain.Rpc.SetAutomineAsync(false);
        try
        {
            var sent = await sender.SendAsync(new TransactionRequest(to, [], 777));
            await _chain.Rpc.DropTransactionAsync(sent.Hash);
            (await _chain.Rpc.GetTransactionByHashAsync(sent.Hash)).Should().BeNull("anvil dropped it from its pool");

            var waiting = sender.WaitForReceiptAsync(sent);
            // Mine until the rebroadcast copy is included.
            for (var i = 0; i < 100 && !waiting.IsCompleted; i++)
            {
                await Task.Delay(50);
                await _chain.Rpc.MineAsync();
            }
            var receipt = await waiting;
            receipt.TransactionHash.Should().Be(sent.Hash);
            (await _chain.Rpc.GetBalanceAsync(to)).Should().Be(777);
        }
        finally
        {
            await _chain.Rpc.SetAutomineAsync(true);
        }
    }

    [Fact]
    public async Task A_failed_send_leaves_no_nonce_gap()
    {
        var sender = await _chain.FundedSenderAsync(BigInteger.Pow(10, 16));
        var to = EthAccount.Generate().Address;
        await sender.SendAndWaitAsync(new TransactionRequest(to, [], 1));
        // More value than the balance: the node rejects it; the nonce must not be consumed.
        await FluentActions.Awaiting(() => sender.SendAsync(new TransactionRequest(to, [], BigInteger.Pow(10, 20)) { GasLimit = 21000 }))
            .Should().ThrowAsync<RpcException>();
        (await sender.SendAndWaitAsync(new TransactionRequest(to, [], 2))).Succeeded.Should().BeTrue();
        (await _chain.Rpc.GetTransactionCountAsync(sender.Account.Address)).Should().Be(2);
    }

    public void Dispose() => _chain.Dispose();
}
