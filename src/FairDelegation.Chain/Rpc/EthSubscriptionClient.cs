using System.Buffers;
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Nethereum.JsonRpc.Client.RpcMessages;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace FairDelegation.Chain.Rpc;

/// <summary>
/// One WebSocket connection to an Ethereum node: JSON-RPC requests over it and eth_subscribe notifications pushed by
/// the node ("newHeads", "logs"). The frames are Nethereum.JsonRpc's message types (<see cref="RpcRequestMessage"/>,
/// <see cref="RpcResponseMessage"/>, <see cref="RpcStreamingResponseMessage"/>); what is ours is the small transport over
/// <see cref="ClientWebSocket"/>, because Nethereum's WebSocket client and RPC.Reactive are not served here. It does not reconnect: when the connection drops, <see cref="Closed"/> completes,
/// pending requests fail with <see cref="WebSocketException"/>, and the owner (<see cref="Watching.HeadFeed"/>) opens a
/// new one.
/// </summary>
public sealed class EthSubscriptionClient : IAsyncDisposable
{
    private sealed record Pending(string Method, TaskCompletionSource<JsonElement> Answer, Action<JsonElement>? OnNotification);

    private readonly ClientWebSocket _socket;
    private readonly ConcurrentDictionary<long, Pending> _pending = new();
    private readonly ConcurrentDictionary<string, Action<JsonElement>> _subscriptions = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _nextId;
    private Task _receiving = Task.CompletedTask;

    private EthSubscriptionClient(Uri url, ClientWebSocket socket)
    {
        Url = url;
        _socket = socket;
    }

    /// <summary>The node's WebSocket endpoint (ws:// or wss://).</summary>
    public Uri Url { get; }

    /// <summary>Requests sent over this connection, by method.</summary>
    public RpcCallCounts Calls { get; } = new();

    /// <summary>Completes when the connection is gone (dropped by the node, broken, or disposed).</summary>
    public Task Closed => _closed.Task;

    /// <summary>Opens the connection; fails with <see cref="NodeUnreachableException"/> when the node does not answer in time.</summary>
    public static async Task<EthSubscriptionClient> ConnectAsync(Uri url, TimeSpan timeout, CancellationToken ct = default)
    {
        if (url.Scheme is not ("ws" or "wss")) throw new ArgumentException($"a WebSocket URL is ws:// or wss://, got {url}", nameof(url));
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(15);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        try
        {
            await socket.ConnectAsync(url, limit.Token);
        }
        catch (Exception e) when (e is WebSocketException or HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            socket.Dispose();
            throw new NodeUnreachableException(url, $"WebSocket connection failed: {e.Message}", e);
        }
        var client = new EthSubscriptionClient(url, socket);
        client._receiving = Task.Run(client.ReceiveLoopAsync, CancellationToken.None);
        return client;
    }

    /// <summary>One JSON-RPC call over the connection; returns the result member.</summary>
    public Task<JsonElement> RequestAsync(string method, JsonNode?[] parameters, CancellationToken ct = default) =>
        SendAsync(method, parameters, null, ct);

    /// <summary>
    /// eth_subscribe; returns the subscription id. <paramref name="onNotification"/> gets each notification's result
    /// (a block header for "newHeads", a log for "logs") on the receive loop, in the node's order: keep it short.
    /// </summary>
    public async Task<string> SubscribeAsync(JsonNode?[] parameters, Action<JsonElement> onNotification, CancellationToken ct = default)
    {
        var id = await SendAsync("eth_subscribe", parameters, onNotification, ct);
        return id.GetString() ?? throw new RpcException("eth_subscribe", -32603, "the node answered without a subscription id", null);
    }

    /// <summary>Subscribes to new block headers (one per block added to the canonical chain, including a reorg's new tip).</summary>
    public Task<string> SubscribeNewHeadsAsync(Action<BlockHeader> onHead, CancellationToken ct = default) =>
        SubscribeAsync(["newHeads"], e => onHead(EthRpcClient.ParseBlock(e)), ct);

    /// <summary>Subscribes to one contract's logs (topic0 alternatives optional); a reorg re-sends affected logs with Removed set.</summary>
    public Task<string> SubscribeLogsAsync(LogFilter filter, Action<LogEntry> onLog, CancellationToken ct = default)
    {
        var f = new JsonObject { ["address"] = filter.Address.ToLowerHex() };
        if (filter.Topic0 is { Count: > 0 } t0)
            f["topics"] = new JsonArray(new JsonArray(t0.Select(t => (JsonNode?)JsonValue.Create(t)).ToArray()));
        return SubscribeAsync(["logs", f], e => onLog(EthRpcClient.ParseLog(e)), ct);
    }

