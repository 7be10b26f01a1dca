using FairDelegation.Chain.Accounts;
using FairDelegation.Chain.Rpc;
using FairDelegation.Chain.Transactions;
using FairDelegation.Node.Chain;
using FairDelegation.Node.Configuration;
using FairDelegation.Node.Customer;
using FairDelegation.Node.Keys;
using FairDelegation.Node.Peers;
using FairDelegation.Node.Provider;
using FairDelegation.Node.Services;
using FairDelegation.Node.Storage;
using FairDelegation.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace FairDelegation.Node.Hosting;

/// <summary>Registers a whole node (customer or provider) in a service collection.</summary>
public static class FairDelegationNodeServiceCollectionExtensions
{
    /// <summary>
    /// The standalone node: <see cref="AddFairDelegationNodeServices"/>, plus the durable engine with both
    /// orchestrations and their activities, the chain watcher as a hosted service, and <see cref="CustomerNode"/>.
    /// Map the routes with <c>MapFairDelegationPeerApi()</c>.
    /// </summary>
    public static IServiceCollection AddFairDelegationNode(this IServiceCollection services, IConfiguration configuration,
        Action<NodeOptions>? configure = null)
    {
        services.AddFairDelegationNodeServices(configuration, configure);
        // Paths are needed while registering (the durable store); read them the same way the options will be.
        var eager = configuration.GetSection(NodeOptions.SectionName).Get<NodeOptions>() ?? new NodeOptions();
        configure?.Invoke(eager);
        // Over the engine's client (a Functions app makes them per invocation, with the client its runtime binds).
        services.AddSingleton<CustomerNode>();
        services.AddSingleton<FairDelegation.Node.Api.DelegationQueries>();

        services.AddHostedService<StartupChecks>(); // before the watcher and the workers: a wrong escrow address stops the node
        services.AddHostedService<ChainWatcher>();
        // The market (when Market:RegistryAddress is set): the directory followed continuously, and a provider's record kept.
        services.AddHostedService(sp => sp.GetRequiredService<FairDelegation.Node.Market.MarketWatcher>());
        services.AddSingleton<FairDelegation.Node.Market.MarketRegistration>();
        services.AddHostedService(sp => sp.GetRequiredService<FairDelegation.Node.Market.MarketRegistration>());

        // Workflows: the Durable Task stack on the backend "FairDelegation:Durable:Backend" names (docs/durable.md).
        services.AddDurableWorkflows(eager.Durable, r =>
        {
            r.AddOrchestrator<CustomerDelegation>();
            r.AddOrchestrator<ProviderDelegation>();
            // Customer steps
            r.AddActivity<ChooseProvider>();
            r.AddActivity<FixTerms>();
            r.AddActivity<CreateVerifier>();
            r.AddActivity<SendRequest>();
            r.AddActivity<CheckStamp>();
            r.AddActivity<OpenEscrow>();
            r.AddActivity<RefundEscrow>();
            r.AddActivity<DecryptWork>();
            // Provider steps
            r.AddActivity<ProduceWork>();
            r.AddActivity<RunVerifier>();
            r.AddActivity<DeliverWork>();
            r.AddActivity<CheckEscrow>();
            r.AddActivity<RevealKey>();
            r.AddActivity<PaymentReceived>();
            // Shared
            r.AddActivity<ReadConfirmations>();
            r.AddActivity<ReadChainTime>();
        }, eager.DataPath);
        return services;
    }

