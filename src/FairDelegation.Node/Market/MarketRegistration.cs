using FairDelegation.Chain.Crypto;
using FairDelegation.Chain.Registry;
using FairDelegation.Chain.Rpc;
using FairDelegation.Chain.Transactions;
using FairDelegation.Node.Chain;
using FairDelegation.Node.Configuration;
using FairDelegation.Node.Hosting;
using FairDelegation.Node.Peers;
using FairDelegation.Protocol.Market;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nethereum.Contracts;

namespace FairDelegation.Node.Market;

/// <summary>
/// A provider with <c>Market:Register</c> joins the market at startup and keeps its record true: it reads its own entry
/// from the directory the <see cref="MarketWatcher"/> rebuilt from the registry's events, and registers (with
/// <c>Market:StakeWei</c>) when it is absent or has left, or updates endpoint, payee and offers when they differ from
/// its configuration. It looks on chain before every send, so a restart never registers twice. The transactions come
/// from the node identity (the address that signs its quotes), which must hold the stake and the gas: until it does, the
/// node logs what is missing and tries again at each new block.
/// </summary>
public sealed class MarketRegistration(MarketWatcher market, NodeIdentity identity, Wallet wallet, NodeUrls urls, EthRpcClient rpc,
    IOptions<NodeOptions> options, IHostApplicationLifetime lifetime, ILogger<MarketRegistration> log) : BackgroundService
{
    /// <summary>Set once the registry holds this node's record as configured.</summary>
    public bool Registered { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (o.Role != NodeRole.Provider || !o.Market.Enabled || !o.Market.Register) return;
        // The endpoint defaults to the URL the server listens on: known once it has started.
        var started = new TaskCompletionSource();
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled()))
        {
            try { await started.Task; }
            catch (OperationCanceledException) { return; }
        }
        var registry = EthereumAddress.Parse(o.Market.RegistryAddress!);
        var sender = new TransactionSender(rpc, identity.Account());
        while (!stoppingToken.IsCancellationRequested)
        {
            var seen = rpc.Heads.Sequence;
            try
            {
                var endpoint = string.IsNullOrWhiteSpace(o.Market.Endpoint) ? urls.PublicUrl : o.Market.Endpoint;
                var payee = wallet.Payee(o.Wallet);
                var offers = MarketOffers.All(o);
                var snapshot = await market.SnapshotAsync(o.Market.DirectoryCatchUp, stoppingToken);
                var mine = snapshot.Entries.FirstOrDefault(e => e.Provider == identity.Address);
                if (mine is { Serving: true } && mine.Endpoint == endpoint && mine.Payee == payee && mine.Offers.SequenceEqual(offers))
                {
                    if (!Registered) log.LogInformation("market: registered as {Provider} at {Endpoint} with {Offers} offer(s)", identity.Address, endpoint, offers.Count);
                    Registered = true;
                    return;
                }
                var structs = RegistryLogs.ToStructs(offers);
                var request = mine is { Serving: true }
                    ? new TransactionRequest(registry, new UpdateFunction { Endpoint = endpoint, Payee = payee.ToString(), Offers = structs }.GetCallData())
                        { Abi = RegistryContract.Errors, Action = "update market offer" }
                    : new TransactionRequest(registry, new RegisterFunction { Endpoint = endpoint, Payee = payee.ToString(), Offers = structs }.GetCallData(),
                        mine is null ? o.Market.Stake : 0) { Abi = RegistryContract.Errors, Action = "register in the market" };
                await sender.SendAndWaitAsync(request, stoppingToken);
                // Round again: the directory must show the record before it counts as registered.
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Typically an identity without the stake or the gas yet (the operator funds it), or the chain away.
                log.LogWarning("market: registering {Provider} failed, trying again at the next block: {Reason}", identity.Address, e.Message);
                await rpc.Heads.WaitForNextAsync(seen, o.Chain.PollInterval, stoppingToken).ContinueWith(_ => { }, CancellationToken.None);
            }
        }
    }
}
