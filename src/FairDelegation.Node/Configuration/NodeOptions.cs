using System.Numerics;

namespace FairDelegation.Node.Configuration;

/// <summary>Which side of a delegation this node plays.</summary>
public enum NodeRole
{
    Customer,
    Provider,
}

/// <summary>
/// Everything a node needs, bound from the "FairDelegation" configuration section (appsettings.json,
/// then environment variables such as FairDelegation__Chain__RpcUrl). See docs/node.md.
/// </summary>
public sealed class NodeOptions
{
    /// <summary>The configuration section this binds from.</summary>
    public const string SectionName = "FairDelegation";

    /// <summary>customer or provider. A node serves the peer routes of its role only.</summary>
    public NodeRole Role { get; set; } = NodeRole.Customer;

    /// <summary>A human name for logs and the identity document.</summary>
    public string Name { get; set; } = "node";

    /// <summary>
    /// The URL peers use to reach this node (references to shared blobs are built on it).
    /// Defaults to the first URL Kestrel listens on.
    /// </summary>
    public string? PublicUrl { get; set; }

    /// <summary>Where the node keeps its files (databases, key store, identity, blobs) unless told otherwise.</summary>
    public string DataDirectory { get; set; } = "fairdelegation-data";

    public ChainOptions Chain { get; set; } = new();
    public WalletOptions Wallet { get; set; } = new();
    public DatabaseOptions Database { get; set; } = new();

    /// <summary>The workflows' backend ("FairDelegation:Durable": Backend sqlite | azure-storage, see docs/durable.md).</summary>
    public FairDelegation.Workflows.DurableOptions Durable { get; set; } = new();
    public KeyStoreOptions KeyStore { get; set; } = new();
    public IdentityOptions Identity { get; set; } = new();
    public List<PeerOptions> Peers { get; set; } = [];
    public TimeoutOptions Timeouts { get; set; } = new();
    public ProviderOptions Provider { get; set; } = new();

    /// <summary>What only a customer node uses: batched openings ("FairDelegation:Customer").</summary>
    public CustomerOptions Customer { get; set; } = new();
    public PeerApiOptions PeerApi { get; set; } = new();

    /// <summary>The market (docs/market.md): the registry this node reads and, for a provider, registers with.</summary>
    public MarketOptions Market { get; set; } = new();

    /// <summary>Resolves a path relative to <see cref="DataDirectory"/>.</summary>
    public string DataPath(string relativeOrAbsolute) =>
        Path.IsPathRooted(relativeOrAbsolute) ? relativeOrAbsolute : Path.Combine(Path.GetFullPath(DataDirectory), relativeOrAbsolute);
}

/// <summary>The chain the escrow lives on.</summary>
public sealed class ChainOptions
{
    /// <summary>JSON-RPC endpoint (anvil: http://127.0.0.1:8545).</summary>
    public string RpcUrl { get; set; } = "http://127.0.0.1:8545";

    /// <summary>EIP-155 chain id; 31337 is anvil's.</summary>
    public long ChainId { get; set; } = 31337;

    /// <summary>The singleton FairDelegationEscrow's address (0x...).</summary>
    public string EscrowAddress { get; set; } = "";

    /// <summary>Blocks on top of a transaction's block before it counts (1 = mined).</summary>
    public int Confirmations { get; set; } = 1;

    /// <summary>How often the chain watcher and the confirmation loops poll when no new-block subscription is live.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// WebSocket endpoint for eth_subscribe (new blocks wake the watcher and the receipt and confirmation waits). Empty:
    /// derived from <see cref="RpcUrl"/> (http→ws, https→wss, same host, port and path); "none": never subscribe, poll.
    /// When it cannot be reached the node polls and keeps retrying in the background.
    /// </summary>
    public string? WebSocketUrl { get; set; }

    /// <summary>The RPC client's options for <see cref="WebSocketUrl"/>.</summary>
    public FairDelegation.Chain.Rpc.EthRpcOptions RpcOptions() => string.Equals(WebSocketUrl?.Trim(), "none", StringComparison.OrdinalIgnoreCase)
        ? new() { UseWebSocket = false }
        : new() { WebSocketUrl = string.IsNullOrWhiteSpace(WebSocketUrl) ? null : new Uri(WebSocketUrl.Trim()) };

    /// <summary>The block the chain watcher starts from on a fresh database (the escrow's deploy block is ideal).</summary>
    public long WatchFromBlock { get; set; }
}

/// <summary>Where the wallet's private key comes from. Exactly one source is used, in the order env, file, inline.</summary>
public sealed class WalletOptions
{
    /// <summary>Name of an environment variable holding the 0x-hex private key.</summary>
    public string? PrivateKeyEnvironmentVariable { get; set; }

