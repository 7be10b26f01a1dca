using System.Text;
using FairDelegation.Protocol.Delivery;
using FairDelegation.Protocol.Encryption;
using FairDelegation.Protocol.Keys;
using FairDelegation.Protocol.Sla;
using FairDelegation.Protocol.Tests.Sla;
using FairDelegation.Protocol.Verification;

namespace FairDelegation.Protocol.Tests.Verification;

public class VerifierTests
{
    private static readonly byte[] TestSet = Encoding.UTF8.GetBytes(SyntheticData.Csv(200, seed: 2));

    private static VerifierPackage Package(double minAccuracy = 0.9)
    {
        var terms = TestTerms.Create(ClassifierAccuracySla.For(TestSet, minAccuracy));
        using var sk = TestTerms.VerifierKey();
        return VerifierPackage.Build(terms, sk, new Dictionary<string, byte[]> { ["test-set"] = TestSet });
    }

    [Fact]
    public async Task Full_path_from_package_to_decrypted_work()
    {
        // c builds the package, serializes it, sp loads it and runs it on its model.
        var json = Package().ToJson();
        using var package = VerifierPackage.FromJson(json);
        using var files = new TempFiles();
        var model = ClassifierTests.TrainedModel().ToJson();
        var workPath = files.Write("model.json", model);

        using var encrypted = new MemoryStream();
        var outcome = await Verifier.RunAsync(package, workPath, encrypted);
        var stamped = outcome.Should().BeOfType<WorkStamped>().Subject;
        stamped.Detail.Should().Contain("accuracy");
        stamped.Encryption.WorkHash.Should().Be(WorkHash.Compute(new MemoryStream(encrypted.ToArray())));

        // Step 7 at c, then step 11 with the key sp reveals.
        var terms = package.Terms;
        await DeliveryCheck.CheckAsync(terms, stamped.Stamp, new MemoryStream(encrypted.ToArray()));
        using var decrypted = new MemoryStream();
        await RevealedKey.DecryptWorkAsync(terms, TestTerms.WorkKey().ExportPrivateKey(), new MemoryStream(encrypted.ToArray()), decrypted,
            stamped.Stamp.WorkHash);
        Encoding.UTF8.GetString(decrypted.ToArray()).Should().Be(model);
    }

    [Fact]
    public async Task A_non_compliant_work_gets_a_reason_and_nothing_else()
    {
        using var package = Package(minAccuracy: 0.9);
        using var files = new TempFiles();
        using var encrypted = new MemoryStream();
        var good = ClassifierTests.TrainedModel();
        var inverted = good with { Weights = good.Weights.Select(w => -w).ToArray(), Bias = -good.Bias };
        var outcome = await Verifier.RunAsync(package, files.Write("model.json", inverted.ToJson()), encrypted);
        outcome.Should().BeOfType<SlaViolation>().Which.Reason.Should().Contain("required >= 0.9");
        encrypted.Length.Should().Be(0);
    }

    [Fact]
    public async Task Stream_input_is_spooled_and_checked_the_same_way()
    {
        using var package = Package();
        using var encrypted = new MemoryStream();
        var outcome = await Verifier.RunAsync(package, new MemoryStream(Encoding.UTF8.GetBytes(ClassifierTests.TrainedModel().ToJson())), encrypted);
        outcome.Compliant.Should().BeTrue();
        var bad = await Verifier.RunAsync(package, new MemoryStream("not a model"u8.ToArray()), Stream.Null);
        bad.Should().BeOfType<SlaViolation>();
    }

    [Fact]
    public void Package_keeps_sk_out_of_its_string_form_and_refuses_bad_inputs()
    {
        using var package = Package();
        package.ToString().Should().NotContain(TestKeys.Anvil2[2..]);
        package.ToJson().Should().Contain(TestKeys.Anvil2[2..]); // the document itself carries sk_c, by design

        using var other = DisposableKeyPair.Generate();
        FluentActions.Invoking(() => VerifierPackage.Build(package.Terms, other, package.Assets)).Should().Throw<InvalidOperationException>();
        FluentActions.Invoking(() => VerifierPackage.Build(package.Terms, TestTerms.VerifierKey(), new Dictionary<string, byte[]>()))
            .Should().Throw<FormatException>().WithMessage("*missing*");

        var json = package.ToJson();
        var swappedTestSet = json.Replace(Convert.ToBase64String(TestSet), Convert.ToBase64String(Encoding.UTF8.GetBytes(SyntheticData.Csv(200, seed: 9))));
        FluentActions.Invoking(() => VerifierPackage.FromJson(swappedTestSet)).Should().Throw<FormatException>().WithMessage("*SHA-256*");
        FluentActions.Invoking(() => VerifierPackage.FromJson(json.Replace("\"version\":1", "\"version\":2")))
            .Should().Throw<FormatException>().WithMessage("*version*");
        FluentActions.Invoking(() => VerifierPackage.FromJson("{}")).Should().Throw<FormatException>();
    }
}
