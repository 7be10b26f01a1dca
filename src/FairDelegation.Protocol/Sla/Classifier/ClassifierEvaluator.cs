namespace FairDelegation.Protocol.Sla.Classifier;

/// <summary>Accuracy of a model on a labelled dataset.</summary>
public static class ClassifierEvaluator
{
    /// <summary>Fraction of rows whose predicted label equals the true label; a dataset with no rows is an error.</summary>
    public static (double Accuracy, int Correct, int Total) Accuracy(LinearModel model, CsvDataset data)
    {
        if (data.Count == 0) throw new FormatException("the test set has no rows");
        var rows = data.RowsInOrder(model.Features);
        var correct = 0;
        for (var i = 0; i < rows.Length; i++)
        {
            if (model.Predict(rows[i]) == data.Labels[i]) correct++;
        }
        return ((double)correct / data.Count, correct, data.Count);
    }
}