    /// <summary>A file holding the 0x-hex private key (should be readable by the node's user only).</summary>
    public string? PrivateKeyFile { get; set; }

    /// <summary>The key inline: for development chains only (anvil's dev keys).</summary>
    public string? PrivateKey { get; set; }

    /// <summary>
    /// Provider: the address that receives the wage (the contract pays the payee fixed at step 8, never msg.sender).
    /// Defaults to the wallet's address.
    /// </summary>
    public string? PayeeAddress { get; set; }
}

/// <summary>The node's own tables.</summary>
public sealed class DatabaseOptions
{
    /// <summary>SQLite file for the node's own records: agreements, processed peer messages, shares, chain cursor.</summary>
    public string NodePath { get; set; } = "node.db";
}

/// <summary>The key store for disposable private keys, encrypted at rest.</summary>
public sealed class KeyStoreOptions
{
    /// <summary>SQLite file of the key store (relative to the data directory).</summary>
    public string Path { get; set; } = "keys.db";

    /// <summary>The 32-byte node key as base64 or 0x-hex; when absent, <see cref="NodeKeyFile"/> is used (and created).</summary>
    public string? NodeKey { get; set; }

    /// <summary>File holding the node key; created with 0600 permissions on first start.</summary>
    public string NodeKeyFile { get; set; } = "node.key";
}

/// <summary>The node's long-lived identity key (secp256k1), used to sign every peer message.</summary>
public sealed class IdentityOptions
{
    /// <summary>The identity key file (0x-hex, created with 0600 permissions on first start).</summary>
    public string KeyFile { get; set; } = "identity.key";
}

/// <summary>A peer this node knows: its URL and the identity it must sign with.</summary>
public sealed class PeerOptions
{
    public string Name { get; set; } = "";
    public string Url { get; set; } = "";

    /// <summary>The peer's identity address (0x...). Messages from this URL must be signed by it.</summary>
    public string? Identity { get; set; }
}

