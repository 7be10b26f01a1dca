using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Numerics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FairDelegation.Chain.Abi;
using FairDelegation.Chain.Crypto;
using FairDelegation.Chain.Transactions;
using Nethereum.JsonRpc.Client;
using Newtonsoft.Json.Linq;

namespace FairDelegation.Chain.Rpc;

/// <summary>Timeouts and retries of <see cref="EthRpcClient"/>.</summary>
public sealed record EthRpcOptions
{
    /// <summary>Per request; a timed-out request counts as a transient failure.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Attempts after the first one for transient failures (connection refused, timeout, HTTP 429/5xx).</summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>Delay before the first retry; doubles for each further one.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// The node's WebSocket endpoint for eth_subscribe; null derives it from the HTTP URL (http→ws, https→wss, same host,
    /// port and path: anvil, geth and reth serve both on one port).
    /// </summary>
    public Uri? WebSocketUrl { get; init; }

    /// <summary>False: never open a WebSocket; every wait for a block polls.</summary>
    public bool UseWebSocket { get; init; } = true;

    /// <summary>The new-block feed's reconnection and cache settings.</summary>
    public Watching.HeadFeedOptions HeadFeed { get; init; } = new();

    /// <summary>The WebSocket URL used for <paramref name="httpUrl"/>: <see cref="WebSocketUrl"/>, else derived; null when disabled.</summary>
    public Uri? WebSocketUrlFor(Uri httpUrl)
    {
        if (!UseWebSocket) return null;
        if (WebSocketUrl is not null) return WebSocketUrl;
        var scheme = httpUrl.Scheme switch { "http" => "ws", "https" => "wss", "ws" or "wss" => httpUrl.Scheme, _ => null };
        return scheme is null ? null : new UriBuilder(httpUrl) { Scheme = scheme }.Uri;
    }
}

