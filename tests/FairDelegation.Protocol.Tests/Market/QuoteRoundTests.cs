using System.Numerics;
using FairDelegation.Chain.Crypto;
using FairDelegation.Protocol.Market;
using FairDelegation.Protocol.Serialization;
using static FairDelegation.Protocol.Tests.Market.MarketFixtures;

namespace FairDelegation.Protocol.Tests.Market;

public class QuoteRoundTests
{
    private static readonly MarketRequest Request = new(Service, Eth, 1, 100);
    private static readonly IReadOnlyDictionary<EthereumAddress, ProviderReputation> NoHistory = new Dictionary<EthereumAddress, ProviderReputation>();

    private static MarketQuote QuoteOf(MarketCandidate c, BigInteger? wage = null) =>
        new(c.Provider.Provider, Address(9999), Service, Eth, 1, wage ?? c.Wage, long.MaxValue, Bytes32.Random(),
            new EcdsaSignature(1, 1, 0));

    private static IReadOnlyList<MarketCandidate> Ranked(params DirectoryEntry[] entries) => Matching.Rank(entries, NoHistory, Request).Ranked;

    [Fact]
    public async Task The_best_valid_quote_wins_and_every_attempt_is_recorded()
    {
        var ranked = Ranked(Entry(1, 10), Entry(2, 20), Entry(3, 30));
        var pick = await QuoteRound.RunAsync(Request, ranked, [], (c, _) => Task.FromResult(QuoteOf(c)), (_, _) => null, 3,
            TimeSpan.FromSeconds(30), CancellationToken.None);
        pick.Chosen!.Provider.Provider.Should().Be(Address(1));
        pick.Quote!.Wage.Should().Be(10);
        pick.Attempts.Should().HaveCount(3).And.OnlyContain(a => a.Quote != null);
        pick.Why().Should().Contain("chose").And.Contain(Address(1).ToString());
    }

    [Fact]
    public async Task A_silent_provider_is_skipped()
    {
        var ranked = Ranked(Entry(1, 10), Entry(2, 20));
        var pick = await QuoteRound.RunAsync(Request, ranked, [],
            async (c, ct) =>
            {
                if (c.Provider.Provider == Address(1)) await Task.Delay(Timeout.Infinite, ct);
                return QuoteOf(c);
            },
            (_, _) => null, 3, TimeSpan.FromMilliseconds(200), CancellationToken.None);
        pick.Chosen!.Provider.Provider.Should().Be(Address(2));
        pick.Attempts.Single(a => a.Provider == Address(1)).Failure.Should().StartWith("silent");
    }

    [Fact]
    public async Task Refusals_and_invalid_quotes_fall_back_to_the_next_batch()
    {
        var ranked = Ranked(Entry(1, 10), Entry(2, 20), Entry(3, 30));
        var asked = new List<EthereumAddress>();
        var pick = await QuoteRound.RunAsync(Request, ranked, [],
            (c, _) =>
            {
                lock (asked) asked.Add(c.Provider.Provider);
                if (c.Provider.Provider == Address(1)) throw new QuoteRefusedException("busy");
                return Task.FromResult(QuoteOf(c));
            },
            (c, q) => c.Provider.Provider == Address(2) ? "quote signed by someone else" : null,
            1, TimeSpan.FromSeconds(30), CancellationToken.None);
        pick.Chosen!.Provider.Provider.Should().Be(Address(3));
        asked.Should().Equal(Address(1), Address(2), Address(3));
        pick.Attempts.Select(a => a.Failure).Should().Equal("refused: busy", "invalid quote: quote signed by someone else", null);
    }

    [Fact]
    public async Task A_quote_above_the_registered_price_is_refused_and_a_lower_one_rescored()
    {
        var ranked = Ranked(Entry(1, 10), Entry(2, 20));
        var pick = await QuoteRound.RunAsync(Request, ranked, [],
            (c, _) => Task.FromResult(QuoteOf(c, c.Provider.Provider == Address(1) ? 15 : 5)),
            (_, _) => null, 2, TimeSpan.FromSeconds(30), CancellationToken.None);
        pick.Chosen!.Provider.Provider.Should().Be(Address(2));
        pick.Chosen.Wage.Should().Be(5);
        pick.Chosen.Parts.Price.Should().BeApproximately(0.95, 1e-12);
        pick.Attempts.Single(a => a.Provider == Address(1)).Failure.Should().Contain("above its registered price");
    }

    [Fact]
    public async Task Nobody_quoting_is_an_answer_that_names_every_reason()
    {
        var ranked = Ranked(Entry(1, 10));
        var pick = await QuoteRound.RunAsync(Request, ranked, [new MarketExclusion(Address(5), "left the market")],
            (_, _) => Task.FromException<MarketQuote>(new HttpRequestException("connection refused")), (_, _) => null, 3,
            TimeSpan.FromSeconds(30), CancellationToken.None);
        pick.Chosen.Should().BeNull();
        pick.Why().Should().Contain("no provider quoted").And.Contain("connection refused");
        pick.Excluded.Should().ContainSingle();
    }
}
