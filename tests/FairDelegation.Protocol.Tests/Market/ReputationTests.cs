using System.Numerics;
using FairDelegation.Chain.Crypto;
using FairDelegation.Protocol.Market;
using static FairDelegation.Protocol.Tests.Market.MarketFixtures;

namespace FairDelegation.Protocol.Tests.Market;

public class ReputationTests
{
    private static readonly EthereumAddress Payee = Address(500);
    private long _block = 1;

    private EscrowOpenedFact Open(int key, int customer, BigInteger amount, long time, EthereumAddress? token = null, long deadline = 10_000,
        EthereumAddress? payee = null) =>
        new(Address(key), At(_block++), time, Address(customer), payee ?? Payee, amount, token ?? Eth, deadline);

    private EscrowClaimedFact Claim(int key, long time) => new(Address(key), At(_block++), time);
    private EscrowRefundedFact Refund(int key, long time) => new(Address(key), At(_block++), time);

    [Fact]
    public void Counts_claims_refunds_expiries_and_pending_escrows_with_wages_per_currency()
    {
        var facts = new List<EscrowFact>
        {
            Open(1, 1, 100, time: 1000), Claim(1, 1060),
            Open(2, 2, 50, time: 1000, token: Token), Claim(2, 1100),
            Open(3, 3, 70, time: 1000, deadline: 2000), Refund(3, 2000),
            Open(4, 3, 70, time: 1000, deadline: 1500),   // expired, nobody refunded yet
            Open(5, 4, 70, time: 1000, deadline: 9000),   // still open
            Open(6, 5, 30, time: 1000), Claim(6, 1020),
        };
        var r = ReputationBook.Compute(facts, now: 3000)[Payee];
        r.Opened.Should().Be(6);
        r.Claimed.Should().Be(3);
        r.Refunded.Should().Be(1);
        r.Expired.Should().Be(1);
        r.Pending.Should().Be(1);
        r.WagesEarned[Eth].Should().Be(130);
        r.WagesEarned[Token].Should().Be(50);
        r.DistinctCustomers.Should().Be(5);
        r.MedianSecondsToClaim.Should().Be(60);
    }

    [Fact]
    public void Claims_and_refunds_apply_to_the_latest_opening_of_a_reopened_key_and_facts_may_come_in_any_order()
    {
        var first = Open(1, 1, 10, time: 1000, deadline: 1100);
        var refund = Refund(1, 1100);
        var second = Open(1, 1, 10, time: 1200, deadline: 5000);
        var claim = Claim(1, 1300);
        var r = ReputationBook.Compute([claim, second, refund, first], now: 2000)[Payee];
        r.Opened.Should().Be(2);
        r.Refunded.Should().Be(1);
        r.Claimed.Should().Be(1);
        r.MedianSecondsToClaim.Should().Be(100);
    }

    [Fact]
    public void Only_escrows_to_the_payee_count()
    {
        var r = ReputationBook.Compute([Open(1, 1, 10, 1000), Claim(1, 1010), Open(2, 1, 10, 1000, payee: Address(9)), Claim(2, 1020)], now: 2000);
        r[Payee].Claimed.Should().Be(1);
        r[Address(9)].Claimed.Should().Be(1);
    }

    [Fact]
    public void A_newcomer_is_neutral_and_a_record_of_refunds_ranks_below_it()
    {
        ProviderReputation.Empty(Payee).Reliability.Should().Be(0.5);
        var refunds = ReputationBook.Compute([Open(1, 1, 10, 1000, deadline: 1100), Refund(1, 1100)], now: 2000)[Payee];
        refunds.Reliability.Should().BeLessThan(0.5);
        var claims = ReputationBook.Compute([Open(1, 1, 10, 1000), Claim(1, 1010)], now: 2000)[Payee];
        claims.Reliability.Should().BeGreaterThan(0.5);
    }

    /// <summary>Collusion: a provider paying itself from one address buys at most 3 counted claims and a fifth of the weight.</summary>
    [Fact]
    public void Self_dealing_from_one_address_is_capped_and_weighs_little()
    {
        var facts = new List<EscrowFact>();
        for (var i = 0; i < 100; i++) { facts.Add(Open(100 + i, 7, 1, 1000)); facts.Add(Claim(100 + i, 1001)); }
        var colluder = ReputationBook.Compute(facts, now: 2000)[Payee];
        colluder.Claimed.Should().Be(100);
        colluder.CountedSuccesses.Should().Be(ReputationBook.PerCustomerCap);
        colluder.Reliability.Should().BeApproximately(0.5 + (4.0 / 5 - 0.5) / 5, 1e-9);

        facts.Clear();
        for (var c = 0; c < 5; c++) { facts.Add(Open(200 + c, 20 + c, 1, 1000)); facts.Add(Claim(200 + c, 1001)); }
        var honest = ReputationBook.Compute(facts, now: 2000)[Payee];
        honest.Reliability.Should().BeGreaterThan(colluder.Reliability, "five real customers outweigh a hundred self-paid escrows");
    }

    [Fact]
    public void A_smear_from_one_address_weighs_as_little_as_self_dealing()
    {
        var facts = new List<EscrowFact>();
        for (var c = 0; c < 5; c++) { facts.Add(Open(300 + c, 30 + c, 1, 1000)); facts.Add(Claim(300 + c, 1001)); }
        for (var i = 0; i < 50; i++) { facts.Add(Open(400 + i, 99, 1, 1000, deadline: 1100)); facts.Add(Refund(400 + i, 1100)); }
        var r = ReputationBook.Compute(facts, now: 2000)[Payee];
        r.CountedFailures.Should().Be(ReputationBook.PerCustomerCap);
        r.Reliability.Should().BeGreaterThan(0.5);
    }
}
