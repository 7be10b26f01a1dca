using System.Numerics;
using FairDelegation.Chain.Abi;
using FairDelegation.Chain.Accounts;
using FairDelegation.Chain.Crypto;
using FairDelegation.Chain.Rpc;

namespace FairDelegation.Chain.Transactions;

/// <summary>What to send: a call (To set) or a contract creation (To null, Data the init code).</summary>
public sealed record TransactionRequest(EthereumAddress? To, byte[] Data, BigInteger Value = default, BigInteger? GasLimit = null)
{
    /// <summary>Used to decode revert reasons of this call (the target contract's ABI).</summary>
    public ContractErrors? Abi { get; init; }

    /// <summary>A short name for messages ("open", "claim"...).</summary>
    public string Action { get; init; } = "transaction";
}

/// <summary>A transaction the node accepted into its pool.</summary>
public sealed record SentTransaction(string Hash, SignedTransaction Signed, TransactionRequest Request);

/// <summary>Options of <see cref="TransactionSender"/>.</summary>
public sealed record TransactionSenderOptions
{
    /// <summary>Gas limit = estimate × (1 + margin); the estimate already accounts for refunds.</summary>
    public double GasMargin { get; init; } = 0.2;

    /// <summary>How often to poll for a receipt; with a new-block subscription each pushed block wakes the wait sooner.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How long the node's tip suggestion (eth_maxPriorityFeePerGas) is reused; it moves slowly.</summary>
    public TimeSpan TipCacheDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>When a pending transaction is unknown to the node for this long, it is broadcast again.</summary>
    public TimeSpan RebroadcastAfter { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Give up waiting for a receipt after this long.</summary>
    public TimeSpan ReceiptTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Tip when the node suggests none; null uses the node's eth_maxPriorityFeePerGas.</summary>
    public BigInteger? PriorityFeePerGas { get; init; }
}

/// <summary>The transaction with this nonce was replaced by another one from the same account.</summary>
public sealed class TransactionReplacedException(string hash, BigInteger nonce)
    : InvalidOperationException($"transaction {hash} (nonce {nonce}) was dropped and its nonce used by another transaction");

/// <summary>
/// Builds, signs and sends EIP-1559 transactions for one account: estimates gas (a revert is reported with its
/// decoded reason before anything is sent), prices with base fee + tip, takes the nonce from the shared
/// <see cref="NonceManager"/>, recovers from "nonce too low", and while waiting for a receipt re-broadcasts a
/// transaction the node dropped. Few calls: the chain id once, the estimate and (when no pushed block is at hand) the
/// latest block and the tip in one batch, the nonce from the manager, the send, and the receipt once the next block is
/// pushed (or polled for without a subscription).
/// </summary>
public sealed class TransactionSender
{
    private readonly EthRpcClient _rpc;
    private BigInteger? _chainId;
    private (BigInteger Tip, DateTime Until)? _tip;

    public TransactionSender(EthRpcClient rpc, EthAccount account, NonceManager nonces, TransactionSenderOptions? options = null)
    {
        _rpc = rpc;
        Account = account;
        Nonces = nonces;
        Options = options ?? new TransactionSenderOptions();
    }

    /// <summary>A sender with its own nonce manager (fine when nothing else sends from this account in-process).</summary>
    public TransactionSender(EthRpcClient rpc, EthAccount account) : this(rpc, account, new NonceManager(rpc)) { }

    public EthAccount Account { get; }
    public NonceManager Nonces { get; }
    public TransactionSenderOptions Options { get; }
    public EthRpcClient Rpc => _rpc;

