using System.Numerics;
using FairDelegation.Protocol.Market;
using static FairDelegation.Protocol.Tests.Market.MarketFixtures;

namespace FairDelegation.Protocol.Tests.Market;

public class ProviderDirectoryTests
{
    private static readonly BigInteger Stake = BigInteger.Pow(10, 17);

    [Fact]
    public void The_directory_is_the_fold_of_the_registry_events()
    {
        var d = new ProviderDirectory();
        d.Apply([
            new ProviderRegistered(Address(1), At(10), "http://a", Address(101), [Offer(5)], Stake),
            new ProviderRegistered(Address(2), At(10, 1), "http://b", Address(102), [Offer(7)], Stake),
            new ProviderUpdated(Address(1), At(11), "http://a2", Address(111), [Offer(4), Offer(9, Token)]),
            new StakeAdded(Address(2), At(12), Stake, 2 * Stake),
        ]);
        var all = d.All();
        all.Should().HaveCount(2);
        var a = all.Single(e => e.Provider == Address(1));
        a.Endpoint.Should().Be("http://a2");
        a.Payee.Should().Be(Address(111));
        a.Offers.Should().HaveCount(2);
        a.OfferFor(Service, Token)!.Price.Should().Be(9);
        a.Stake.Should().Be(Stake);
        all.Single(e => e.Provider == Address(2)).Stake.Should().Be(2 * Stake);
        d.LastPosition.Should().Be(At(12));
    }

    [Fact]
    public void A_provider_that_left_is_listed_but_not_serving_and_is_forgotten_after_withdrawing()
    {
        var d = new ProviderDirectory();
        d.Apply([
            new ProviderRegistered(Address(1), At(10), "http://a", Address(101), [Offer(5)], Stake),
            new ProviderLeft(Address(1), At(11), 1_700_604_800),
        ]);
        d.All().Single().Serving.Should().BeFalse();
        d.All().Single().UnlocksAt.Should().Be(1_700_604_800);
        d.Serving().Should().BeEmpty();

        d.Apply([new StakeWithdrawn(Address(1), At(20), Stake)]);
        d.All().Should().BeEmpty();
    }

    [Fact]
    public void Rejoining_while_unbonding_serves_again()
    {
        var d = new ProviderDirectory();
        d.Apply([
            new ProviderRegistered(Address(1), At(10), "http://a", Address(101), [Offer(5)], Stake),
            new ProviderLeft(Address(1), At(11), 1_700_604_800),
            new ProviderRegistered(Address(1), At(12), "http://a", Address(101), [Offer(6)], Stake),
        ]);
        var e = d.Serving(Service).Single();
        e.UnlocksAt.Should().BeNull();
        e.Offers.Single().Price.Should().Be(6);
    }

    [Fact]
    public void A_reorganisation_drops_the_events_of_abandoned_blocks_and_the_new_chain_replays()
    {
        var d = new ProviderDirectory();
        d.Apply([
            new ProviderRegistered(Address(1), At(10), "http://a", Address(101), [Offer(5)], Stake),
            new ProviderUpdated(Address(1), At(12), "http://orphan", Address(101), [Offer(1)]),
            new ProviderRegistered(Address(2), At(13), "http://b", Address(102), [Offer(7)], Stake),
        ]);
        d.RewindTo(11);
        d.All().Should().ContainSingle().Which.Endpoint.Should().Be("http://a");
        d.LastPosition.Should().Be(At(10));

        d.Apply([new ProviderUpdated(Address(1), At(12, 3), "http://canonical", Address(101), [Offer(2)])]);
        d.All().Single().Endpoint.Should().Be("http://canonical");
    }

    [Fact]
    public void A_replayed_batch_is_ignored()
    {
        var d = new ProviderDirectory();
        var registered = new ProviderRegistered(Address(1), At(10), "http://a", Address(101), [Offer(5)], Stake);
        var added = new StakeAdded(Address(1), At(11), Stake, 2 * Stake);
        d.Apply([registered, added]);
        d.Apply([registered, added]);
        d.All().Single().Stake.Should().Be(2 * Stake);
    }

    [Fact]
    public void Serving_filters_by_service()
    {
        var d = new ProviderDirectory();
        d.Apply([
            new ProviderRegistered(Address(1), At(10), "http://a", Address(101), [Offer(5)], Stake),
            new ProviderRegistered(Address(2), At(11), "http://b", Address(102), [Offer(5, service: "classify-images")], Stake),
        ]);
        d.Serving(Service).Single().Provider.Should().Be(Address(1));
        d.Serving("classify-images").Single().Provider.Should().Be(Address(2));
        d.Serving().Should().HaveCount(2);
    }

    [Fact]
    public void Offer_wage_and_limits()
    {
        Offer(3, basis: PriceBasis.PerUnit, maxUnits: 10).WageFor(4).Should().Be(12);
        Offer(3).WageFor(4).Should().Be(3);
        Offer(3, maxUnits: 10).Accepts(11).Should().BeFalse();
        Offer(3, maxUnits: 10).Accepts(10).Should().BeTrue();
        Offer(3).Accepts(0).Should().BeFalse();
        Offer(3).Accepts(ulong.MaxValue).Should().BeTrue();
    }
}
