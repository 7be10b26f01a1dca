using System.Globalization;
using System.Text;

namespace FairDelegation.Cli.Demo;

/// <summary>
/// The demo's bundled data: two Gaussian blobs in the plane ("a" around (-1, -1), "b" around (1.2, 0.8), unit spread),
/// generated deterministically from a fixed seed, so every run trains and tests on the same rows. The customer sends
/// the training set; the hidden test set stays in its verifier.
/// </summary>
public static class DemoDataset
{
    /// <summary>200 labelled rows for training (the input).</summary>
    public static string Training { get; } = Blobs(200, seed: 7);

    /// <summary>100 labelled rows the provider never sees (the verifier's hidden test set).</summary>
    public static string HiddenTestSet { get; } = Blobs(100, seed: 11);

    private static string Blobs(int rows, int seed)
    {
        var random = new Random(seed);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var sb = new StringBuilder("x1,x2,label\n");
        for (var i = 0; i < rows; i++)
        {
            var b = i % 2 == 1;
            var (cx, cy) = b ? (1.2, 0.8) : (-1.0, -1.0);
            sb.Append(string.Create(CultureInfo.InvariantCulture, $"{cx + 0.8 * Normal():0.0000},{cy + 0.8 * Normal():0.0000},{(b ? "b" : "a")}\n"));
        }
        return sb.ToString();
    }
}