    /// <summary>Signs and submits; returns once the node accepted the transaction into its pool.</summary>
    public async Task<SentTransaction> SendAsync(TransactionRequest request, CancellationToken ct = default)
    {
        _chainId ??= await _rpc.ChainIdAsync(ct);
        var needTip = Options.PriorityFeePerGas is null && (_tip is not { } cached || cached.Until < DateTime.UtcNow);
        var observedAt = DateTime.UtcNow;
        var (estimate, latest, suggested, pending) = await _rpc.PrepareTransactionAsync(
            request.GasLimit is null ? new CallRequest(Account.Address, request.To, request.Data, request.Value) : null,
            request.Abi, _rpc.Heads.Latest, needTip, Account.Address, ct);
        var observed = new ObservedNonce(pending!.Value, observedAt);
        if (suggested is { } s) _tip = (s, DateTime.UtcNow + Options.TipCacheDuration);
        var gas = request.GasLimit ?? WithMargin(estimate!.Value);
        var tip = Options.PriorityFeePerGas ?? _tip!.Value.Tip;
        var baseFee = latest.BaseFeePerGas ?? throw new InvalidOperationException("the node's blocks have no base fee (pre-London chain)");
        var maxFee = baseFee * 2 + tip;

        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await Nonces.WithNextNonceAsync(Account.Address, observed, async nonce =>
                {
                    var tx = new Eip1559Transaction(_chainId.Value, nonce, tip, maxFee, gas, request.To, request.Value, request.Data);
                    var signed = Account.SignTransaction(tx);
                    var hash = await _rpc.SendRawTransactionAsync(signed, ct);
                    Nonces.RecordSent(Account.Address, nonce, hash);
                    return new SentTransaction(hash, signed, request);
                }, ct);
            }
            catch (RpcException e) when (attempt < 3 && IsStaleNonce(e))
            {
                // Someone else (another process, a wallet) used the account: re-read the node's count.
                Nonces.Reset(Account.Address);
                observed = new ObservedNonce(await _rpc.GetTransactionCountAsync(Account.Address, "pending", ct), DateTime.UtcNow);
            }
            catch (RpcException e) when (attempt < 3 && IsFeeBelowBaseFee(e))
            {
                // The base fee we priced with is too old (a burst of full blocks): price again from the latest block.
                var fresh = await _rpc.GetBlockAsync("latest", ct) ?? throw new InvalidOperationException("the node has no latest block");
                maxFee = (fresh.BaseFeePerGas ?? baseFee) * 2 + tip;
            }
        }
    }

    /// <summary>Sends and waits until the transaction is mined; a mined revert throws with its decoded reason.</summary>
    public async Task<TransactionReceipt> SendAndWaitAsync(TransactionRequest request, CancellationToken ct = default)
    {
        var sent = await SendAsync(request, ct);
        return await WaitForReceiptAsync(sent, ct);
    }

    /// <summary>
    /// Polls for the receipt. While the transaction is unknown to the node (dropped from its pool) it is broadcast
    /// again; if its nonce was meanwhile used by another transaction, <see cref="TransactionReplacedException"/>.
    /// A receipt with status 0 throws <see cref="ContractRevertedException"/>.
    /// </summary>
    public async Task<TransactionReceipt> WaitForReceiptAsync(SentTransaction sent, CancellationToken ct = default)
    {
        var heads = _rpc.Heads;
        heads.Start();
        var deadline = DateTime.UtcNow + Options.ReceiptTimeout;
        var lastSeen = DateTime.UtcNow;
        while (true)
        {
            var seen = heads.Sequence; // before the look: a block arriving meanwhile must wake the wait below
            var receipt = await _rpc.GetTransactionReceiptAsync(sent.Hash, ct);
            if (receipt is not null)
            {
                if (!receipt.Succeeded) throw await MinedRevertAsync(sent, receipt, ct);
                return receipt;
            }
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{sent.Request.Action} transaction {sent.Hash} was not mined within {Options.ReceiptTimeout}");

            // Is it still in the node's pool? Asked only once it has been a while: the usual wait is a block or two.
            if (DateTime.UtcNow - lastSeen >= Options.RebroadcastAfter / 2)
            {
                if (await _rpc.GetTransactionByHashAsync(sent.Hash, ct) is not null) lastSeen = DateTime.UtcNow;
                else if (DateTime.UtcNow - lastSeen > Options.RebroadcastAfter)
                {
                    await RebroadcastAsync(sent, ct);
                    lastSeen = DateTime.UtcNow;
                }
            }
            // A pushed block wakes this at once; the poll interval stays the bound (a node may announce a block a moment
            // before its receipts can be read, and on a quiet chain no further block would come to wake us).
            await heads.WaitForNextAsync(seen, Options.PollInterval, ct);
        }
    }

    private async Task RebroadcastAsync(SentTransaction sent, CancellationToken ct)
    {
        try
        {
            await _rpc.SendRawTransactionAsync(sent.Signed, ct);
        }
        catch (RpcException e) when (IsStaleNonce(e))
        {
            // Its nonce is taken: a receipt may still show up (mined meanwhile), otherwise it was replaced.
            if (await _rpc.GetTransactionReceiptAsync(sent.Hash, ct) is null)
            {
                Nonces.Reset(Account.Address);
                throw new TransactionReplacedException(sent.Hash, sent.Signed.Transaction.Nonce);
            }
        }
    }

    private async Task<ContractRevertedException> MinedRevertAsync(SentTransaction sent, TransactionReceipt receipt, CancellationToken ct)
    {
        // Replay against the parent block's state to learn the reason (the block's own state already moved on).
        var call = new CallRequest(Account.Address, sent.Request.To, sent.Request.Data, sent.Request.Value);
        try
        {
            await _rpc.CallAsync(call, sent.Request.Abi, EthRpcClient.ToQuantity(receipt.BlockNumber - 1), ct);
        }
        catch (ContractRevertedException e)
        {
            return new ContractRevertedException(sent.Request.Action, e.RevertData, e.Reason, sent.Hash);
        }
        catch (RpcException) { }
        return new ContractRevertedException(sent.Request.Action, [], null, sent.Hash);
    }

    private BigInteger WithMargin(BigInteger estimate) =>
        estimate + estimate * (BigInteger)(Options.GasMargin * 1000) / 1000;

    private static bool IsFeeBelowBaseFee(RpcException e) =>
        e.RpcMessage.Contains("less than block base fee", StringComparison.OrdinalIgnoreCase)
        || e.RpcMessage.Contains("fee cap less than", StringComparison.OrdinalIgnoreCase)
        || e.RpcMessage.Contains("max fee per gas less", StringComparison.OrdinalIgnoreCase);

    private static bool IsStaleNonce(RpcException e) =>
        e.RpcMessage.Contains("nonce too low", StringComparison.OrdinalIgnoreCase)
        || e.RpcMessage.Contains("replacement transaction underpriced", StringComparison.OrdinalIgnoreCase)
        || e.RpcMessage.Contains("nonce too high", StringComparison.OrdinalIgnoreCase);
}
