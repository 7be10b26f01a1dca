using FairDelegation.Chain.Rpc;
using FairDelegation.Node.Configuration;
using FairDelegation.Node.Model;

namespace FairDelegation.Node.Tests.EndToEnd;

/// <summary>
/// The chain side of a delegation driven by pushed blocks (eth_subscribe over WebSocket), and by polling when there is
/// no WebSocket: the chain watchers, the receipt waits and the confirmations.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class ChainPushTests(ChainAndBlobsFixture chain) : IAsyncLifetime
{
    private readonly Delegations _d = new(chain);

    public Task InitializeAsync() => Task.CompletedTask;
    public Task DisposeAsync() => _d.DisposeAsync().AsTask();

    [Fact]
    public async Task With_a_subscription_the_chain_waits_do_not_depend_on_the_poll_interval()
    {
        // A poll interval far beyond the test's patience: only pushed blocks can move the watchers and confirmations.
        var slowPolls = new Dictionary<string, string?> { ["FairDelegation:Chain:PollInterval"] = "00:02:00" };
        var provider = await _d.StartProviderAsync(slowPolls);
        var customer = await _d.StartCustomerAsync(slowPolls);
        foreach (var node in new[] { provider, customer })
            (await node.Get<EthRpcClient>().Heads.WaitUntilLiveAsync(TimeSpan.FromSeconds(10))).Should().BeTrue("the WebSocket URL is derived from the RPC URL");

        var id = await Delegations.StartTrainingAsync(customer, provider.Url);
        var outcome = await Delegations.OutcomeAsync(customer, id, TimeSpan.FromSeconds(60));
        outcome.Status.Should().Be(DelegationStatus.Completed, outcome.Reason);
        outcome.Transactions.Should().ContainSingle(t => t.Step == "OpenEscrow" && t.Succeeded && t.BlockHash != null);
    }

    [Fact]
    public async Task Without_a_websocket_the_nodes_poll_and_still_complete()
    {
        var noSocket = new Dictionary<string, string?> { ["FairDelegation:Chain:WebSocketUrl"] = "none" };
        var provider = await _d.StartProviderAsync(noSocket);
        var customer = await _d.StartCustomerAsync(noSocket);
        customer.Get<EthRpcClient>().Heads.Url.Should().BeNull();

        var id = await Delegations.StartTrainingAsync(customer, provider.Url);
        var outcome = await Delegations.OutcomeAsync(customer, id);
        outcome.Status.Should().Be(DelegationStatus.Completed, outcome.Reason);
        customer.Get<EthRpcClient>().Heads.IsLive.Should().BeFalse();
    }

    [Fact]
    public void A_websocket_url_must_be_ws_or_wss_or_none()
    {
        var o = new NodeOptions();
        o.Chain.EscrowAddress = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
        o.Chain.WebSocketUrl = "http://127.0.0.1:8545";
        NodeOptionsValidator.Problems(o).Should().Contain(p => p.StartsWith("FairDelegation:Chain:WebSocketUrl"));
        foreach (var ok in new[] { "ws://127.0.0.1:8545", "wss://rpc.example/ws/v3/key", "none", "" })
        {
            o.Chain.WebSocketUrl = ok;
            NodeOptionsValidator.Problems(o).Should().NotContain(p => p.StartsWith("FairDelegation:Chain:WebSocketUrl"), ok);
        }
        o.Chain.WebSocketUrl = "none";
        o.Chain.RpcOptions().WebSocketUrlFor(new Uri("http://127.0.0.1:8545")).Should().BeNull();
        o.Chain.WebSocketUrl = null;
        o.Chain.RpcOptions().WebSocketUrlFor(new Uri("https://rpc.example/v1")).Should().Be(new Uri("wss://rpc.example/v1"));
    }
}
