namespace FairDelegation.Protocol.Sla.Classifier;

/// <summary>
/// Deterministic batch gradient descent for binary logistic regression (the node's `train-classifier` service).
/// Features are standardized while training for stable steps, and the scaling is folded back into the weights, so
/// the model applies to raw features. Same data and options give the same model, bit for bit.
/// </summary>
public static class LogisticRegressionTrainer
{
    /// <summary>Training settings.</summary>
    public sealed record Options(int Epochs = 500, double LearningRate = 0.5, double L2 = 1e-4, double Threshold = 0.5);

    /// <summary>
    /// Trains on the dataset. The class labels are the dataset's two distinct labels in ordinal order, unless given:
    /// classes[1] is the positive class.
    /// </summary>
    public static LinearModel Train(CsvDataset data, Options? options = null, IReadOnlyList<string>? classes = null,
        CancellationToken cancellationToken = default)
    {
        options ??= new Options();
        if (data.Count == 0) throw new ArgumentException("cannot train on an empty dataset");
        classes ??= data.Labels.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        if (classes.Count != 2) throw new ArgumentException($"logistic regression needs exactly two classes, the data has {classes.Count}");
        if (data.Labels.Any(l => l != classes[0] && l != classes[1])) throw new ArgumentException("the data has labels outside the two classes");

        var n = data.Count;
        var d = data.Features.Count;
        var mean = new double[d];
        var scale = new double[d];
        foreach (var row in data.Rows) for (var j = 0; j < d; j++) mean[j] += row[j] / n;
        foreach (var row in data.Rows) for (var j = 0; j < d; j++) scale[j] += (row[j] - mean[j]) * (row[j] - mean[j]) / n;
        for (var j = 0; j < d; j++) scale[j] = scale[j] > 1e-24 ? Math.Sqrt(scale[j]) : 1.0;

        var x = data.Rows.Select(r => Enumerable.Range(0, d).Select(j => (r[j] - mean[j]) / scale[j]).ToArray()).ToArray();
        var y = data.Labels.Select(l => l == classes[1] ? 1.0 : 0.0).ToArray();
        var w = new double[d];
        var b = 0.0;
        var gradient = new double[d];
        for (var epoch = 0; epoch < options.Epochs; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Array.Clear(gradient);
            var gb = 0.0;
            for (var i = 0; i < n; i++)
            {
                var z = b;
                for (var j = 0; j < d; j++) z += w[j] * x[i][j];
                var error = 1.0 / (1.0 + Math.Exp(-z)) - y[i];
                for (var j = 0; j < d; j++) gradient[j] += error * x[i][j];
                gb += error;
            }
            for (var j = 0; j < d; j++) w[j] -= options.LearningRate * (gradient[j] / n + options.L2 * w[j]);
            b -= options.LearningRate * gb / n;
        }

        // Undo the standardization: w·(x - mean)/scale + b = (w/scale)·x + (b - Σ w·mean/scale).
        var weights = new double[d];
        var bias = b;
        for (var j = 0; j < d; j++)
        {
            weights[j] = w[j] / scale[j];
            bias -= w[j] * mean[j] / scale[j];
        }
        var model = LinearModel.Create(data.Features.ToArray(), weights, bias, classes.ToArray(), options.Threshold);
        model.Validate();
        return model;
    }
}
