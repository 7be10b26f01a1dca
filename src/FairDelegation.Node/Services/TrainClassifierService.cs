using FairDelegation.Protocol.Sla.Classifier;

namespace FairDelegation.Node.Services;

/// <summary>
/// The paper's example service: train a logistic-regression classifier on the customer's labelled CSV (column
/// "label") and deliver the model as the protocol's JSON model document. A later attempt (after the verifier rejected
/// the model) trains longer.
/// </summary>
public sealed class TrainClassifierService(string name = "train-classifier") : IDelegationService
{
    public string Name { get; } = name;

    public async Task ProduceAsync(ServiceRun run, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(run.TimeLimit);
        CsvDataset data;
        try
        {
            data = CsvDataset.Parse(await File.ReadAllBytesAsync(run.InputPath, limit.Token));
        }
        catch (FormatException e)
        {
            throw new ServiceFailedException($"service {Name}: the input is not a labelled CSV: {e.Message}");
        }
        LinearModel model;
        try
        {
            var options = new LogisticRegressionTrainer.Options(Epochs: 500 * run.Attempt);
            model = await Task.Run(() => LogisticRegressionTrainer.Train(data, options, cancellationToken: limit.Token), limit.Token);
        }
        catch (ArgumentException e)
        {
            throw new ServiceFailedException($"service {Name}: cannot train on this input: {e.Message}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ServiceFailedException($"service {Name} exceeded its time limit of {run.TimeLimit}");
        }
        await File.WriteAllTextAsync(run.OutputPath, model.ToJson(), limit.Token);
    }
}
