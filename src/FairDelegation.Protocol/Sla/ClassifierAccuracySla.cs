using System.Globalization;
using System.Security.Cryptography;
using FairDelegation.Protocol.Sla.Classifier;

namespace FairDelegation.Protocol.Sla;

/// <summary>
/// The paper's machine-learning example: the work is a model (docs/formats/model.md); the verifier evaluates it on
/// the hidden labelled test set (asset <see cref="TestSetAsset"/>, a CSV whose SHA-256 is <see cref="TestSetSha256"/>)
/// and requires accuracy >= <see cref="MinAccuracy"/>.
/// </summary>
public sealed record ClassifierAccuracySla(
    double MinAccuracy,
    string TestSetSha256,
    string TestSetAsset = "test-set",
    string LabelColumn = "label") : ServiceLevelAgreement
{
    /// <summary>An SLA committing to the given hidden test set.</summary>
    public static ClassifierAccuracySla For(byte[] testSetCsv, double minAccuracy, string labelColumn = "label") =>
        new(minAccuracy, "0x" + Convert.ToHexStringLower(SHA256.HashData(testSetCsv)), "test-set", labelColumn);

    public override Task<SlaVerdict> CheckAsync(SlaCheckContext context)
    {
        LinearModel model;
        try { model = LinearModel.Load(context.WorkPath); }
        catch (Exception e) when (e is FormatException or IOException)
        {
            return Task.FromResult(SlaVerdict.Violation($"work is not a valid model: {e.Message}"));
        }
        var data = CsvDataset.Parse(context.Asset(TestSetAsset), LabelColumn);
        double accuracy;
        int correct, total;
        try { (accuracy, correct, total) = ClassifierEvaluator.Accuracy(model, data); }
        catch (FormatException e)
        {
            return Task.FromResult(SlaVerdict.Violation($"model does not fit the test set: {e.Message}"));
        }
        var summary = string.Create(CultureInfo.InvariantCulture,
            $"accuracy {accuracy:0.####} ({correct}/{total}) on the hidden test set, required >= {MinAccuracy:0.####}");
        return Task.FromResult(accuracy >= MinAccuracy ? SlaVerdict.Pass(summary) : SlaVerdict.Violation(summary));
    }

    public override void Validate(IReadOnlyDictionary<string, byte[]> assets)
    {
        if (!(MinAccuracy >= 0 && MinAccuracy <= 1)) throw new FormatException("min accuracy must be in [0, 1]");
        if (!assets.TryGetValue(TestSetAsset, out var testSet)) throw new FormatException($"the test set asset '{TestSetAsset}' is missing");
        if (!string.Equals("0x" + Convert.ToHexStringLower(SHA256.HashData(testSet)), TestSetSha256, StringComparison.OrdinalIgnoreCase))
            throw new FormatException($"the test set asset '{TestSetAsset}' does not match the SHA-256 the SLA commits to");
        var data = CsvDataset.Parse(testSet, LabelColumn);
        if (data.Count == 0) throw new FormatException("the hidden test set has no rows");
    }
}
