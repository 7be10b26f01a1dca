using System.Numerics;
using FairDelegation.Chain.Crypto;

namespace FairDelegation.Protocol.Market;

/// <summary>
/// A provider's record, computed by any node from the escrow's events alone (docs/market.md, "Reputation"). Keyed by
/// payee: escrows pay the payee the provider registered, so every escrow ever opened to that address counts.
/// </summary>
/// <param name="Payee">the payee the provider registered</param>
/// <param name="Opened">escrows opened to the payee</param>
/// <param name="Claimed">claimed (a claim is always in time: the contract refuses one at or after the deadline)</param>
/// <param name="Refunded">refunded: the provider never revealed the key</param>
/// <param name="Expired">past the deadline, neither claimed nor refunded yet (a failure as much as a refund)</param>
/// <param name="Pending">open and before the deadline</param>
/// <param name="WagesEarned">claimed wages by currency (<see cref="EthereumAddress.Zero"/> = ETH), in wei or token base units</param>
/// <param name="DistinctCustomers">customer addresses that ever opened an escrow to the payee</param>
/// <param name="MedianSecondsToClaim">median of (claim block time - open block time) over claims; null without claims</param>
/// <param name="CountedSuccesses">claims after the per-customer cap (what the score uses; see <see cref="ReputationBook.PerCustomerCap"/>)</param>
/// <param name="CountedFailures">refunds and expiries after the per-customer cap</param>
public sealed record ProviderReputation(
    EthereumAddress Payee,
    int Opened,
    int Claimed,
    int Refunded,
    int Expired,
    int Pending,
    IReadOnlyDictionary<EthereumAddress, BigInteger> WagesEarned,
    int DistinctCustomers,
    double? MedianSecondsToClaim,
    int CountedSuccesses,
    int CountedFailures)
{
    /// <summary>A payee nothing was ever opened to.</summary>
    public static ProviderReputation Empty(EthereumAddress payee) =>
        new(payee, 0, 0, 0, 0, 0, new Dictionary<EthereumAddress, BigInteger>(), 0, null, 0, 0);

    /// <summary>
    /// Reliability in [0, 1]: the success rate with one success and one failure assumed up front (a newcomer is 0.5),
    /// pulled towards 0.5 while few distinct customers stand behind the record (full weight from
    /// <see cref="ReputationBook.CustomersForFullWeight"/> distinct customers on).
    /// </summary>
    public double Reliability
    {
        get
        {
            var rate = (CountedSuccesses + 1.0) / (CountedSuccesses + CountedFailures + 2.0);
            var evidence = Math.Min(1.0, DistinctCustomers / (double)ReputationBook.CustomersForFullWeight);
            // Symmetric: a record of refunds from few customers weighs as little as a record of claims from few, or a
            // competitor could smear a provider from one address as cheaply as a provider could flatter itself.
            return 0.5 + (rate - 0.5) * evidence;
        }
    }
}

/// <summary>
/// Folds escrow facts into each payee's <see cref="ProviderReputation"/>. Collusion limits (docs/threat-model.md,
/// "Market"): each customer address counts for at most <see cref="PerCustomerCap"/> successes and as many failures,
/// and good records weigh fully only from <see cref="CustomersForFullWeight"/> distinct customers on; so a provider
/// paying itself from one address buys at most 3 successes and a fifth of the weight, and each extra fake customer
/// costs a funded address plus ~90k gas per self-paid escrow (open + claim) and the wage's round trip.
/// </summary>
public static class ReputationBook
{
    public const int PerCustomerCap = 3;
    public const int CustomersForFullWeight = 5;

    /// <summary>Every payee's reputation from <paramref name="facts"/> (any order; sorted by chain position here), as of <paramref name="now"/>.</summary>
    public static IReadOnlyDictionary<EthereumAddress, ProviderReputation> Compute(IEnumerable<EscrowFact> facts, long now)
    {
        // The latest opening per work key: claims and refunds name only the key.
        var openByKey = new Dictionary<EthereumAddress, Escrow>();
        var escrows = new List<Escrow>();
        foreach (var f in facts.OrderBy(f => f.Position))
        {
            switch (f)
            {
                case EscrowOpenedFact o:
                    var e = new Escrow(o);
                    openByKey[o.WorkKey] = e;
                    escrows.Add(e);
                    break;
                case EscrowClaimedFact c when openByKey.Remove(c.WorkKey, out var claimed):
                    claimed.ClaimedAt = c.BlockTime;
                    break;
                case EscrowRefundedFact r when openByKey.Remove(r.WorkKey, out var refunded):
                    refunded.Refunded = true;
                    break;
            }
        }

        var result = new Dictionary<EthereumAddress, ProviderReputation>();
        foreach (var group in escrows.GroupBy(e => e.Opened.Payee))
        {
            int claimed = 0, refunded = 0, expired = 0, pending = 0;
            var wages = new Dictionary<EthereumAddress, BigInteger>();
            var secondsToClaim = new List<long>();
            var perCustomer = new Dictionary<EthereumAddress, (int Successes, int Failures)>();
            foreach (var e in group)
            {
                perCustomer.TryGetValue(e.Opened.Customer, out var c);
                if (e.ClaimedAt is { } at)
                {
                    claimed++;
                    wages[e.Opened.Token] = wages.GetValueOrDefault(e.Opened.Token) + e.Opened.Amount;
                    secondsToClaim.Add(at - e.Opened.BlockTime);
                    c.Successes++;
                }
                else if (e.Refunded) { refunded++; c.Failures++; }
                else if (now >= e.Opened.Deadline) { expired++; c.Failures++; }
                else pending++;
                perCustomer[e.Opened.Customer] = c;
            }
            result[group.Key] = new ProviderReputation(group.Key, group.Count(), claimed, refunded, expired, pending, wages,
                perCustomer.Count, Median(secondsToClaim),
                perCustomer.Values.Sum(c => Math.Min(c.Successes, PerCustomerCap)),
                perCustomer.Values.Sum(c => Math.Min(c.Failures, PerCustomerCap)));
        }
        return result;
    }

    private static double? Median(List<long> values)
    {
        if (values.Count == 0) return null;
        values.Sort();
        var mid = values.Count / 2;
        return values.Count % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2.0;
    }

    private sealed class Escrow(EscrowOpenedFact opened)
    {
        public EscrowOpenedFact Opened { get; } = opened;
        public long? ClaimedAt { get; set; }
        public bool Refunded { get; set; }
    }
}
