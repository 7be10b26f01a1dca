using System.Numerics;
using FairDelegation.Chain.Crypto;
using FairDelegation.Protocol.Market;
using static FairDelegation.Protocol.Tests.Market.MarketFixtures;

namespace FairDelegation.Protocol.Tests.Market;

public class MatchingTests
{
    private static readonly IReadOnlyDictionary<EthereumAddress, ProviderReputation> NoHistory = new Dictionary<EthereumAddress, ProviderReputation>();
    private static MarketRequest Request(BigInteger maxWage, ulong units = 1) => new(Service, Eth, units, maxWage);

    [Fact]
    public void Among_equals_the_cheapest_acceptable_provider_ranks_first_and_the_too_dear_is_excluded()
    {
        var (ranked, excluded) = Matching.Rank([Entry(1, 30), Entry(2, 10), Entry(3, 20), Entry(4, 200)], NoHistory, Request(100));
        ranked.Select(c => c.Provider.Provider).Should().Equal(Address(2), Address(3), Address(1));
        ranked[0].Parts.Price.Should().BeApproximately(0.9, 1e-12);
        excluded.Should().ContainSingle().Which.Provider.Should().Be(Address(4));
        excluded[0].Reason.Should().Contain("above the maximum");
    }

    [Fact]
    public void A_record_of_refunds_ranks_below_at_the_same_price()
    {
        var refunder = Entry(1, 10);
        var reputations = ReputationBook.Compute([
            new EscrowOpenedFact(Address(77), At(1), 1000, Address(5), refunder.Payee, 10, Eth, 1100),
            new EscrowRefundedFact(Address(77), At(2), 1100),
            new EscrowOpenedFact(Address(78), At(3), 1000, Address(6), refunder.Payee, 10, Eth, 1100),
            new EscrowRefundedFact(Address(78), At(4), 1100),
        ], now: 2000);
        var (ranked, _) = Matching.Rank([refunder, Entry(2, 10)], reputations, Request(100));
        ranked.Select(c => c.Provider.Provider).Should().Equal(Address(2), Address(1));
        ranked[1].Reputation.Refunded.Should().Be(2);
    }

    [Fact]
    public void Stake_breaks_a_tie_of_price_and_record()
    {
        var (ranked, _) = Matching.Rank([Entry(1, 10, stake: 1), Entry(2, 10, stake: 4)], NoHistory, Request(100));
        ranked[0].Provider.Provider.Should().Be(Address(2));
        ranked[0].Parts.Stake.Should().Be(1);
        ranked[1].Parts.Stake.Should().Be(0.25);
    }

    [Fact]
    public void Units_limits_currency_and_departures_exclude_with_a_reason()
    {
        var perUnit = Entry(1, 10) with { Offers = [Offer(10, basis: PriceBasis.PerUnit, maxUnits: 5)] };
        var tokenOnly = Entry(2, 10) with { Offers = [Offer(10, token: Token)] };
        var left = Entry(3, 10) with { Serving = false, UnlocksAt = 5 };
        var ok = Entry(4, 10) with { Offers = [Offer(10, basis: PriceBasis.PerUnit)] };
        var (ranked, excluded) = Matching.Rank([perUnit, tokenOnly, left, ok], NoHistory, Request(1000, units: 6));
        ranked.Single().Provider.Provider.Should().Be(Address(4));
        ranked.Single().Wage.Should().Be(60);
        excluded.Select(e => e.Reason).Should().BeEquivalentTo(["takes at most 5 units", "no offer for 'train-linear-model' in ETH", "left the market"]);
    }

    [Fact]
    public void Score_is_the_documented_weighted_sum()
    {
        var (ranked, _) = Matching.Rank([Entry(1, 25)], NoHistory, Request(100));
        var c = ranked.Single();
        c.Score.Should().BeApproximately(0.50 * 0.75 + 0.35 * 0.5 + 0.15 * 1.0, 1e-12);
        c.Explain().Should().Contain("score 0.700").And.Contain("0 claimed");
    }

    [Fact]
    public void Wages_beyond_double_range_still_rank()
    {
        var huge = BigInteger.Pow(10, 40);
        var (ranked, _) = Matching.Rank([Entry(1, huge / 2), Entry(2, huge / 4)], NoHistory, Request(huge));
        ranked[0].Provider.Provider.Should().Be(Address(2));
        ranked[0].Parts.Price.Should().BeApproximately(0.75, 1e-9);
    }

    [Fact]
    public void A_bad_request_is_refused_with_the_field_named()
    {
        FluentActions.Invoking(() => Matching.Rank([], NoHistory, Request(0))).Should().Throw<ArgumentException>().WithParameterName("MaxWage");
        FluentActions.Invoking(() => Matching.Rank([], NoHistory, Request(1, units: 0))).Should().Throw<ArgumentException>().WithParameterName("Units");
    }
}
