using FairDelegation.Chain.Dev;
using FairDelegation.Chain.Rpc;
using FairDelegation.Testing;

namespace FairDelegation.Chain.Tests.Rpc;

/// <summary>The CLI's own anvil launcher (bench gas, demo): starts from node_modules, answers, and is gone after dispose.</summary>
public sealed class LocalAnvilTests
{
    [Fact]
    public async Task Starts_answers_with_funded_dev_accounts_and_stops()
    {
        int port;
        await using (var anvil = await LocalAnvil.StartAsync(RepoPaths.Anvil))
        {
            port = anvil.Port;
            using var rpc = new EthRpcClient(anvil.RpcUrl);
            (await rpc.ChainIdAsync()).Should().Be(LocalAnvil.ChainId);
            LocalAnvil.DevAccount(0).Address.ToString().Should().Be(AnvilProcess.DevAddresses[0]);
            (await rpc.GetBalanceAsync(LocalAnvil.DevAccount(9).Address)).Should().BeGreaterThan(0);
        }
        using var gone = new EthRpcClient($"http://127.0.0.1:{port}", new EthRpcOptions { MaxRetries = 0 });
        await FluentActions.Awaiting(() => gone.ChainIdAsync()).Should().ThrowAsync<NodeUnreachableException>();
    }

    [Fact]
    public void Dev_keys_match_the_fixture_and_their_addresses()
    {
        LocalAnvil.DevPrivateKeys.Should().Equal(AnvilProcess.DevPrivateKeys);
        for (var i = 0; i < 10; i++) LocalAnvil.DevAccount(i).Address.ToString().Should().Be(AnvilProcess.DevAddresses[i]);
    }
}
