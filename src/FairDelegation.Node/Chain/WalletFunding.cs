using System.Numerics;
using FairDelegation.Chain.Crypto;
using FairDelegation.Chain.Rpc;
using FairDelegation.Node.Configuration;
using Nethereum.Contracts;
using Microsoft.Extensions.Options;

namespace FairDelegation.Node.Chain;

/// <summary>
/// Can the wallet pay for the transactions its role sends? Priced at the sender's own ceiling (twice the latest base fee
/// plus the node's tip), for the gas of the role's transactions: a provider's claim (41.8k, plus 25k when the payee
/// never held ether and 2.5k when it is not the wallet), a customer's open and refund. A provider that cannot pay a claim
/// would do the work and then fail at RevealKey; it refuses to quote instead (issue 11 #3).
/// </summary>
public sealed class WalletFunding(EthRpcClient rpc, Wallet wallet, IOptions<NodeOptions> options)
{
    /// <summary>Gas of one claim in the worst honest case (a fresh payee that is not the sender), with the sender's 20 % margin.</summary>
    public const long ClaimGas = 84_000;

    /// <summary>Gas of an open and a refund (the customer's transactions besides the wage), with the sender's 20 % margin.</summary>
    public const long OpenAndRefundGas = 100_000;

    /// <summary>The gas the role's transactions of one delegation need.</summary>
    public long GasPerDelegation => options.Value.Role == NodeRole.Provider ? ClaimGas : OpenAndRefundGas;

    /// <summary>The wallet's balance and what one delegation's transactions cost at today's fee ceiling (plus <paramref name="value"/> sent).</summary>
    public async Task<(BigInteger Balance, BigInteger Needed)> CheckAsync(BigInteger value, CancellationToken ct)
    {
        var balance = rpc.GetBalanceAsync(wallet.Address, "latest", ct);
        var fees = await rpc.GetFeesAsync(ct);
        return (await balance, value + GasPerDelegation * fees.MaxFeePerGas);
    }

    /// <summary>Null when the wallet can pay one delegation's transactions (and <paramref name="value"/>); otherwise why not.</summary>
    public async Task<string?> ProblemAsync(BigInteger value, CancellationToken ct)
    {
        var (balance, needed) = await CheckAsync(value, ct);
        var what = options.Value.Role == NodeRole.Provider ? "a claim" : value.IsZero ? "an escrow's open and refund" : "the wage and the escrow's open and refund";
        return balance >= needed ? null
            : $"wallet {wallet.Address} holds {balance} wei; {what} needs about {needed} wei at the current fees";
    }

    /// <summary>
    /// Null when the wallet holds <paramref name="amount"/> of <paramref name="token"/> and the ETH for one delegation's
    /// transactions (plus an approve of the escrow); otherwise why not.
    /// </summary>
    public async Task<string?> TokenProblemAsync(EthereumAddress token, BigInteger amount, CancellationToken ct)
    {
        if (await ProblemAsync(0, ct) is { } gas) return gas;
        var call = new Nethereum.Contracts.Standards.ERC20.ContractDefinition.BalanceOfFunction { Owner = wallet.Address.ToLowerHex() }.GetCallData();
        byte[] output;
        try { output = await rpc.CallAsync(new CallRequest(null, token, call), ct: ct); }
        catch (ContractRevertedException e) { return $"token {token} does not answer balanceOf: {e.Message}"; }
        if (output.Length < 32) return $"token {token} is not an ERC-20 contract (balanceOf returned {output.Length} bytes)";
        var balance = new BigInteger(output.AsSpan(0, 32), isUnsigned: true, isBigEndian: true);
        return balance >= amount ? null : $"wallet {wallet.Address} holds {balance} of token {token}; the wage needs {amount}";
    }
}
