using System.Numerics;
using FairDelegation.Chain.Crypto;
using FairDelegation.Chain.Registry;
using FairDelegation.Protocol.Market;
using FairDelegation.Testing;
using Nethereum.Contracts;
using Nethereum.Hex.HexTypes;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Web3;
using Nethereum.Web3.Accounts;

namespace FairDelegation.Protocol.Tests.Market;

/// <summary>
/// The registry binding against the contract on a real anvil: the typed messages drive the contract, cast agrees on
/// calldata and state, and the directory rebuilt from the logs alone is what happened.
/// </summary>
public sealed class RegistryOnAnvilTests(AnvilProcess anvil) : IClassFixture<AnvilProcess>
{
    private static readonly BigInteger MinStake = BigInteger.Pow(10, 17);
    private const int Delay = 7 * 24 * 3600;
    private static readonly EthereumAddress Token = EthereumAddress.Parse("0x5FbDB2315678afecb367f032d93F642f64180aa3");

    private Web3 Web3For(int devKey) => new(new Account(AnvilProcess.DevPrivateKeys[devKey], anvil.ChainId), anvil.RpcUrl);

    private static List<OfferStruct> Offers(BigInteger ethPrice) => RegistryLogs.ToStructs([
        new MarketOffer("train-linear-model", EthereumAddress.Zero, ethPrice, PriceBasis.PerTask, 0, 4),
        new MarketOffer("train-linear-model", Token, 25_000_000, PriceBasis.PerUnit, 1000, 4),
    ]);

    private async Task<string> DeployAsync()
    {
        var receipt = await Web3For(0).Eth.GetContractDeploymentHandler<RegistryDeployment>()
            .SendRequestAndWaitForReceiptAsync(RegistryContract.Deployment(MinStake, Delay));
        receipt.Status.Value.Should().Be(1);
        return receipt.ContractAddress;
    }

    private async Task<TransactionReceipt> SendAsync<T>(int devKey, string registry, T message) where T : FunctionMessage, new()
    {
        var receipt = await Web3For(devKey).Eth.GetContractTransactionHandler<T>().SendRequestAndWaitForReceiptAsync(registry, message);
        receipt.Status.Value.Should().Be(1, typeof(T).Name + " must succeed");
        return receipt;
    }

