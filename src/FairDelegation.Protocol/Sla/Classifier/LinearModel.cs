using System.Text.Json;
using System.Text.Json.Serialization;
using FairDelegation.Protocol.Serialization;

namespace FairDelegation.Protocol.Sla.Classifier;

/// <summary>
/// A binary logistic-regression classifier, the work of the `train-classifier` service (docs/formats/model.md):
/// p = sigmoid(bias + Σ weights[i]·x[features[i]]); the prediction is classes[1] when p >= threshold, else classes[0].
/// </summary>
public sealed record LinearModel(
    string Format,
    int Version,
    string Type,
    IReadOnlyList<string> Features,
    IReadOnlyList<double> Weights,
    double Bias,
    IReadOnlyList<string> Classes,
    double Threshold)
{
    public const string FormatName = "fairdelegation-linear-model";
    public const string LogisticRegression = "logistic-regression";

    /// <summary>A version-1 logistic-regression model.</summary>
    public static LinearModel Create(IReadOnlyList<string> features, IReadOnlyList<double> weights, double bias,
        IReadOnlyList<string> classes, double threshold = 0.5) =>
        new(FormatName, 1, LogisticRegression, features, weights, bias, classes, threshold);

    /// <summary>Probability of the positive class (classes[1]).</summary>
    public double Probability(ReadOnlySpan<double> x)
    {
        var z = Bias;
        for (var i = 0; i < Weights.Count; i++) z += Weights[i] * x[i];
        return 1.0 / (1.0 + Math.Exp(-z));
    }

    /// <summary>The predicted class label for a feature vector in <see cref="Features"/> order.</summary>
    public string Predict(ReadOnlySpan<double> x) => Probability(x) >= Threshold ? Classes[1] : Classes[0];

    /// <summary>Throws a FormatException naming the first problem.</summary>
    public void Validate()
    {
        if (Format != FormatName) throw new FormatException($"model format must be '{FormatName}', got '{Format}'");
        if (Version != 1) throw new FormatException($"unsupported model version {Version}");
        if (Type != LogisticRegression) throw new FormatException($"unsupported model type '{Type}'");
        if (Features.Count == 0) throw new FormatException("model has no features");
        if (Features.Count != Weights.Count) throw new FormatException($"model has {Features.Count} features but {Weights.Count} weights");
        if (Features.Distinct(StringComparer.Ordinal).Count() != Features.Count) throw new FormatException("model feature names repeat");
        if (Classes.Count != 2 || Classes[0] == Classes[1]) throw new FormatException("model needs exactly two distinct class labels");
        if (Weights.Any(w => !double.IsFinite(w)) || !double.IsFinite(Bias)) throw new FormatException("model weights must be finite numbers");
        if (!(Threshold > 0 && Threshold < 1)) throw new FormatException("model threshold must be in (0, 1)");
    }

    public string ToJson(bool indented = true) => ProtocolJson.Serialize(this, indented);

    /// <summary>Parses and validates a model document.</summary>
    public static LinearModel FromJson(string json)
    {
        var model = ProtocolJson.Deserialize<LinearModel>(json, "model");
        model.Validate();
        return model;
    }

    /// <summary>Reads and validates a model file (bounded: a linear model is small).</summary>
    public static LinearModel Load(string path, long maxBytes = 16 << 20)
    {
        var length = new FileInfo(path).Length;
        if (length > maxBytes) throw new FormatException($"model file is {length} bytes, more than {maxBytes}");
        return FromJson(File.ReadAllText(path));
    }
}
