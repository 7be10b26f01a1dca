using System.Text.Json;
using FairDelegation.Chain.Crypto;
using FairDelegation.Chain.Escrow;
using FairDelegation.Chain.Watching;
using FairDelegation.Node.Configuration;
using FairDelegation.Node.Customer;
using FairDelegation.Node.Keys;
using FairDelegation.Node.Model;
using FairDelegation.Node.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FairDelegation.Node.Chain;

/// <summary>
/// Follows the escrow's events from a stored cursor and raises them into the orchestrations of this node's agreements
/// (found by work key): EscrowOpened into the provider's, KeyRevealed into the customer's (the key itself goes to the
/// key store; the event carries its id), Refunded into both. Reorg-aware: on a reorganisation the cursor rewinds to the
/// common ancestor and the new chain's events are raised again (each log is raised once per block hash); the steps
/// that act on an event check it on chain themselves. Push-driven: it wakes on each block the node pushes over WebSocket
/// (eth_subscribe "newHeads") and polls every <c>Chain:PollInterval</c> only while no subscription is live; after a
/// dropped connection it catches up from its stored cursor.
/// </summary>
public sealed class ChainWatcher(EscrowGateway escrow, NodeDatabase database, AgreementStore agreements, KeyStore keys, DurableTaskClient durable,
    IOptions<NodeOptions> options, ILogger<ChainWatcher> log) : BackgroundService
{
    private const string CursorName = "escrow";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        var watcher = CreateLogWatcher(o);
        var heads = escrow.Rpc.Heads;
        heads.Start();
        var cursor = LoadCursor();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var seen = heads.Sequence; // before the poll: a block pushed during it wakes the wait below at once
                var batch = await watcher.PollAsync(cursor, o.Chain.WatchFromBlock, stoppingToken);
                if (batch.Reorg is { } reorg)
                    log.LogWarning("chain reorganisation: block {Abandoned} abandoned, resuming after {Ancestor}", reorg.Abandoned.BlockNumber, reorg.CommonAncestor.BlockNumber);
                foreach (var entry in batch.Logs)
                {
                    if (EscrowContract.DecodeLog(entry) is { } e) await DispatchAsync(e, stoppingToken);
                }
                var moved = cursor is null || batch.Cursor != cursor;
                cursor = batch.Cursor;
                if (moved) SaveCursor(cursor);
                // Wake on the next pushed block (or after a poll interval without a live subscription).
                // Caught up with the pushed head: nothing to look at before the next block either.
                if ((batch.Logs.Count == 0 && batch.Reorg is null) || heads.Latest?.Hash == cursor.BlockHash)
                    await watcher.WaitForBlockAsync(seen, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // The RPC node may be briefly away; the cursor only moves after a batch is handled, so nothing is lost.
                log.LogWarning(ex, "chain watcher poll failed; retrying");
                await Task.Delay(o.Chain.PollInterval, stoppingToken).ContinueWith(_ => { }, CancellationToken.None);
            }
        }
    }

    /// <summary>
    /// One catch-up from the stored cursor to the chain's head, raising every event found, for a host that wakes the
    /// watcher on a schedule instead of running it as a hosted service (the Functions app's timer). Returns the number
    /// of logs handled. Runs of it must not overlap (a timer trigger runs one at a time).
    /// </summary>
    public async Task<int> CatchUpAsync(CancellationToken ct)
    {
        var o = options.Value;
        var watcher = CreateLogWatcher(o);
        var cursor = LoadCursor();
        var handled = 0;
        while (true)
        {
            var batch = await watcher.PollAsync(cursor, o.Chain.WatchFromBlock, ct);
            if (batch.Reorg is { } reorg)
                log.LogWarning("chain reorganisation: block {Abandoned} abandoned, resuming after {Ancestor}", reorg.Abandoned.BlockNumber, reorg.CommonAncestor.BlockNumber);
            foreach (var entry in batch.Logs)
            {
                if (EscrowContract.DecodeLog(entry) is { } e) await DispatchAsync(e, ct);
                handled++;
            }
            var moved = cursor is null || batch.Cursor != cursor;
            cursor = batch.Cursor;
            if (moved) SaveCursor(cursor);
            else if (batch.Logs.Count == 0 && batch.Reorg is null) return handled;
        }
    }

    private LogWatcher CreateLogWatcher(NodeOptions o)
    {
        // Only the events this node's role raises (a provider: openings and refunds; a customer: revealed keys and refunds):
        // a block holding just the other kind is then ruled out by its logs bloom, without an eth_getLogs.
        var topics = EscrowContract.EventTopics; // EscrowOpened, KeyRevealed, Refunded, TokenEscrowOpened
        return new LogWatcher(escrow.Rpc, escrow.Contract.Address,
            o.Role == NodeRole.Provider ? [topics[0], topics[2], topics[3]] : [topics[1], topics[2]],
            new LogWatcherOptions { PollInterval = o.Chain.PollInterval });
    }

    private async Task DispatchAsync(EscrowEvent e, CancellationToken ct)
    {
        // By work key, and for an opening also by the agreement id it names. The contract derives the id from the work
        // key, so both usually find the same record; the id lookup stays as a cheap belt-and-braces: whatever names
        // our agreement reaches the provider, whose step (9) checks every term before acting.
        var records = agreements.FindByWorkKey(e.WorkKey.ToLowerHex()).ToList();
        if (e is EscrowOpened byId)
        {
            foreach (var r in agreements.FindAll(Hex.Encode(byId.AgreementId)))
                if (!records.Any(x => x.InstanceId == r.InstanceId)) records.Add(r);
        }
        if (records.Count == 0) return; // someone else's escrow
        var logKey = $"{e.Log.TransactionHash}:{e.Log.LogIndex}:{e.Log.BlockHash}";
        using (var c = database.Open())
        {
            using var seen = NodeDatabase.Command(c, "SELECT 1 FROM raised_events WHERE log_key = $k", ("$k", logKey));
            if (seen.ExecuteScalar() is not null) return;
        }
        foreach (var r in records)
        {
            try
            {
                await RaiseAsync(e, r, ct);
            }
            catch (InstanceNotFoundException)
            {
                // Purged since: nobody is waiting; the event must not block the ones after it.
                log.LogInformation("escrow event {Event} of work key {WorkKey}: instance {Instance} no longer exists", e.GetType().Name, e.WorkKey, r.InstanceId);
            }
        }
        using (var c = database.Open())
        {
            NodeDatabase.Execute(c, "INSERT OR IGNORE INTO raised_events (log_key, raised_utc) VALUES ($k, $u)", ("$k", logKey), ("$u", DateTime.UtcNow.ToString("O")));
        }
    }

    private async Task RaiseAsync(EscrowEvent e, AgreementRecord r, CancellationToken ct)
    {
        switch (e)
        {
            case EscrowOpened opened when r.Role == NodeRole.Provider:
                await durable.RaiseEventAsync(r.InstanceId, DelegationEvents.EscrowOpened, new EscrowOpenedEvent
                {
                    AgreementId = Hex.Encode(opened.AgreementId), WorkKey = opened.Terms.WorkKey.ToLowerHex(), Customer = opened.Terms.Customer.ToLowerHex(),
                    Payee = opened.Terms.Payee.ToLowerHex(), WorkHash = Hex.Encode(opened.Terms.WorkHash), Amount = opened.Terms.Amount,
                    Deadline = opened.Terms.Deadline, Token = opened.Terms.IsToken ? opened.Terms.Token!.ToLowerHex() : null, TransactionHash = e.Log.TransactionHash, BlockNumber = e.Log.BlockNumber, BlockHash = e.Log.BlockHash,
                }, ct);
                log.LogInformation("EscrowOpened of work key {WorkKey} raised into {Instance}", e.WorkKey, r.InstanceId);
                break;
            case KeyRevealed revealed when r.Role == NodeRole.Customer:
                var keyId = RevealedKeys.Store(keys, revealed.RevealedWorkKey, revealed.PrivateKey);
                await durable.RaiseEventAsync(r.InstanceId, DelegationEvents.KeyRevealed,
                    new KeyRevealedEvent(revealed.RevealedWorkKey.ToLowerHex(), keyId, e.Log.TransactionHash, e.Log.BlockNumber), ct);
                log.LogInformation("KeyRevealed of work key {WorkKey} raised into {Instance}", e.WorkKey, r.InstanceId);
                break;
            case Refunded:
                await durable.RaiseEventAsync(r.InstanceId, DelegationEvents.Refunded,
                    new RefundedEvent(e.WorkKey.ToLowerHex(), e.Log.TransactionHash, e.Log.BlockNumber), ct);
                break;
        }
    }

    private LogCursor? LoadCursor()
    {
        using var c = database.Open();
        using var cmd = NodeDatabase.Command(c, "SELECT value FROM chain_cursor WHERE name = $n", ("$n", CursorName));
        return cmd.ExecuteScalar() is string json ? JsonSerializer.Deserialize<LogCursor>(json) : null;
    }

    private void SaveCursor(LogCursor cursor)
    {
        using var c = database.Open();
        NodeDatabase.Execute(c, "INSERT INTO chain_cursor (name, value) VALUES ($n, $v) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
            ("$n", CursorName), ("$v", JsonSerializer.Serialize(cursor)));
    }
}
