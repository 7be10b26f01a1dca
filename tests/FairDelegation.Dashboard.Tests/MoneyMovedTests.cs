using System.Numerics;
using FairDelegation.Node.Api;
using FairDelegation.Node.Dashboard;

namespace FairDelegation.Dashboard.Tests;

/// <summary>The money a delegation's page shows: a batched opening's fee is shared by the delegations it opened.</summary>
public sealed class MoneyMovedTests
{
    private static DelegationView Completed(params TransactionView[] txs) => new()
    {
        Id = "customer-1", Role = "Customer", RuntimeStatus = "Completed", Outcome = "Completed", WageWei = "1000",
        CreatedAt = DateTimeOffset.UnixEpoch, LastUpdatedAt = DateTimeOffset.UnixEpoch, Transactions = txs,
    };

    [Fact]
    public void A_single_opening_counts_its_whole_fee()
    {
        var line = MoneyMoved.Of(Completed(new TransactionView("OpenEscrow", "0x01", 5, "49236", "2", "98472", true, null)))[0];
        line.Gas.Should().Be(new BigInteger(98472));
        line.Wage.Should().Be(new BigInteger(-1000));
    }

    [Fact]
    public void An_opening_of_a_batch_of_five_counts_a_fifth_of_the_batch_fee()
    {
        var line = MoneyMoved.Of(Completed(new TransactionView("OpenEscrow", "0x02", 5, "163991", "2", "327982", true, null, BatchSize: 5)))[0];
        line.Gas.Should().Be(new BigInteger(327982 / 5), "the batch's one fee paid for five delegations' openings");
    }
}
