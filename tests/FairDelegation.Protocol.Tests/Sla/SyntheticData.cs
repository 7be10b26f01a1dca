using System.Globalization;
using System.Text;

namespace FairDelegation.Protocol.Tests.Sla;

/// <summary>A labelled, almost linearly separable dataset: label "yes" when 2·a - b + 0.5 + noise > 0.</summary>
internal static class SyntheticData
{
    public static string Csv(int rows, int seed, double noise = 0.2)
    {
        var random = new Random(seed);
        var sb = new StringBuilder("a,b,c,label\n");
        for (var i = 0; i < rows; i++)
        {
            double a = random.NextDouble() * 4 - 2, b = random.NextDouble() * 10 - 5, c = random.NextDouble();
            var label = 2 * a - b + 0.5 + noise * (random.NextDouble() - 0.5) > 0 ? "yes" : "no";
            sb.Append(string.Create(CultureInfo.InvariantCulture, $"{a},{b},{c},{label}\n"));
        }
        return sb.ToString();
    }
}
