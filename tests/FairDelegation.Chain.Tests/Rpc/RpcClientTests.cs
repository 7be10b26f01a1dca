using Nethereum.Contracts;
using System.Diagnostics;
using System.Numerics;
using FairDelegation.Chain.Accounts;
using FairDelegation.Chain.Crypto;
using FairDelegation.Chain.Escrow;
using FairDelegation.Chain.Rpc;
using FairDelegation.Chain.Tests.Support;
using FairDelegation.Testing;

namespace FairDelegation.Chain.Tests.Rpc;

public sealed class RpcClientTests(AnvilProcess anvil) : IClassFixture<AnvilProcess>, IDisposable
{
    private readonly ChainTestContext _chain = new(anvil);

    [Fact]
    public async Task Reads_chain_id_balance_nonce_fees_and_blocks()
    {
        (await _chain.Rpc.ChainIdAsync()).Should().Be(anvil.ChainId);
        var dev = EthereumAddress.Parse(AnvilProcess.DevAddresses[9]);
        (await _chain.Rpc.GetBalanceAsync(dev)).Should().BeGreaterThan(BigInteger.Zero);
        (await _chain.Rpc.GetTransactionCountAsync(dev)).Should().BeGreaterThanOrEqualTo(BigInteger.Zero);
        var fees = await _chain.Rpc.GetFeesAsync();
        fees.BaseFeePerGas.Should().BeGreaterThan(BigInteger.Zero);
        fees.MaxFeePerGas.Should().Be(fees.BaseFeePerGas * 2 + fees.MaxPriorityFeePerGas);
        var latest = (await _chain.Rpc.GetBlockAsync("latest"))!;
        (await _chain.Rpc.GetBlockByHashAsync(latest.Hash))!.Number.Should().Be(latest.Number);
        (await _chain.Rpc.GetBlockAsync(latest.Number + 1000)).Should().BeNull();
    }

    [Fact]
    public async Task Sends_a_value_transfer_and_reads_its_receipt()
    {
        var sender = await _chain.FundedSenderAsync();
        var to = EthAccount.Generate().Address;
        var receipt = await sender.SendAndWaitAsync(new Transactions.TransactionRequest(to, [], 12345));
        receipt.Succeeded.Should().BeTrue();
        receipt.GasUsed.Should().Be(21000);
        receipt.From.Should().Be(sender.Account.Address);
        (await _chain.Rpc.GetBalanceAsync(to)).Should().Be(12345);
        (await _chain.Rpc.GetTransactionByHashAsync(receipt.TransactionHash))!.BlockNumber.Should().Be(receipt.BlockNumber);
    }

    [Fact]
    public async Task Estimate_gas_surfaces_the_decoded_revert_reason()
    {
        var escrow = await _chain.DeployEscrowAsync();
        var terms = new EscrowTerms(EthAccount.Generate().Address, EthAccount.Generate().Address, EthAccount.Generate().Address,
            ChainTestContext.RandomBytes32(), 1, await _chain.LatestTimestampAsync() + 100);
        var call = new CallRequest(null, escrow.Address, new FairDelegation.Chain.Escrow.Messages.RefundFunction { Terms = terms.ToStruct() }.GetCallData());
        var e = await FluentActions.Awaiting(() => _chain.Rpc.EstimateGasAsync(call, EscrowContract.Abi)).Should().ThrowAsync<ContractRevertedException>();
        e.Which.Reason!.Name.Should().Be("DeadlineNotReached");
        e.Which.Message.Should().StartWith("gas estimation reverted: DeadlineNotReached(deadline=");
    }

    [Fact]
    public async Task Logs_are_filtered_by_contract_event_and_indexed_key()
    {
        var escrow = await _chain.DeployEscrowAsync();
        var customer = await _chain.FundedSenderAsync();
        var start = await _chain.Rpc.BlockNumberAsync();
        var keys = new[] { EthAccount.Generate(), EthAccount.Generate() };
        foreach (var k in keys)
            await escrow.OpenAsync(customer, new EscrowOpening(ChainTestContext.RandomBytes32(), customer.Account.Address, k.Address,
                ChainTestContext.RandomBytes32(), 1, await _chain.LatestTimestampAsync() + 100));
        (await escrow.GetEventsAsync(start)).Should().HaveCount(2);
        var one = await escrow.GetEventsAsync(start, workKey: keys[1].Address);
        one.Should().ContainSingle().Which.WorkKey.Should().Be(keys[1].Address);
    }

    [Fact]
    public async Task An_unreachable_node_is_a_clear_error_after_retries()
    {
        var port = FreePort.Next(); // nothing listens there
        using var rpc = new EthRpcClient($"http://127.0.0.1:{port}", new EthRpcOptions { MaxRetries = 2, RetryDelay = TimeSpan.FromMilliseconds(10) });
        var watch = Stopwatch.StartNew();
        var e = await FluentActions.Awaiting(() => rpc.ChainIdAsync()).Should().ThrowAsync<NodeUnreachableException>();
        e.Which.Message.Should().Contain($"127.0.0.1:{port}").And.Contain("unreachable").And.Contain("3 attempts");
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_node_that_does_not_answer_in_time_is_a_timeout_not_a_hang()
    {
        // A listener that accepts connections but never answers.
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        var port = ((System.Net.IPEndPoint)silent.LocalEndpoint).Port;
        using var rpc = new EthRpcClient($"http://127.0.0.1:{port}", new EthRpcOptions { MaxRetries = 1, RequestTimeout = TimeSpan.FromMilliseconds(300), RetryDelay = TimeSpan.FromMilliseconds(10) });
        var e = await FluentActions.Awaiting(() => rpc.BlockNumberAsync()).Should().ThrowAsync<NodeUnreachableException>();
        e.Which.Message.Should().Contain("no answer within");
    }

    [Fact]
    public async Task A_json_rpc_error_is_reported_with_method_and_message()
    {
        var e = await FluentActions.Awaiting(() => _chain.Rpc.RequestAsync("eth_noSuchMethod", [])).Should().ThrowAsync<RpcException>();
        e.Which.Method.Should().Be("eth_noSuchMethod");
        e.Which.Message.Should().StartWith("eth_noSuchMethod failed:");
    }

    public void Dispose() => _chain.Dispose();
}
