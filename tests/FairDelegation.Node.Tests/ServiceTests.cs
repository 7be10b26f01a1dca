using FairDelegation.Node.Configuration;
using FairDelegation.Node.Services;
using FairDelegation.Node.Tests.EndToEnd;
using FairDelegation.Protocol.Sla.Classifier;

namespace FairDelegation.Node.Tests;

public sealed class ServiceTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fd-svc-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private ServiceRun Run(byte[] input, TimeSpan? limit = null, int attempt = 1)
    {
        var inputPath = Path.Combine(_dir, "input");
        File.WriteAllBytes(inputPath, input);
        return new ServiceRun(inputPath, Path.Combine(_dir, "output"), attempt, limit ?? TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Train_classifier_produces_a_model_that_classifies_the_hidden_test_set()
    {
        var run = Run(Datasets.Training);
        await new TrainClassifierService().ProduceAsync(run, CancellationToken.None);
        var model = LinearModel.Load(run.OutputPath);
        var (accuracy, _, _) = ClassifierEvaluator.Accuracy(model, CsvDataset.Parse(Datasets.TestSet));
        accuracy.Should().BeGreaterThan(0.8);
    }

    [Fact]
    public async Task Train_classifier_refuses_an_input_that_is_not_a_labelled_csv()
    {
        var act = () => new TrainClassifierService().ProduceAsync(Run("no,label,here\n"u8.ToArray()), CancellationToken.None);
        await act.Should().ThrowAsync<ServiceFailedException>();
    }

    [Fact]
    public async Task An_external_command_reads_the_input_and_writes_the_output()
    {
        var run = Run("hello"u8.ToArray());
        await new ExternalCommandService("copy", "/bin/sh", ["-c", "tr a-z A-Z < \"$0\" > \"$1\"", "{input}", "{output}"]).ProduceAsync(run, CancellationToken.None);
        File.ReadAllText(run.OutputPath).Should().Be("HELLO");
    }

    [Fact]
    public async Task An_external_command_is_stopped_at_its_time_limit_and_failures_name_the_reason()
    {
        var slow = () => new ExternalCommandService("slow", "/bin/sh", ["-c", "sleep 30"]).ProduceAsync(Run([1], TimeSpan.FromMilliseconds(300)), CancellationToken.None);
        (await slow.Should().ThrowAsync<ServiceFailedException>()).WithMessage("*time limit*");

        var failing = () => new ExternalCommandService("bad", "/bin/sh", ["-c", "echo broken input >&2; exit 3"]).ProduceAsync(Run([1]), CancellationToken.None);
        (await failing.Should().ThrowAsync<ServiceFailedException>()).WithMessage("*code 3*broken input*");

        var silent = () => new ExternalCommandService("silent", "/bin/true", []).ProduceAsync(Run([1]), CancellationToken.None);
        (await silent.Should().ThrowAsync<ServiceFailedException>()).WithMessage("*no output*");
    }

    [Fact]
    public void Bad_configuration_is_reported_key_by_key()
    {
        var o = new NodeOptions();
        o.Chain.EscrowAddress = "0x123";
        o.Timeouts.DeadlineMargin = TimeSpan.FromHours(2);
        o.Provider.Services["x"] = new ServiceOptions { Kind = "external-command", WageWei = "-1" };
        var problems = NodeOptionsValidator.Problems(o);
        problems.Should().Contain(p => p.StartsWith("FairDelegation:Chain:EscrowAddress"));
        problems.Should().Contain(p => p.StartsWith("FairDelegation:Timeouts:DeadlineMargin"));
        problems.Should().Contain(p => p.StartsWith("FairDelegation:Provider:Services:x:WageWei"));
        problems.Should().Contain(p => p.StartsWith("FairDelegation:Provider:Services:x:Command"));
    }

    [Fact]
    public void An_escrow_deadline_beyond_the_contracts_30_day_cap_is_refused_at_start()
    {
        var o = new NodeOptions();
        o.Timeouts.Deadline = TimeSpan.FromDays(31);
        NodeOptionsValidator.Problems(o).Should().Contain(p => p.StartsWith("FairDelegation:Timeouts:Deadline must be at most 30 days"));
        o.Timeouts.Deadline = TimeSpan.FromDays(30);
        NodeOptionsValidator.Problems(o).Should().NotContain(p => p.StartsWith("FairDelegation:Timeouts:Deadline"));
    }
}
