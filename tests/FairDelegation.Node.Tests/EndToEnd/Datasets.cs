using System.Globalization;
using System.Text;

namespace FairDelegation.Node.Tests.EndToEnd;

/// <summary>Small, deterministic, linearly separable data for train-classifier: a training set and a hidden test set.</summary>
public static class Datasets
{
    public static byte[] Csv(int rows, int seed)
    {
        var random = new Random(seed);
        var sb = new StringBuilder("x1,x2,label\n");
        for (var i = 0; i < rows; i++)
        {
            var x1 = random.NextDouble() * 4 - 2;
            var x2 = random.NextDouble() * 4 - 2;
            var label = x1 + 0.5 * x2 > 0.1 ? "yes" : "no";
            sb.Append(string.Create(CultureInfo.InvariantCulture, $"{x1:0.0000},{x2:0.0000},{label}\n"));
        }
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    public static byte[] Training => Csv(120, 1);
    public static byte[] TestSet => Csv(40, 2);
}