/// <summary>
/// The Ethereum node over JSON-RPC: Nethereum's <see cref="RpcClient"/> carries every call and batch (framing, ids,
/// serialisation, HTTP) on an <see cref="HttpClient"/> that may come from DI (so resilience handlers on its pipeline
/// apply); this class adds what the escrow needs on top: typed results in our records, per-request timeouts and
/// retries on transient failures, <see cref="NodeUnreachableException"/> when the node cannot be reached, reverts as
/// <see cref="ContractRevertedException"/> with the decoded reason, call counts, and the pushed-head feed.
/// </summary>
public sealed class EthRpcClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly RpcClient _client;
    private long _nextId;
    private Watching.HeadFeed? _heads;
    private BigInteger? _chainId;

    /// <summary>The name of the HttpClient a host registers for the node connection (IHttpClientFactory).</summary>
    public const string HttpClientName = "ethereum-rpc";

    /// <param name="url">the node's HTTP JSON-RPC endpoint</param>
    /// <param name="options">timeouts, retries, WebSocket feed</param>
    /// <param name="http">the HttpClient Nethereum's RpcClient sends on (e.g. from IHttpClientFactory, with resilience
    /// handlers); not disposed by this client. Null: one of its own.</param>
    public EthRpcClient(Uri url, EthRpcOptions? options = null, HttpClient? http = null)
    {
        Url = url;
        Options = options ?? new EthRpcOptions();
        _ownsHttp = http is null;
        _http = http ?? new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        _client = new RpcClient(url, _http, null, null, null);
    }

    public EthRpcClient(string url, EthRpcOptions? options = null) : this(new Uri(url), options) { }

    public Uri Url { get; }
    public EthRpcOptions Options { get; }

    /// <summary>The calls this client made, by method.</summary>
    public RpcCallCounts Calls { get; } = new();

    /// <summary>
    /// New blocks pushed by the node over WebSocket (lazily connected on first use; without an endpoint its waits just
    /// time out, i.e. poll). One feed per client: the watcher, the receipt and confirmation waits share it.
    /// </summary>
    public Watching.HeadFeed Heads
    {
        get
        {
            if (_heads is { } h) return h;
            var created = new Watching.HeadFeed(Options.WebSocketUrlFor(Url), Options.HeadFeed);
            return Interlocked.CompareExchange(ref _heads, created, null) ?? created;
        }
    }

    // ---------------- chain state ----------------

    /// <summary>The chain id (asked once per client: it never changes under a running node).</summary>
    public async Task<BigInteger> ChainIdAsync(CancellationToken ct = default) =>
        _chainId ??= Quantity(await RequestAsync("eth_chainId", [], ct));

    public async Task<long> BlockNumberAsync(CancellationToken ct = default) =>
        (long)Quantity(await RequestAsync("eth_blockNumber", [], ct));

    public async Task<BigInteger> GetBalanceAsync(EthereumAddress address, string block = "latest", CancellationToken ct = default) =>
        Quantity(await RequestAsync("eth_getBalance", [address.ToLowerHex(), block], ct));

    /// <summary>The account's next nonce; "pending" counts transactions still in the pool.</summary>
    public async Task<BigInteger> GetTransactionCountAsync(EthereumAddress address, string block = "pending", CancellationToken ct = default) =>
        Quantity(await RequestAsync("eth_getTransactionCount", [address.ToLowerHex(), block], ct));

    public async Task<byte[]> GetCodeAsync(EthereumAddress address, string block = "latest", CancellationToken ct = default) =>
        Hex.Decode((await RequestAsync("eth_getCode", [address.ToLowerHex(), block], ct)).GetString()!);

    /// <summary>The block with that number, or null when the chain is not that long.</summary>
    public Task<BlockHeader?> GetBlockAsync(long number, CancellationToken ct = default) => GetBlockAsync(ToQuantity(number), ct);

    /// <summary>A block by tag ("latest", "pending", "safe", "finalized") or 0x-quantity.</summary>
    public async Task<BlockHeader?> GetBlockAsync(string tag, CancellationToken ct = default)
    {
        var b = await RequestAsync("eth_getBlockByNumber", [tag, false], ct);
        return b.ValueKind == JsonValueKind.Null ? null : ParseBlock(b);
    }

    /// <summary>The latest block as pushed over the live WebSocket feed, else asked for (one call).</summary>
    public async Task<BlockHeader> GetLatestBlockAsync(CancellationToken ct = default) =>
        Heads.Latest ?? await GetBlockAsync("latest", ct) ?? throw new InvalidOperationException("the node has no latest block");

    public async Task<BlockHeader?> GetBlockByHashAsync(string hash, CancellationToken ct = default)
    {
        var b = await RequestAsync("eth_getBlockByHash", [hash, false], ct);
        return b.ValueKind == JsonValueKind.Null ? null : ParseBlock(b);
    }

    // ---------------- fees and gas ----------------

    /// <summary>The node's suggested tip (eth_maxPriorityFeePerGas).</summary>
    public async Task<BigInteger> MaxPriorityFeePerGasAsync(CancellationToken ct = default) =>
        Quantity(await RequestAsync("eth_maxPriorityFeePerGas", [], ct));

    /// <summary>Base fee of the latest block plus the suggested tip.</summary>
    public async Task<FeeEstimate> GetFeesAsync(CancellationToken ct = default)
    {
        var latest = await GetBlockAsync("latest", ct) ?? throw new InvalidOperationException("the node has no latest block");
        var baseFee = latest.BaseFeePerGas ?? throw new InvalidOperationException("the node's blocks have no base fee (pre-London chain)");
        return new FeeEstimate(baseFee, await MaxPriorityFeePerGasAsync(ct));
    }

    /// <summary>
    /// What a transaction needs before it is signed, in one round trip: the sender's pending count (when
    /// <paramref name="countFor"/> is set), the gas estimate (when <paramref name="estimate"/> is set; a revert throws
    /// <see cref="ContractRevertedException"/> decoded with <paramref name="abi"/>, nothing is sent), the latest block (for
    /// its base fee) unless <paramref name="knownLatest"/> is given, and the node's tip suggestion when <paramref name="needTip"/>.
    /// </summary>
    public async Task<(BigInteger? Gas, BlockHeader Latest, BigInteger? Tip, BigInteger? PendingCount)> PrepareTransactionAsync(
        CallRequest? estimate, ContractErrors? abi, BlockHeader? knownLatest, bool needTip, EthereumAddress? countFor = null, CancellationToken ct = default)
    {
        var calls = new List<(string, JsonNode?[])>();
        if (countFor is not null) calls.Add(("eth_getTransactionCount", [countFor.ToLowerHex(), "pending"]));
        if (estimate is not null) calls.Add(("eth_estimateGas", [CallObject(estimate)]));
        if (knownLatest is null) calls.Add(("eth_getBlockByNumber", ["latest", false]));
        if (needTip) calls.Add(("eth_maxPriorityFeePerGas", []));
        IReadOnlyList<JsonElement?> results;
        if (calls.Count == 0) results = [];
        else if (calls.Count == 1)
        {
            try { results = [await RequestAsync(calls[0].Item1, calls[0].Item2, ct)]; }
            catch (RpcException e) when (estimate is not null && IsRevert(e)) { throw Revert("gas estimation", e, abi); }
        }
        else results = await ReadAsync(calls, abi, ct);
        var i = 0;
        BigInteger? count = countFor is null ? null : Quantity(results[i++]!.Value);
        BigInteger? gas = estimate is null ? null : Quantity(results[i++]!.Value);
        var latest = knownLatest;
        if (latest is null)
        {
            var b = results[i++]!.Value;
            latest = b.ValueKind == JsonValueKind.Null ? throw new InvalidOperationException("the node has no latest block") : ParseBlock(b);
        }
        BigInteger? tip = needTip ? Quantity(results[i]!.Value) : null;
        return (gas, latest, tip, count);
    }

    private async Task<IReadOnlyList<JsonElement?>> ReadAsync(List<(string, JsonNode?[])> calls, ContractErrors? abi, CancellationToken ct)
    {
        var answers = await BatchAsync(calls, ct);
        var results = new JsonElement?[answers.Count];
        for (var i = 0; i < answers.Count; i++)
        {
            try { results[i] = answers[i].Value; }
            catch (RpcException e) when (calls[i].Item1 == "eth_estimateGas" && IsRevert(e)) { throw Revert("gas estimation", e, abi); }
        }
        return results;
    }

    /// <summary>eth_estimateGas; a revert throws <see cref="ContractRevertedException"/> decoded with <paramref name="abi"/>.</summary>
    public async Task<BigInteger> EstimateGasAsync(CallRequest call, ContractErrors? abi = null, CancellationToken ct = default)
    {
        try { return Quantity(await RequestAsync("eth_estimateGas", [CallObject(call)], ct)); }
        catch (RpcException e) when (IsRevert(e)) { throw Revert("gas estimation", e, abi); }
    }

    /// <summary>eth_call against the latest block; a revert throws <see cref="ContractRevertedException"/>.</summary>
    public async Task<byte[]> CallAsync(CallRequest call, ContractErrors? abi = null, string block = "latest", CancellationToken ct = default)
    {
        try { return Hex.Decode((await RequestAsync("eth_call", [CallObject(call), block], ct)).GetString()!); }
        catch (RpcException e) when (IsRevert(e)) { throw Revert("call", e, abi); }
    }

    // ---------------- transactions ----------------

    /// <summary>Submits a signed transaction; returns its hash. A node that already has it is not an error.</summary>
    public async Task<string> SendRawTransactionAsync(SignedTransaction tx, CancellationToken ct = default)
    {
        try
        {
            var hash = (await RequestAsync("eth_sendRawTransaction", [tx.RawHex], ct)).GetString()!;
            return hash.ToLowerInvariant();
        }
        catch (RpcException e) when (e.RpcMessage.Contains("already known", StringComparison.OrdinalIgnoreCase)
                                     || e.RpcMessage.Contains("already imported", StringComparison.OrdinalIgnoreCase))
        {
            // A retry of a send whose first answer was lost.
            return tx.Hash;
        }
    }

    /// <summary>The receipt of a mined transaction, or null while it is pending or unknown.</summary>
    public async Task<TransactionReceipt?> GetTransactionReceiptAsync(string hash, CancellationToken ct = default)
    {
        var r = await RequestAsync("eth_getTransactionReceipt", [hash], ct);
        return r.ValueKind == JsonValueKind.Null ? null : ParseReceipt(r);
    }

    internal static TransactionReceipt ParseReceipt(JsonElement r)
    {
        return new TransactionReceipt(
            r.GetProperty("transactionHash").GetString()!.ToLowerInvariant(),
            (long)Quantity(r.GetProperty("blockNumber")),
            r.GetProperty("blockHash").GetString()!.ToLowerInvariant(),
            Quantity(r.GetProperty("status")) == 1,
            Quantity(r.GetProperty("gasUsed")),
            r.TryGetProperty("effectiveGasPrice", out var p) ? Quantity(p) : BigInteger.Zero,
            EthereumAddress.Parse(r.GetProperty("from").GetString()!),
            OptionalAddress(r, "to"),
            OptionalAddress(r, "contractAddress"),
            r.GetProperty("logs").EnumerateArray().Select(ParseLog).ToArray());
    }

    /// <summary>The transaction as the node knows it (pool or chain), or null when it does not (dropped or never seen).</summary>
    public async Task<TransactionInfo?> GetTransactionByHashAsync(string hash, CancellationToken ct = default)
    {
        var t = await RequestAsync("eth_getTransactionByHash", [hash], ct);
        if (t.ValueKind == JsonValueKind.Null) return null;
        var bn = t.TryGetProperty("blockNumber", out var b) && b.ValueKind == JsonValueKind.String ? (long?)Quantity(b) : null;
        return new TransactionInfo(t.GetProperty("hash").GetString()!.ToLowerInvariant(),
            EthereumAddress.Parse(t.GetProperty("from").GetString()!), Quantity(t.GetProperty("nonce")), bn);
    }

    /// <summary>eth_getLogs for one contract over a block range (or one block by hash).</summary>
    public async Task<IReadOnlyList<LogEntry>> GetLogsAsync(LogFilter filter, CancellationToken ct = default)
    {
        var f = new JsonObject { ["address"] = filter.Address.ToLowerHex() };
        if (filter.BlockHash is not null) f["blockHash"] = filter.BlockHash;
        else
        {
            f["fromBlock"] = ToQuantity(filter.FromBlock);
            f["toBlock"] = filter.ToBlock is { } to ? ToQuantity(to) : "latest";
        }
        var topics = new JsonArray();
        if (filter.Topic0 is { Count: > 0 } t0) topics.Add(new JsonArray(t0.Select(t => (JsonNode?)JsonValue.Create(t)).ToArray()));
        else if (filter.Topic1 is not null) topics.Add(null);
        if (filter.Topic1 is not null) topics.Add(filter.Topic1);
        if (topics.Count > 0) f["topics"] = topics;
        var logs = await RequestAsync("eth_getLogs", [f], ct);
        return logs.EnumerateArray().Select(ParseLog).ToArray();
    }

    // ---------------- transport ----------------

    /// <summary>
    /// Several independent calls in one HTTP request (a JSON-RPC batch, Nethereum's); results in the order asked. A call
    /// that failed throws its <see cref="RpcException"/> when its result is read, so the caller handles each as if made alone.
    /// </summary>
    public async Task<IReadOnlyList<RpcResult>> BatchAsync(IReadOnlyList<(string Method, JsonNode?[] Parameters)> calls, CancellationToken ct = default)
    {
        if (calls.Count == 0) return [];
        var first = Interlocked.Add(ref _nextId, calls.Count) - calls.Count + 1;
        foreach (var call in calls) Calls.Count(call.Method, "http-batch");
        Calls.CountRoundTrip();
        var label = string.Join("+", calls.Select(c => c.Method));
        var items = calls.Select((c, i) =>
        {
            var handler = new RpcRequestResponseHandler<JToken>(_client, c.Method);
            return new RpcRequestResponseBatchItem<RpcRequestResponseHandler<JToken>, JToken>(handler, handler.BuildRequest(first + i, ToNewtonsoft(c.Parameters)));
        }).ToArray();
        await WithRetriesAsync(label, async () =>
        {
            var batch = new RpcRequestResponseBatch { AcceptPartiallySuccessful = true };
            batch.BatchItems.AddRange(items);
            await _client.SendBatchRequestAsync(batch).ConfigureAwait(false);
            return true;
        }, ct).ConfigureAwait(false);
        return items.Select((item, i) => new RpcResult(calls[i].Method, item.HasError, item.RpcError, item.Response)).ToArray();
    }

    /// <summary>One call's answer in a batch.</summary>
    public readonly struct RpcResult
    {
        private readonly string _method;
        private readonly bool _failed;
        private readonly Nethereum.JsonRpc.Client.RpcError? _error;
        private readonly JToken? _result;

        internal RpcResult(string method, bool failed, Nethereum.JsonRpc.Client.RpcError? error, JToken? result)
        {
            _method = method;
            _failed = failed;
            _error = error;
            _result = result;
        }

        /// <summary>The result member; throws the call's <see cref="RpcException"/> if it failed.</summary>
        public JsonElement Value => _failed
            ? throw ToRpcException(_method, _error)
            : ToSystemTextJson(_result);
    }

    /// <summary>One JSON-RPC call through Nethereum's client; returns the result member. Retries transient transport failures.</summary>
    public async Task<JsonElement> RequestAsync(string method, JsonNode?[] parameters, CancellationToken ct = default)
    {
        var id = Interlocked.Increment(ref _nextId);
        Calls.Count(method, "http");
        Calls.CountRoundTrip();
        var request = new RpcRequest(id, method, ToNewtonsoft(parameters));
        var result = await WithRetriesAsync(method, () => _client.SendRequestAsync<JToken>(request), ct).ConfigureAwait(false);
        return ToSystemTextJson(result);
    }

    /// <summary>
    /// Runs one exchange with Nethereum's client under our timeout; transport failures (refused, timed out, HTTP 429/5xx)
    /// are retried with doubling delays, then reported as <see cref="NodeUnreachableException"/>. A JSON-RPC error answer
    /// is not transient: it becomes <see cref="RpcException"/> at once.
    /// </summary>
    private async Task<T> WithRetriesAsync<T>(string method, Func<Task<T>> exchange, CancellationToken ct)
    {
        Exception? last = null;
        var delay = Options.RetryDelay;
        for (var attempt = 0; attempt <= Options.MaxRetries; attempt++)
        {
            if (attempt > 0)
            {
                await Task.Delay(delay, ct).ConfigureAwait(false);
                delay *= 2;
            }
            ct.ThrowIfCancellationRequested();
            var call = exchange();
            // Cancelled once the call ends: an uncancelled delay kept a timer alive per call for RequestTimeout (about
            // 150 live timers per second at 6 delegations/s).
            using var timeoutCancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var timeout = Task.Delay(Options.RequestTimeout, timeoutCancel.Token);
            try
            {
                if (await Task.WhenAny(call, timeout).ConfigureAwait(false) == timeout)
                {
                    ct.ThrowIfCancellationRequested();
                    _ = call.ContinueWith(static t => t.Exception, TaskScheduler.Default); // observe a late failure
                    last = new TimeoutException($"no answer within {Options.RequestTimeout.TotalSeconds:0.#} s");
                    continue;
                }
                return await call.ConfigureAwait(false);
            }
            catch (RpcResponseException e)
            {
                throw ToRpcException(method, e.RpcError);
            }
            catch (Exception e) when (e is RpcClientUnknownException or RpcClientTimeoutException or HttpRequestException)
            {
                if (HttpStatusOf(e) is { } status && status != 429 && status < 500)
                    throw new RpcException(method, status, $"HTTP {status}: {e.Message}", null);
                last = e;
            }
            finally
            {
                timeoutCancel.Cancel();
            }
        }
        throw new NodeUnreachableException(Url, $"{method}: {last?.Message} (after {Options.MaxRetries + 1} attempts)", last);
    }

    private static int? HttpStatusOf(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
            if (x is HttpRequestException { StatusCode: { } code }) return (int)code;
        return null;
    }

    internal static RpcException ToRpcException(string method, Nethereum.JsonRpc.Client.RpcError? error)
    {
        if (error is null) return new RpcException(method, -32603, "the node's batch answer has no entry for this call", null);
        string? data = error.Data switch
        {
            null => null,
            JValue { Type: JTokenType.String } v => (string?)v,
            JToken t => t.ToString(Newtonsoft.Json.Formatting.None),
            string s => s,
            var other => other.ToString(),
        };
        return new RpcException(method, error.Code, error.Message ?? "", data);
    }

    // Our call sites build parameters as System.Text.Json nodes and read results as JsonElement; Nethereum's client speaks
    // Newtonsoft. One conversion each way, at this boundary only.
    internal static object[] ToNewtonsoft(JsonNode?[] parameters) =>
        parameters.Select(p => p is null ? null! : (object)JToken.Parse(p.ToJsonString())).ToArray();

    internal static JsonElement ToSystemTextJson(JToken? token)
    {
        using var doc = JsonDocument.Parse(token is null ? "null" : token.ToString(Newtonsoft.Json.Formatting.None));
        return doc.RootElement.Clone();
    }

    // ---------------- helpers ----------------

    private static bool IsRevert(RpcException e) =>
        e.Code == 3 || e.RpcMessage.Contains("revert", StringComparison.OrdinalIgnoreCase);

    private static ContractRevertedException Revert(string action, RpcException e, ContractErrors? abi)
    {
        byte[] data = [];
        if (e.ErrorData is { } d && d.StartsWith("0x", StringComparison.Ordinal))
        {
            try { data = Hex.Decode(d); } catch (FormatException) { }
        }
        var reason = (abi ?? PlainErrors).DecodeRevert(data);
        if (reason is null && e.RpcMessage.Length > 0)
            reason = new DecodedRevert("Unknown", new Dictionary<string, object?>(), e.RpcMessage);
        return new ContractRevertedException(action, data, reason);
    }

    private static readonly ContractErrors PlainErrors = ContractErrors.Plain;

    private static JsonObject CallObject(CallRequest call)
    {
        var o = new JsonObject { ["data"] = Hex.Encode(call.Data) };
        if (call.From is not null) o["from"] = call.From.ToLowerHex();
        if (call.To is not null) o["to"] = call.To.ToLowerHex();
        if (!call.Value.IsZero) o["value"] = ToQuantity(call.Value);
        return o;
    }

    internal static BlockHeader ParseBlock(JsonElement b) => new(
        (long)Quantity(b.GetProperty("number")),
        b.GetProperty("hash").GetString()!.ToLowerInvariant(),
        b.GetProperty("parentHash").GetString()!.ToLowerInvariant(),
        (long)Quantity(b.GetProperty("timestamp")),
        b.TryGetProperty("baseFeePerGas", out var f) && f.ValueKind == JsonValueKind.String ? Quantity(f) : null)
    {
        LogsBloom = b.TryGetProperty("logsBloom", out var bloom) && bloom.ValueKind == JsonValueKind.String ? Hex.Decode(bloom.GetString()!) : [],
    };

    internal static LogEntry ParseLog(JsonElement l) => new(
        EthereumAddress.Parse(l.GetProperty("address").GetString()!),
        l.GetProperty("topics").EnumerateArray().Select(t => t.GetString()!.ToLowerInvariant()).ToArray(),
        Hex.Decode(l.GetProperty("data").GetString()!),
        (long)Quantity(l.GetProperty("blockNumber")),
        l.GetProperty("blockHash").GetString()!.ToLowerInvariant(),
        l.GetProperty("transactionHash").GetString()!.ToLowerInvariant(),
        (int)Quantity(l.GetProperty("logIndex")),
        l.TryGetProperty("removed", out var r) && r.ValueKind == JsonValueKind.True);

    private static EthereumAddress? OptionalAddress(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? EthereumAddress.Parse(v.GetString()!) : null;

    /// <summary>Parses a JSON-RPC quantity ("0x1a").</summary>
    public static BigInteger Quantity(JsonElement e)
    {
        var s = e.ValueKind == JsonValueKind.String ? e.GetString()! : throw new FormatException($"expected a hex quantity, got {e.GetRawText()}");
        if (!s.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) throw new FormatException($"'{s}' is not a hex quantity");
        var digits = s[2..];
        return digits.Length == 0 ? BigInteger.Zero : BigInteger.Parse("0" + digits, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    }

    /// <summary>Formats a JSON-RPC quantity: 0x followed by hex digits without leading zeros.</summary>
    public static string ToQuantity(BigInteger value)
    {
        if (value.Sign < 0) throw new ArgumentOutOfRangeException(nameof(value), "quantities are non-negative");
        if (value.IsZero) return "0x0";
        return "0x" + Convert.ToHexStringLower(value.ToByteArray(isUnsigned: true, isBigEndian: true)).TrimStart('0');
    }


    public void Dispose()
    {
        _heads?.Dispose();
        if (_ownsHttp) _http.Dispose();
    }
}
