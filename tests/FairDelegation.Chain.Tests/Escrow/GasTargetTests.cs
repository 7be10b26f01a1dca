using System.Security.Cryptography;
using FairDelegation.Chain.Accounts;
using FairDelegation.Chain.Escrow;
using FairDelegation.Chain.Tests.Support;
using FairDelegation.Testing;
using Xunit.Abstractions;

namespace FairDelegation.Chain.Tests.Escrow;

/// <summary>
/// The gas targets (gas is deterministic, so this is not a timing test): open ≤ 55k, claim ≤ 42k, refund ≤ 35k,
/// open + claim ≤ 97k, and the size of the work changes nothing (only its 32-byte hash reaches the chain).
/// </summary>
public sealed class GasTargetTests(AnvilProcess anvil, ITestOutputHelper output) : IClassFixture<AnvilProcess>, IDisposable
{
    private readonly ChainTestContext _chain = new(anvil);

    [Fact]
    public async Task Escrow_operations_meet_the_gas_targets_for_any_work_size()
    {
        var escrow = await _chain.DeployEscrowAsync();
        var report = new EscrowGasReport(_chain.Rpc, escrow,
            _chain.Sender(EthAccount.FromPrivateKey(AnvilProcess.DevPrivateKeys[1])),
            _chain.Sender(EthAccount.FromPrivateKey(AnvilProcess.DevPrivateKeys[2])),
            _chain.Sender(EthAccount.FromPrivateKey(AnvilProcess.DevPrivateKeys[3])));

        var small = await report.MeasureAsync(SHA256.HashData(new byte[1024]), "1 KiB");
        var large = await report.MeasureAsync(SHA256.HashData(new byte[4 << 20]), "4 MiB");

        foreach (var f in new[] { small, large })
        {
            output.WriteLine($"open {f.Open}, claim {f.Claim} (third party {f.ClaimByThirdParty}), refund {f.Refund}, " +
                             $"open+claim {f.OpenPlusClaim}, openBatch/escrow {f.OpenBatchPerEscrow}, zero bytes in hash {f.WorkHashZeroBytes}");
            f.Open.Should().BeLessThanOrEqualTo(EscrowGasReport.Targets.Open);
            f.Claim.Should().BeLessThanOrEqualTo(EscrowGasReport.Targets.Claim);
            f.Refund.Should().BeLessThanOrEqualTo(EscrowGasReport.Targets.Refund);
            f.OpenPlusClaim.Should().BeLessThanOrEqualTo(EscrowGasReport.Targets.OpenPlusClaim);
            f.OpenBatchPerEscrow.Should().BeLessThan(f.Open, "batching must lower the cost per escrow");
        }

        // The work's size never matters: the contract's execution gas is identical, and the totals differ only by
        // calldata pricing of the hash's and keys' bytes (16 gas per non-zero byte, 4 per zero byte).
        large.OpenExecution.Should().Be(small.OpenExecution);
        large.ClaimExecution.Should().Be(small.ClaimExecution);
        large.RefundExecution.Should().Be(small.RefundExecution);
    }

    public void Dispose() => _chain.Dispose();
}
