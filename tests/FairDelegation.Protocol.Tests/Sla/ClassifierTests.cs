using System.Text;
using FairDelegation.Protocol.Sla;
using FairDelegation.Protocol.Sla.Classifier;

namespace FairDelegation.Protocol.Tests.Sla;

public class ClassifierTests
{
    private static readonly CsvDataset Train = CsvDataset.Parse(SyntheticData.Csv(400, seed: 1));
    private static readonly byte[] TestSet = Encoding.UTF8.GetBytes(SyntheticData.Csv(200, seed: 2));

    internal static LinearModel TrainedModel() => LogisticRegressionTrainer.Train(Train);

    [Fact]
    public void Trainer_is_deterministic_and_learns_the_boundary()
    {
        var model = TrainedModel();
        model.ToJson().Should().Be(TrainedModel().ToJson());
        model.Classes.Should().Equal("no", "yes");
        model.Features.Should().Equal("a", "b", "c");
        ClassifierEvaluator.Accuracy(model, CsvDataset.Parse(TestSet)).Accuracy.Should().BeGreaterThan(0.95);
        model.Weights[0].Should().BePositive();
        model.Weights[1].Should().BeNegative();
    }

    [Fact]
    public void Model_json_round_trips_and_validates()
    {
        var model = TrainedModel();
        var back = LinearModel.FromJson(model.ToJson());
        back.Weights.Should().Equal(model.Weights);
        back.Bias.Should().Be(model.Bias);
        FluentActions.Invoking(() => LinearModel.FromJson(model.ToJson().Replace("\"logistic-regression\"", "\"svm\"")))
            .Should().Throw<FormatException>().WithMessage("*type*");
        FluentActions.Invoking(() => LinearModel.FromJson((model with { Weights = [1.0] }).ToJson()))
            .Should().Throw<FormatException>().WithMessage("*weights*");
    }

    [Fact]
    public void Evaluation_maps_features_by_name_whatever_the_column_order()
    {
        var model = TrainedModel();
        var reordered = CsvDataset.Parse(ReorderColumns(Encoding.UTF8.GetString(TestSet)));
        ClassifierEvaluator.Accuracy(model, reordered).Should().Be(ClassifierEvaluator.Accuracy(model, CsvDataset.Parse(TestSet)));
    }

    [Fact]
    public void Csv_errors_name_the_line_and_column()
    {
        FluentActions.Invoking(() => CsvDataset.Parse("a,label\n1,x\nfoo,y\n")).Should().Throw<FormatException>().WithMessage("*line 3*'a'*");
        FluentActions.Invoking(() => CsvDataset.Parse("a,b\n1,2\n")).Should().Throw<FormatException>().WithMessage("*label*");
        FluentActions.Invoking(() => CsvDataset.Parse("a,label\n1\n")).Should().Throw<FormatException>().WithMessage("*columns*");
        FluentActions.Invoking(() => CsvDataset.Parse("")).Should().Throw<FormatException>();
    }

    [Fact]
    public async Task Sla_passes_a_good_model_and_rejects_a_bad_one()
    {
        var sla = ClassifierAccuracySla.For(TestSet, 0.9);
        var assets = new Dictionary<string, byte[]> { ["test-set"] = TestSet };
        sla.Validate(assets);
        var good = TrainedModel();
        var bad = good with { Weights = good.Weights.Select(w => -w).ToArray(), Bias = -good.Bias };
        using var files = new TempFiles();

        var pass = await sla.CheckAsync(new SlaCheckContext(files.Write("good.json", good.ToJson()), assets));
        pass.Compliant.Should().BeTrue(pass.Reason);
        pass.Reason.Should().Contain("accuracy");

        var fail = await sla.CheckAsync(new SlaCheckContext(files.Write("bad.json", bad.ToJson()), assets));
        fail.Compliant.Should().BeFalse();
        fail.Reason.Should().Contain("required >= 0.9");

        var garbage = await sla.CheckAsync(new SlaCheckContext(files.Write("garbage.json", "{\"weights\": 1"), assets));
        garbage.Compliant.Should().BeFalse();
        garbage.Reason.Should().Contain("not a valid model");

        var wrongFeatures = good with { Features = ["a", "b", "zzz"] };
        var misfit = await sla.CheckAsync(new SlaCheckContext(files.Write("misfit.json", wrongFeatures.ToJson()), assets));
        misfit.Compliant.Should().BeFalse();
        misfit.Reason.Should().Contain("zzz");
    }

    [Fact]
    public void Sla_refuses_a_test_set_that_is_not_the_committed_one()
    {
        var sla = ClassifierAccuracySla.For(TestSet, 0.9);
        FluentActions.Invoking(() => sla.Validate(new Dictionary<string, byte[]> { ["test-set"] = [.. TestSet, (byte)'\n'] }))
            .Should().Throw<FormatException>().WithMessage("*SHA-256*");
        FluentActions.Invoking(() => sla.Validate(new Dictionary<string, byte[]>())).Should().Throw<FormatException>().WithMessage("*missing*");
    }

    private static string ReorderColumns(string csv) => string.Join('\n', csv.Split('\n', StringSplitOptions.RemoveEmptyEntries)
        .Select(l => l.Split(','))
        .Select(c => string.Join(',', c[3], c[2], c[0], c[1]))) + "\n";
}

/// <summary>A temp folder deleted with the test.</summary>
internal sealed class TempFiles : IDisposable
{
    public string Folder { get; } = Directory.CreateTempSubdirectory("fd-test-").FullName;

    public string Write(string name, string content) => Write(name, Encoding.UTF8.GetBytes(content));

    public string Write(string name, byte[] content)
    {
        var path = Path.Combine(Folder, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    public string PathOf(string name) => Path.Combine(Folder, name);

    public void Dispose()
    {
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}
