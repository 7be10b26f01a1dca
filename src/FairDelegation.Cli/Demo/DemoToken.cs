using System.Numerics;

namespace FairDelegation.Cli.Demo;

/// <summary>How `demo market --token` names and prints its wage token (FairDelegation.Chain.Dev.DevToken, 18 decimals).</summary>
public static class DemoToken
{
    public const string Symbol = "FDT";

    /// <summary>An amount of 18-decimal token units, as the demo prints ETH.</summary>
    public static string Format(BigInteger units) => DemoRun.Eth(units).Replace(" ETH", " " + Symbol, StringComparison.Ordinal);
}
