using FairDelegation.Chain.Crypto;
using FairDelegation.Chain.Escrow;
using FairDelegation.Chain.Rpc;
using FairDelegation.Chain.Transactions;
using Microsoft.Extensions.Logging;

namespace FairDelegation.Node.Chain;

/// <summary>
/// Batched openings (Customer:OpenBatchWindow): the step-(8) openings of this node's delegations that arrive within the
/// window of the first one are sent as one openBatch (ETH) or openTokenBatch (per token) transaction, so they share the
/// transaction's base cost (docs/benchmarks.md: 30.6k gas per ETH escrow at n = 10 against 49.2k alone).
/// <para>
/// What each caller gets is the mined transaction only when that transaction's receipt holds its own EscrowOpened;
/// otherwise null, and the caller opens its escrow alone (<see cref="EscrowGateway.OpenAsync"/>, which looks at the chain
/// first and names the contract's reason if it cannot). So one opening that would revert (a griefer took its work key,
/// WorkKeyAlreadyUsed) never stops the others: each is simulated alone (eth_call) before the batch is sent, and one that
/// fails leaves the batch; a batch that still reverts (the chain moved between the check and the send) gives every member
/// null; so does a batch that fails otherwise (the wallet cannot pay the sum, the RPC node is away). A batch never leaves a
/// delegation believing it paid. An error while checking one opening reaches that opening's caller only (its activity
/// fails and runs again).
/// </para>
/// </summary>
public sealed class OpeningBatch(EscrowContract escrow, TransactionSender sender, TimeSpan window, int maxSize, ILogger? log = null)
{
    private sealed record Member(EscrowOpening Opening, TaskCompletionSource<EscrowTransaction?> Result);

    private sealed class Pending
    {
        public List<Member> Members { get; } = [];
    }

    private readonly object _gate = new();
    private readonly Dictionary<EthereumAddress, Pending> _pending = []; // one forming batch per currency (Zero = ETH)

    /// <summary>Openings waiting in a forming batch (not yet sent).</summary>
    public int Waiting
    {
        get { lock (_gate) return _pending.Values.Sum(b => b.Members.Count); }
    }

    /// <summary>
    /// Joins the batch forming for <paramref name="opening"/>'s currency (starting one, and its window, if none is); returns
    /// once that batch was sent and mined: the transaction that opened this escrow, or null when it must be opened alone.
    /// </summary>
    public Task<EscrowTransaction?> OpenAsync(EscrowOpening opening)
    {
        var currency = opening.IsToken ? opening.Token! : EthereumAddress.Zero;
        Pending batch;
        Member member;
        bool started = false, full;
        lock (_gate)
        {
            if (!_pending.TryGetValue(currency, out batch!))
            {
                batch = new Pending();
                _pending[currency] = batch;
                started = true;
            }
            var same = batch.Members.FirstOrDefault(m => m.Opening.WorkKey == opening.WorkKey);
            if (same is not null)
            {
                // The same opening twice at once (one activity run twice): both wait for the one result. A different
                // opening on the same work key cannot share a transaction with it (the second would revert the batch).
                return SameOpening(same.Opening, opening) ? same.Result.Task : Task.FromResult<EscrowTransaction?>(null);
            }
            member = new Member(opening, new TaskCompletionSource<EscrowTransaction?>(TaskCreationOptions.RunContinuationsAsynchronously));
            batch.Members.Add(member);
            full = batch.Members.Count >= maxSize;
            if (full) _pending.Remove(currency);
        }
        if (full) _ = SendAsync(batch);
        else if (started) _ = SendAfterWindowAsync(currency, batch);
        return member.Result.Task;
    }

    private static bool SameOpening(EscrowOpening a, EscrowOpening b) =>
        a.AgreementId.AsSpan().SequenceEqual(b.AgreementId) && a.Payee == b.Payee && a.WorkHash.AsSpan().SequenceEqual(b.WorkHash)
        && a.Amount == b.Amount && a.Deadline == b.Deadline && a.Token == b.Token;

    private async Task SendAfterWindowAsync(EthereumAddress currency, Pending batch)
    {
        await Task.Delay(window);
        lock (_gate)
        {
            // Sent already when it filled up (and a new batch may be forming under the same currency).
            if (!_pending.TryGetValue(currency, out var current) || current != batch) return;
            _pending.Remove(currency);
        }
        await SendAsync(batch);
    }

    private async Task SendAsync(Pending batch)
    {
        var members = batch.Members;
        try
        {
            // Alone, an opening is cheaper as open than as a batch of one (49.2k against 50.3k gas).
            if (members.Count < 2)
            {
                foreach (var m in members) m.Result.TrySetResult(null);
                return;
            }

            // Each opening simulated alone: one that would revert leaves the batch and is opened alone (which names the
            // contract's reason, or finds that an earlier run of its step already opened it).
            var checks = await Task.WhenAll(members.Select(async m =>
            {
                try
                {
                    await escrow.SimulateOpenAsync(sender.Account.Address, m.Opening);
                    return true;
                }
                catch (ContractRevertedException e)
                {
                    log?.LogInformation("Opening for work key {WorkKey} leaves the batch: it would revert alone ({Reason})", m.Opening.WorkKey, e.Message);
                    m.Result.TrySetResult(null);
                    return false;
                }
                catch (Exception e)
                {
                    m.Result.TrySetException(e);
                    return false;
                }
            }));
            var sending = members.Where((_, i) => checks[i]).ToList();
            if (sending.Count < 2)
            {
                foreach (var m in sending) m.Result.TrySetResult(null);
                return;
            }

            EscrowTransaction tx;
            try
            {
                (_, tx) = await escrow.OpenBatchAsync(sender, sending.Select(m => m.Opening).ToList());
            }
            catch (Exception e)
            {
                // A revert (estimate or mined: the contract opens all or none) opened nothing. So did a batch the wallet
                // cannot pay for as a whole although it pays each opening alone (insufficient funds for the sum). Any other
                // failure (the RPC node unreachable, no receipt in time) may still leave the batch pending: each opening
                // sent alone then either lands first or reverts once the batch is mined (WorkKeyAlreadyUsed), and the
                // single path finds the batch's opening on chain. Either way every opening is settled on its own.
                log?.LogWarning("A batch of {Count} openings failed ({Reason}); each is opened alone", sending.Count, e.Message);
                foreach (var m in sending) m.Result.TrySetResult(null);
                return;
            }

            // Paid only when this receipt holds the member's own EscrowOpened (its agreement id and terms).
            var opened = escrow.EventsOf(tx.Receipt).OfType<EscrowOpened>().ToList();
            foreach (var m in sending)
            {
                var terms = m.Opening.TermsFor(sender.Account.Address).Hash();
                var ours = opened.Any(e => e.AgreementId.AsSpan().SequenceEqual(m.Opening.AgreementId) && e.Terms.Hash().AsSpan().SequenceEqual(terms));
                m.Result.TrySetResult(ours ? tx : null);
            }
            log?.LogInformation("Opened {Count} escrows in one transaction {Hash} ({Gas} gas)", opened.Count, tx.TransactionHash, tx.GasUsed);
        }
        catch (Exception e)
        {
            foreach (var m in members) m.Result.TrySetException(e);
        }
    }
}