    /// <summary>eth_unsubscribe.</summary>
    public async Task<bool> UnsubscribeAsync(string subscriptionId, CancellationToken ct = default)
    {
        _subscriptions.TryRemove(subscriptionId, out _);
        return (await RequestAsync("eth_unsubscribe", [subscriptionId], ct)).ValueKind == JsonValueKind.True;
    }

    private async Task<JsonElement> SendAsync(string method, JsonNode?[] parameters, Action<JsonElement>? onNotification, CancellationToken ct)
    {
        if (_closed.Task.IsCompleted) throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely, $"the WebSocket to {Url} is closed");
        var id = Interlocked.Increment(ref _nextId);
        var body = Encoding.UTF8.GetBytes(JsonConvert.SerializeObject(new RpcRequestMessage(id, method, EthRpcClient.ToNewtonsoft(parameters))));
        var pending = new Pending(method, new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously), onNotification);
        _pending[id] = pending;
        Calls.Count(method, "ws");
        Calls.CountRoundTrip();
        try
        {
            await _sendLock.WaitAsync(ct);
            try { await _socket.SendAsync(body, WebSocketMessageType.Text, true, ct); }
            finally { _sendLock.Release(); }
            using (ct.Register(() => pending.Answer.TrySetCanceled(ct)))
                return await pending.Answer.Task;
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        Exception? failure = null;
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                buffer.Clear();
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await _socket.ReceiveAsync(buffer.GetMemory(8 * 1024), _stop.Token);
                    if (result.MessageType == WebSocketMessageType.Close) return;
                    buffer.Advance(result.Count);
                } while (!result.EndOfMessage);
                Dispatch(buffer.WrittenMemory);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested) { }
        catch (Exception e) { failure = e; }
        finally
        {
            var reason = new WebSocketException(WebSocketError.ConnectionClosedPrematurely, $"the WebSocket to {Url} closed", failure);
            foreach (var p in _pending.Values) p.Answer.TrySetException(reason);
            _closed.TrySetResult();
        }
    }

    private void Dispatch(ReadOnlyMemory<byte> message)
    {
        var root = JToken.Parse(Encoding.UTF8.GetString(message.Span));
        if (root is JArray items)
        {
            foreach (var item in items.OfType<JObject>()) DispatchOne(item);
        }
        else if (root is JObject one) DispatchOne(one);
    }

    private void DispatchOne(JObject m)
    {
        if ((string?)m["method"] == "eth_subscription")
        {
            var notification = m.ToObject<RpcStreamingResponseMessage>();
            if (notification?.Params is { Subscription: { } sub } p && _subscriptions.TryGetValue(sub, out var handler))
                handler(EthRpcClient.ToSystemTextJson(p.Result));
            return;
        }
        var answer = m.ToObject<RpcResponseMessage>();
        if (answer?.Id is null || !long.TryParse(Convert.ToString(answer.Id, System.Globalization.CultureInfo.InvariantCulture), out var id)
            || !_pending.TryGetValue(id, out var pending)) return;
        if (answer.HasError)
        {
            var e = answer.Error;
            pending.Answer.TrySetException(EthRpcClient.ToRpcException(pending.Method,
                new Nethereum.JsonRpc.Client.RpcError(e.Code, e.Message, e.Data)));
            return;
        }
        var result = EthRpcClient.ToSystemTextJson(m["result"]);
        // Registered before the answer is released: the node may push the first notification right after it.
        if (pending.OnNotification is not null && result.ValueKind == JsonValueKind.String) _subscriptions[result.GetString()!] = pending.OnNotification;
        pending.Answer.TrySetResult(result);
    }

    /// <summary>Drops the connection at once (no close handshake): <see cref="Closed"/> completes.</summary>
    public void Abort()
    {
        _socket.Abort();
        _stop.Cancel();
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            try { await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, quick.Token); }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException) { }
        }
        _stop.Cancel();
        try { await _receiving; } catch (Exception e) when (e is WebSocketException or OperationCanceledException) { }
        _socket.Dispose();
        _stop.Dispose();
        _sendLock.Dispose();
    }
}