    /// <summary>
    /// The node's services, shared by every host of the workflows (the standalone node and the Azure Functions app):
    /// binds <see cref="NodeOptions"/> from the "FairDelegation" section (then <paramref name="configure"/>), and
    /// registers the node's stores (its SQLite database, key store, blob store from "FairDelegation:Blobs"), identity,
    /// wallet, chain clients, peer messaging and the provider's quote. No engine and no hosted service: the host brings
    /// those (and the orchestration client they call with).
    /// </summary>
    public static IServiceCollection AddFairDelegationNodeServices(this IServiceCollection services, IConfiguration configuration,
        Action<NodeOptions>? configure = null)
    {
        var section = configuration.GetSection(NodeOptions.SectionName);
        services.AddOptions<NodeOptions>().Bind(section).Configure(o => configure?.Invoke(o)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<NodeOptions>, NodeOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        // HTTP JSON: wei as decimal strings, enums by name (the same conventions as peer messages).
        services.ConfigureHttpJsonOptions(j =>
        {
            j.SerializerOptions.Converters.Add(FairDelegation.Protocol.Serialization.BigIntegerJsonConverter.Wei);
            j.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter());
        });
        services.AddSingleton(sp => new NodeDatabase(Opt(sp).DataPath(Opt(sp).Database.NodePath)));
        services.AddSingleton(sp =>
        {
            var o = Opt(sp);
            return new KeyStore(o.DataPath(o.KeyStore.Path), KeyStore.LoadNodeKey(o.KeyStore.NodeKey, o.DataPath(o.KeyStore.NodeKeyFile)));
        });
        services.AddSingleton(sp => NodeIdentity.LoadOrCreate(Opt(sp).DataPath(Opt(sp).Identity.KeyFile)));
        services.AddSingleton(sp => Wallet.Load(Opt(sp).Wallet, Opt(sp).DataPath));
        services.AddSingleton<AgreementStore>();
        services.AddSingleton<SharedBlobs>();
        services.AddSingleton<PeerInbox>();
        services.AddSingleton<ServiceCatalog>();
        services.AddSingleton<Quote>();
        services.AddSingleton<FairDelegation.Node.Market.MarketWatcher>();
        services.AddSingleton<FairDelegation.Node.Market.PriceQuotes>();
        // Quote requests are not retried: a provider that does not answer within Market:QuoteSilence is passed over.
        services.AddHttpClient(ChooseProvider.HttpClientName, (sp, c) => c.Timeout = Opt(sp).Market.QuoteSilence + TimeSpan.FromSeconds(1));
        services.AddSingleton<BlobFetcher>();
        services.AddSingleton<NodeUrls>();
        // Peer calls and JSON-RPC retry transient faults on the HttpClient pipeline (issue 11 #4); the client's Timeout bounds all attempts.
        services.AddTransient(sp => new TransientFaultHandler(new TransientFaultOptions(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<TransientFaultHandler>>()));
        services.AddHttpClient<PeerClient>((sp, c) => c.Timeout = Opt(sp).Timeouts.PeerCall).AddHttpMessageHandler<TransientFaultHandler>();
        services.AddHttpClient(BlobFetcher.HttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan);

        // Blobs: "FairDelegation:Blobs"; a file store under the data directory unless told otherwise.
        services.AddBlobStore(configuration, $"{NodeOptions.SectionName}:{BlobStoreOptions.SectionName}");
        services.AddOptions<BlobStoreOptions>().PostConfigure<IOptions<NodeOptions>>((b, n) =>
        {
            if (b.Kind == BlobStoreKind.FileSystem && string.IsNullOrWhiteSpace(b.Path)) b.Path = n.Value.DataPath("blobs");
        });

        // Chain: one RPC client, one nonce manager and one sender for the wallet.
        // Nethereum's RpcClient runs on this named HttpClient, so handlers added to it (resilience, logging) apply to every call.
        // Transient faults are retried by its TransientFaultHandler (issue 11 #4), not by the client's own loop (MaxRetries 0);
        // the request timeout bounds all attempts of one call.
        services.AddHttpClient(EthRpcClient.HttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan).AddHttpMessageHandler<TransientFaultHandler>();
        services.AddSingleton(sp => new EthRpcClient(new Uri(Opt(sp).Chain.RpcUrl), Opt(sp).Chain.RpcOptions() with { MaxRetries = 0, RequestTimeout = TimeSpan.FromSeconds(60) },
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(EthRpcClient.HttpClientName)));
        services.AddSingleton(sp => new NonceManager(sp.GetRequiredService<EthRpcClient>()));
        services.AddSingleton(sp => new TransactionSender(sp.GetRequiredService<EthRpcClient>(),
            EthAccount.FromPrivateKey(sp.GetRequiredService<Wallet>().PrivateKey), sp.GetRequiredService<NonceManager>()));
        services.TryAddSingleton<IFaultPoints, NoFaultPoints>();
        services.AddSingleton<EscrowGateway>();
        services.AddSingleton<WalletFunding>();
        return services;
    }

    private static NodeOptions Opt(IServiceProvider sp) => sp.GetRequiredService<IOptions<NodeOptions>>().Value;
}
