using FairDelegation.Chain.Crypto;
using FairDelegation.Protocol.Encryption;
using FairDelegation.Protocol.Stamps;
using FairDelegation.Testing;

namespace FairDelegation.Protocol.Tests.Stamps;

public class StampTests
{
    private static readonly WorkHash Hash = WorkHash.Parse("0x" + string.Concat(Enumerable.Repeat("5a", 32)));

    [Fact]
    public void Stamp_recovers_to_the_verifier_key_and_round_trips_as_json()
    {
        var terms = TestTerms.Create();
        using var sk = TestTerms.VerifierKey();
        var stamp = Stamp.Sign(terms, Hash, sk);
        stamp.AgreementId.Should().Be(terms.AgreementId);
        stamp.RecoverSigner(terms.ChainId, terms.Escrow).Should().Be(terms.VerifierKey);
        var back = Stamp.FromJson(stamp.ToJson());
        back.Should().Be(stamp);
        back.RecoverSigner(terms.ChainId, terms.Escrow).Should().Be(terms.VerifierKey);
        // Another domain (chain or escrow) recovers someone else: the stamp is bound to its deployment.
        stamp.RecoverSigner(1, terms.Escrow).Should().NotBe(terms.VerifierKey);
        stamp.RecoverSigner(terms.ChainId, terms.Customer).Should().NotBe(terms.VerifierKey);
    }

    [Fact]
    public async Task Stamp_signature_equals_cast_wallet_sign_of_the_typed_data()
    {
        var terms = TestTerms.Create();
        using var sk = TestTerms.VerifierKey();
        var stamp = Stamp.Sign(terms, Hash, sk);
        var json = Stamp.TypedData(terms.ChainId, terms.Escrow, stamp.AgreementId, Hash, terms.WorkKey, terms.Wage).ToJson();
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, json);
            var cast = (await ProcessRunner.RunAsync(RepoPaths.Cast,
                ["wallet", "sign", "--data", "--from-file", file, "--private-key", TestKeys.Anvil2])).EnsureSuccess().StdOut.Trim();
            cast.Should().Be(stamp.Signature.ToHex());
        }
        finally { File.Delete(file); }
    }

    [Fact]
    public void Only_the_terms_verifier_key_may_sign()
    {
        using var other = TestKeys.Pair(TestKeys.Anvil0);
        FluentActions.Invoking(() => Stamp.Sign(TestTerms.Create(), Hash, other)).Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void Malformed_stamp_json_is_rejected()
    {
        var json = Stamp.Sign(TestTerms.Create(), Hash, TestTerms.VerifierKey()).ToJson();
        FluentActions.Invoking(() => Stamp.FromJson(json.Replace("\"signature\":\"0x", "\"signature\":\"0x00"))).Should().Throw<FormatException>();
        FluentActions.Invoking(() => Stamp.FromJson("{}")).Should().Throw<FormatException>();
        FluentActions.Invoking(() => Stamp.FromJson("not json")).Should().Throw<FormatException>();
    }
}
