using System.Numerics;
using FairDelegation.Node.Api;

namespace FairDelegation.Node.Dashboard;

/// <summary>One party's side of a delegation's money: the wage that moved to or from it, and the gas this node paid.</summary>
public sealed record MoneyLine(string Party, string WageText, BigInteger Wage, BigInteger? Gas, string Note);

/// <summary>
/// What moved on both sides, from the delegation's view alone (its outcome, wage and this node's transactions). This
/// node only knows its own gas: the other side's fee is shown on that side's dashboard, and the page says so rather
/// than guessing. Nothing is called "not paid" unless this node's records show why.
/// </summary>
public static class MoneyMoved
{
    /// <summary>The part of a transaction's fee that falls to one delegation: the whole fee, or 1/BatchSize of a batch's.</summary>
    public static BigInteger FeeShare(TransactionView t) => DashboardData.Parse(t.FeeWei) / Math.Max(1, t.BatchSize);

    public static IReadOnlyList<MoneyLine> Of(DelegationView v)
    {
        var wage = DashboardData.Parse(v.WageWei ?? TermsWage(v));
        // A batched opening (BatchSize > 1) paid one fee for several delegations: this delegation's part is its share.
        var fees = v.Transactions.Aggregate(BigInteger.Zero, (s, t) => s + FeeShare(t));
        var opened = v.Transactions.Any(t => t.Step == "OpenEscrow" && t.Succeeded && t.BlockNumber is not null);
        var refunded = v.Transactions.Any(t => t.Step == "RefundEscrow" && t.Succeeded && t.BlockNumber is not null);
        var claimed = v.Transactions.Any(t => t.Step == "RevealKey" && t.Succeeded && t.BlockNumber is not null);
        var w = DashboardData.Ether(wage);
        var customer = v.Role == "Customer";
        return (customer, v.Outcome) switch
        {
            (true, "Completed") =>
            [
                new("Customer (this node)", $"−{w}", -wage, fees, "wage paid from the escrow to the provider's payee when it revealed its key"),
                new("Provider", $"+{w}", wage, null, "received on claim; its claim's gas is on the provider's side"),
            ],
            (true, "Refunded") =>
            [
                new("Customer (this node)", $"{w} deposited, {w} refunded", BigInteger.Zero, fees, "the escrow returned the wage after the deadline: only gas was spent"),
                new("Provider", "0", BigInteger.Zero, null, "never revealed its key, so it was not paid"),
            ],
            (true, null) when opened =>
            [
                new("Customer (this node)", $"{w} held in escrow", -wage, fees, "until the provider reveals its key or the deadline passes"),
                new("Provider", "pending", BigInteger.Zero, null, "paid when it reveals its key before the deadline"),
            ],
            (true, _) =>
            [
                new("Customer (this node)", opened && !refunded ? $"{w} in escrow" : "0", opened && !refunded ? -wage : BigInteger.Zero, fees,
                    opened ? (refunded ? "deposited and refunded" : "deposited; see the escrow on chain") : "no escrow was opened by this delegation"),
                new("Provider", "0", BigInteger.Zero, null, "no claim recorded"),
            ],
            (false, "Completed") =>
            [
                new("Provider (this node)", $"+{w}", wage, fees, "claimed from the escrow by revealing the work key"),
                new("Customer", $"−{w}", -wage, null, "its deposit; its own gas is on the customer's side"),
            ],
            (false, _) when claimed =>
            [
                new("Provider (this node)", $"+{w}", wage, fees, "claim mined"),
                new("Customer", $"−{w}", -wage, null, "its deposit"),
            ],
            _ =>
            [
                new("Provider (this node)", "0", BigInteger.Zero, fees, v.Outcome is null ? "not paid yet" : "the work key was not revealed, so no wage moved"),
                new("Customer", "0", BigInteger.Zero, null, "no claim recorded by this node"),
            ],
        };
    }

    private static string? TermsWage(DelegationView v) =>
        v.Terms is { } t && t.TryGetProperty("wage", out var w) && w.ValueKind == System.Text.Json.JsonValueKind.String ? w.GetString() : null;
}