    [Fact]
    public async Task The_directory_rebuilt_from_the_logs_is_what_the_typed_messages_did()
    {
        var registry = await DeployAsync();
        var provider1 = EthereumAddress.Parse(AnvilProcess.DevAddresses[1]);
        var provider2 = EthereumAddress.Parse(AnvilProcess.DevAddresses[2]);
        var payee = EthereumAddress.Parse(AnvilProcess.DevAddresses[5]);

        await SendAsync(1, registry, new RegisterFunction { Endpoint = "http://p1:5080", Payee = payee.ToString(), Offers = Offers(10), AmountToSend = MinStake });
        await SendAsync(2, registry, new RegisterFunction { Endpoint = "http://p2:5080", Payee = provider2.ToString(), Offers = Offers(20), AmountToSend = 2 * MinStake });
        await SendAsync(1, registry, new UpdateFunction { Endpoint = "http://p1-new:5080", Payee = payee.ToString(), Offers = Offers(12) });
        await SendAsync(1, registry, new AddStakeFunction { AmountToSend = MinStake });
        var left = await SendAsync(2, registry, new DeregisterFunction());

        var logs = await Web3For(0).Eth.Filters.GetLogs.SendRequestAsync(new NewFilterInput
        {
            Address = [registry], FromBlock = new BlockParameter(0), ToBlock = BlockParameter.CreateLatest(),
        });
        var directory = new ProviderDirectory();
        directory.Apply(RegistryLogs.Decode(logs));

        var serving = directory.Serving("train-linear-model").Should().ContainSingle().Subject;
        serving.Provider.Should().Be(provider1);
        serving.Endpoint.Should().Be("http://p1-new:5080");
        serving.Payee.Should().Be(payee);
        serving.Stake.Should().Be(2 * MinStake);
        serving.OfferFor("train-linear-model", EthereumAddress.Zero)!.Price.Should().Be(12);
        serving.OfferFor("train-linear-model", Token)!.Should().BeEquivalentTo(
            new MarketOffer("train-linear-model", Token, 25_000_000, PriceBasis.PerUnit, 1000, 4));
        var gone = directory.All().Single(e => e.Provider == provider2);
        gone.Serving.Should().BeFalse();
        var block = await Web3For(0).Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(left.BlockNumber);
        gone.UnlocksAt.Should().Be((long)block.Timestamp.Value + Delay);

        // The contract's own view agrees (read through the binding and through cast).
        var state = await Web3For(0).Eth.GetContractQueryHandler<ProvidersFunction>()
            .QueryDeserializingToObjectAsync<ProviderStateOutput>(new ProvidersFunction { Provider = provider1.ToString() }, registry);
        state.Stake.Should().Be(2 * MinStake);
        state.UnlocksAt.Should().Be(0);
        var cast = (await ProcessRunner.RunAsync(RepoPaths.Cast, ["call", registry, "providers(address)(uint128,uint64)", provider2.ToString(),
            "--rpc-url", anvil.RpcUrl])).EnsureSuccess().StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        BigInteger.Parse(cast[0].Split(' ')[0]).Should().Be(2 * MinStake);
        long.Parse(cast[1].Split(' ')[0]).Should().Be(gone.UnlocksAt!.Value);

        // After the delay the stake comes back and the provider is forgotten.
        (await ProcessRunner.RunAsync(RepoPaths.Cast, ["rpc", "evm_increaseTime", Delay.ToString(), "--rpc-url", anvil.RpcUrl])).EnsureSuccess();
        await SendAsync(2, registry, new WithdrawFunction());
        logs = await Web3For(0).Eth.Filters.GetLogs.SendRequestAsync(new NewFilterInput
        {
            Address = [registry], FromBlock = new BlockParameter(0), ToBlock = BlockParameter.CreateLatest(),
        });
        directory.Apply(RegistryLogs.Decode(logs));
        directory.All().Should().ContainSingle().Which.Provider.Should().Be(provider1);
    }

    [Fact]
    public async Task The_binding_encodes_the_same_calldata_as_cast_and_decodes_what_cast_sent()
    {
        var message = new RegisterFunction { Endpoint = "http://p:1", Payee = AnvilProcess.DevAddresses[3], Offers = Offers(10) };
        var castCalldata = (await ProcessRunner.RunAsync(RepoPaths.Cast, ["calldata",
            "register(string,address,(string,address,uint256,uint8,uint64,uint32)[])", "http://p:1", AnvilProcess.DevAddresses[3],
            $"[(train-linear-model,0x0000000000000000000000000000000000000000,10,0,0,4),(train-linear-model,{Token},25000000,1,1000,4)]"]))
            .EnsureSuccess().StdOut.Trim();
        Hex.Encode(message.GetCallData()).Should().Be(castCalldata);

        var registry = await DeployAsync();
        (await ProcessRunner.RunAsync(RepoPaths.Cast, ["send", registry,
            "register(string,address,(string,address,uint256,uint8,uint64,uint32)[])", "http://by-cast", AnvilProcess.DevAddresses[3],
            "[(classify-images,0x0000000000000000000000000000000000000000,7,1,50,2)]",
            "--value", MinStake.ToString(), "--private-key", AnvilProcess.DevPrivateKeys[3], "--rpc-url", anvil.RpcUrl])).EnsureSuccess();
        var logs = await Web3For(0).Eth.Filters.GetLogs.SendRequestAsync(new NewFilterInput
        {
            Address = [registry], FromBlock = new BlockParameter(0), ToBlock = BlockParameter.CreateLatest(),
        });
        var registered = RegistryLogs.Decode(logs).Should().ContainSingle().Which.Should().BeOfType<ProviderRegistered>().Subject;
        registered.Provider.Should().Be(EthereumAddress.Parse(AnvilProcess.DevAddresses[3]));
        registered.Endpoint.Should().Be("http://by-cast");
        registered.Stake.Should().Be(MinStake);
        registered.Offers.Should().ContainSingle().Which.Should().BeEquivalentTo(
            new MarketOffer("classify-images", EthereumAddress.Zero, 7, PriceBasis.PerUnit, 50, 2));
    }
}
