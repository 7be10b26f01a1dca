using System.Numerics;
using FairDelegation.Chain.Escrow.Messages;
using Nethereum.Contracts;
using FairDelegation.Chain.Accounts;
using FairDelegation.Chain.Crypto;
using FairDelegation.Chain.Rpc;
using FairDelegation.Chain.Transactions;

namespace FairDelegation.Chain.Escrow;

/// <summary>Gas used by each escrow operation for one work hash, measured on a real chain.</summary>
public sealed record EscrowGasFigures(
    byte[] WorkHash,
    BigInteger Open,
    BigInteger Claim,
    BigInteger ClaimByThirdParty,
    BigInteger Refund,
    int BatchSize,
    BigInteger OpenBatchTotal,
    BigInteger OpenIntrinsic,
    BigInteger ClaimIntrinsic,
    BigInteger RefundIntrinsic)
{
    /// <summary>Gas beyond the transaction's intrinsic cost (21000 + calldata): what the contract's code spends.</summary>
    public BigInteger OpenExecution => Open - OpenIntrinsic;

    public BigInteger ClaimExecution => Claim - ClaimIntrinsic;

    public BigInteger RefundExecution => Refund - RefundIntrinsic;

    /// <summary>The honest path: open + claim (the payee submits its own claim).</summary>
    public BigInteger OpenPlusClaim => Open + Claim;

    public BigInteger OpenBatchPerEscrow => OpenBatchTotal / BatchSize;

    /// <summary>Zero bytes of the work hash: calldata charges 4 gas for them instead of 16.</summary>
    public int WorkHashZeroBytes => WorkHash.Count(b => b == 0);
}

/// <summary>
/// Measures the escrow's gas on an anvil (it uses evm_increaseTime for the refund). Keys are derived
/// deterministically from labels, so the figures are reproducible to the unit: calldata gas depends on how
/// many bytes of the addresses, keys and hashes are zero.
/// </summary>
public sealed class EscrowGasReport(EthRpcClient rpc, EscrowContract escrow, TransactionSender customer, TransactionSender provider, TransactionSender thirdParty)
{
    /// <summary>The targets of the issue: open, claim, refund, open + claim.</summary>
    public static readonly (int Open, int Claim, int Refund, int OpenPlusClaim) Targets = (55_000, 42_000, 35_000, 97_000);

    /// <summary>FairSwap's honest path (the anchor of the paper's comparison), most of it a deploy per exchange.</summary>
    public const int FairSwapHonestPath = 1_070_000;

    public const long Wage = 1_000_000_000_000_000; // 0.001 ETH

    /// <summary>A deterministic work key for a label (its private key is keccak256 of the label).</summary>
    public static EthAccount WorkKey(string label) => EthAccount.FromPrivateKey(Keccak256.HashUtf8("fairdelegation gas report " + label));

    /// <summary>Open + claim, open + claim by a third party, open + refund, and a batch of <paramref name="batchSize"/>.</summary>
    public async Task<EscrowGasFigures> MeasureAsync(byte[] workHash, string label, int batchSize = 10, CancellationToken ct = default)
    {
        var deadlineIn = 3600L;
        async Task<EscrowOpening> Opening(string suffix) => new(Keccak256.HashUtf8(label + suffix), provider.Account.Address,
            WorkKey(label + suffix).Address, workHash, Wage, (await rpc.GetBlockAsync("latest", ct))!.Timestamp + deadlineIn);

        var o1 = await Opening("/claim");
        var (t1, open) = await escrow.OpenAsync(customer, o1, ct);
        var claim = await escrow.ClaimAsync(provider, t1, WorkKey(label + "/claim").ExportPrivateKey(), ct);

        var o2 = await Opening("/front-run");
        var (t2, _) = await escrow.OpenAsync(customer, o2, ct);
        var claim3 = await escrow.ClaimAsync(thirdParty, t2, WorkKey(label + "/front-run").ExportPrivateKey(), ct);

        var o3 = await Opening("/refund");
        var (t3, _) = await escrow.OpenAsync(customer, o3, ct);
        await rpc.IncreaseTimeAsync(deadlineIn + 1, ct);
        await rpc.MineAsync(ct);
        var refund = await escrow.RefundAsync(customer, t3, ct);

        var batch = new List<EscrowOpening>();
        for (var i = 0; i < batchSize; i++) batch.Add(await Opening($"/batch/{i}"));
        var (_, openBatch) = await escrow.OpenBatchAsync(customer, batch, ct);

        var sk = new BigInteger(WorkKey(label + "/claim").ExportPrivateKey(), isUnsigned: true, isBigEndian: true);
        return new EscrowGasFigures(workHash, open.GasUsed, claim.GasUsed, claim3.GasUsed, refund.GasUsed, batchSize, openBatch.GasUsed,
            IntrinsicGas(o1.ToFunction().GetCallData()),
            IntrinsicGas(new ClaimFunction { Terms = t1.ToStruct(), PrivateKey = sk }.GetCallData()),
            IntrinsicGas(new RefundFunction { Terms = t3.ToStruct() }.GetCallData()));
    }

    /// <summary>21000 + 4 gas per zero byte + 16 per other byte of calldata (EIP-2028).</summary>
    public static BigInteger IntrinsicGas(byte[] data) => 21_000 + data.Sum(b => b == 0 ? 4 : 16);
}