/// <summary>How long each wait lasts; every wait ends in a state where nobody lost funds.</summary>
public sealed class TimeoutOptions
{
    /// <summary>Customer: how long the provider has to deliver stamped work after the request.</summary>
    public TimeSpan WorkDelivery { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Provider: how long after delivery it waits for the escrow to be opened (and confirmed).</summary>
    public TimeSpan EscrowOpen { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Provider: how long it waits for the request after quoting.</summary>
    public TimeSpan Request { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The escrow's deadline, counted from the quote: covers work, delivery, opening and the claim.
    /// After it the customer may refund.
    /// </summary>
    public TimeSpan Deadline { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Provider: the least time that must remain before the deadline for it to reveal its key.</summary>
    public TimeSpan DeadlineMargin { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a transaction may take to reach its confirmations before the step fails.</summary>
    public TimeSpan Confirmation { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Customer: how often, while waiting for the key, it reads the chain's time to see whether the deadline passed.</summary>
    public TimeSpan DeadlineCheck { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Allowed clock difference for peer message timestamps.</summary>
    public TimeSpan MessageClockSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Time limit for one run of a provider's service.</summary>
    public TimeSpan Service { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Time limit for one run of the verifier.</summary>
    public TimeSpan Verifier { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>HTTP timeout for one peer call.</summary>
    public TimeSpan PeerCall { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>A customer node's own settings.</summary>
public sealed class CustomerOptions
{
    /// <summary>
    /// Batched openings: how long the first delegation to reach step (8) waits for others to share one openBatch
    /// (or openTokenBatch) transaction with it. Zero (the default): every escrow is opened alone, at once. A window
    /// delays every opening by up to its length, also when no other delegation comes; it pays off for a node that runs
    /// many delegations at once (docs/configuration.md says how to size it).
    /// </summary>
    public TimeSpan OpenBatchWindow { get; set; } = TimeSpan.Zero;

    /// <summary>The most openings one batch transaction carries; a full batch is sent without waiting for the window's end.</summary>
    public int OpenBatchMaxSize { get; set; } = 10;
}

/// <summary>What a provider offers.</summary>
public sealed class ProviderOptions
{
    /// <summary>Services by name: price and, for external commands, the program.</summary>
    public Dictionary<string, ServiceOptions> Services { get; set; } = new(StringComparer.Ordinal);

    /// <summary>How many times (3) ProduceWork is retried after the verifier rejects the work.</summary>
    public int VerifierRetryBudget { get; set; } = 2;

    /// <summary>Customers' `command` SLA checkers: off unless enabled, and then only in the bubblewrap sandbox.</summary>
    public CommandSlaOptions CommandSlas { get; set; } = new();
}

/// <summary>
/// Whether this provider runs customers' command checkers (their programs, on its unpaid plaintext work), and the
/// sandbox's limits. Off by default: such a quote is refused. On, the node refuses to start without bubblewrap.
/// </summary>
public sealed class CommandSlaOptions
{
    public bool Enabled { get; set; }

    /// <summary>Address-space limit of the checker, bytes.</summary>
    public long MemoryBytes { get; set; } = 1L << 30;

    /// <summary>CPU-time limit of the checker.</summary>
    public TimeSpan CpuTime { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Processes the checker's user may have at once (inside its own PID namespace).</summary>
    public int MaxProcesses { get; set; } = 64;

    /// <summary>The bwrap executable; unset: the first of /usr/bin/bwrap, /bin/bwrap, /usr/local/bin/bwrap that exists.</summary>
    public string? BubblewrapPath { get; set; }
}

/// <summary>One service a provider offers.</summary>
public sealed class ServiceOptions
{
    /// <summary>The wage the provider asks (wage_sp), decimal wei.</summary>
    public string WageWei { get; set; } = "0";

    /// <summary>train-classifier (built-in) or external-command.</summary>
    public string Kind { get; set; } = "train-classifier";

    /// <summary>External command: the program to run.</summary>
    public string? Command { get; set; }

    /// <summary>External command: arguments; {input} and {output} are replaced by the file paths.</summary>
    public List<string> Arguments { get; set; } = [];

    /// <summary>Optional per-service time limit (overrides Timeouts.Service).</summary>
    public TimeSpan? TimeLimit { get; set; }

    /// <summary>The wage's currency: empty or "ETH", or an ERC-20 token's address (WageWei is then in its base units).</summary>
    public string? Currency { get; set; }

    /// <summary>The currency as the contracts name it: <see cref="FairDelegation.Chain.Crypto.EthereumAddress.Zero"/> for ETH.</summary>
    public FairDelegation.Chain.Crypto.EthereumAddress Token =>
        string.IsNullOrWhiteSpace(Currency) || Currency.Trim().Equals("ETH", StringComparison.OrdinalIgnoreCase) ? FairDelegation.Chain.Crypto.EthereumAddress.Zero
        : FairDelegation.Chain.Crypto.EthereumAddress.TryParse(Currency.Trim(), out var token) ? token!
        : throw new FormatException($"service currency '{Currency}' is neither ETH nor a token address");

    /// <summary>The wage as wei.</summary>
    public BigInteger Wage => BigInteger.TryParse(WageWei, out var w) && w.Sign >= 0 ? w
        : throw new FormatException($"service wage '{WageWei}' is not a non-negative decimal number of wei");
}

/// <summary>Limits on what peers may send.</summary>
public sealed class PeerApiOptions
{
    /// <summary>Largest input sent inline in a request (bytes); larger inputs go by reference.</summary>
    public long MaxInlineBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Largest input or verifier package fetched by reference (bytes).</summary>
    public long MaxReferencedBytes { get; set; } = 1L << 30;
}

/// <summary>
/// The market ("FairDelegation:Market", docs/market.md). Without a registry address the node is outside the market: a
/// customer must name its provider's URL, a provider answers no price quotes and registers nothing.
/// </summary>
public sealed class MarketOptions
{
    /// <summary>The FairDelegationRegistry's address (0x...); empty: no market.</summary>
    public string? RegistryAddress { get; set; }

    /// <summary>The block the directory watcher starts from (the registry's deploy block is ideal; default Chain:WatchFromBlock).</summary>
    public long? WatchFromBlock { get; set; }

    /// <summary>Provider: register at startup (and update the record when the offers or the endpoint change).</summary>
    public bool Register { get; set; }

    /// <summary>Provider: the stake locked on registering, decimal wei (at least the registry's minStake).</summary>
    public string StakeWei { get; set; } = "0";

    /// <summary>Provider: the endpoint registered (default <see cref="NodeOptions.PublicUrl"/>, else the first listening URL).</summary>
    public string? Endpoint { get; set; }

    /// <summary>Provider: how long a signed price quote stays valid (chain time).</summary>
    public TimeSpan QuoteLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Customer: how many of the best-ranked providers are asked for a quote at once.</summary>
    public int QuoteBatchSize { get; set; } = 3;

    /// <summary>Customer: how long a provider has to answer a quote request before it is passed over as silent.</summary>
    public TimeSpan QuoteSilence { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Customer: how long the choice waits for the directory watcher to reach the chain's head.</summary>
    public TimeSpan DirectoryCatchUp { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Whether a registry is configured.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(RegistryAddress);

    /// <summary>The stake as wei.</summary>
    public BigInteger Stake => BigInteger.TryParse(StakeWei, out var w) && w.Sign >= 0 ? w
        : throw new FormatException($"market stake '{StakeWei}' is not a non-negative decimal number of wei");
}
