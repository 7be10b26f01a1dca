using System.Globalization;
using FairDelegation.Chain.Crypto;
using FairDelegation.Protocol.Agreements;
using FairDelegation.Protocol.Sla;
using FairDelegation.Testing;

namespace FairDelegation.Protocol.Tests.Agreements;

public class AgreementTermsTests
{
    [Fact]
    public async Task Agreement_id_is_keccak_of_the_details_hash_and_work_key_as_cast_computes_them()
    {
        var t = TestTerms.Create();
        var args = new[]
        {
            "abi-encode",
            "f(bytes32,uint256,address,address,address,address,uint256,uint64,uint64,bytes32,bytes32,bytes32,bytes32)",
            Hex.Encode(AgreementTerms.TypeTag), t.ChainId.ToString(CultureInfo.InvariantCulture), t.Escrow.ToString(),
            t.Customer.ToString(), t.Payee.ToString(), t.VerifierKey.ToString(),
            t.Wage.ToString(CultureInfo.InvariantCulture), t.DeliveryDeadline.ToString(CultureInfo.InvariantCulture),
            t.EscrowDeadline.ToString(CultureInfo.InvariantCulture), Hex.Encode(Keccak256.HashUtf8(t.Service)),
            t.Sla.Hash().ToHex(), t.InputHash.ToHex(), t.Nonce.ToHex(),
        };
        var encoded = (await ProcessRunner.RunAsync(RepoPaths.Cast, args)).EnsureSuccess().StdOut.Trim();
        encoded.Should().Be(Hex.Encode(t.DetailsEncoding()));
        var details = (await ProcessRunner.RunAsync(RepoPaths.Cast, ["keccak", encoded])).EnsureSuccess().StdOut.Trim();
        details.Should().Be(t.DetailsHash.ToHex());
        var pair = (await ProcessRunner.RunAsync(RepoPaths.Cast, ["abi-encode", "f(bytes32,address)", details, t.WorkKey.ToString()])).EnsureSuccess().StdOut.Trim();
        var id = (await ProcessRunner.RunAsync(RepoPaths.Cast, ["keccak", pair])).EnsureSuccess().StdOut.Trim();
        id.Should().Be(t.AgreementId.ToHex());
        Hex.Encode(AgreementTerms.TypeTag).Should().Be(
            (await ProcessRunner.RunAsync(RepoPaths.Cast, ["keccak", "FairDelegation.AgreementTerms.v2"])).StdOut.Trim());
    }

    [Fact]
    public void The_details_hash_leaves_out_the_work_key_which_the_id_binds()
    {
        var t = TestTerms.Create();
        var otherKey = t with { WorkPublicKey = TestKeys.Pair(TestKeys.Anvil0).PublicKey };
        otherKey.DetailsHash.Should().Be(t.DetailsHash);
        otherKey.AgreementId.Should().NotBe(t.AgreementId);
        t.AgreementId.ToArray().Should().Equal(FairDelegation.Chain.Escrow.EscrowContract.AgreementIdOf(t.DetailsHash.Bytes, t.WorkKey));
    }

    [Fact]
    public void Every_term_changes_the_id()
    {
        var t = TestTerms.Create();
        var variants = new[]
        {
            t with { ChainId = 1 },
            t with { Escrow = TestTerms.Customer },
            t with { Customer = TestTerms.Escrow },
            t with { Payee = TestTerms.Customer },
            t with { WorkPublicKey = TestKeys.Pair(TestKeys.Anvil0).PublicKey },
            t with { VerifierKey = TestTerms.Payee },
            t with { Wage = t.Wage + 1 },
            t with { DeliveryDeadline = t.DeliveryDeadline - 1 },
            t with { EscrowDeadline = t.EscrowDeadline + 1 },
            t with { Service = "other" },
            t with { Sla = new MaxBytesSla(1) },
            t with { InputHash = Serialization.Bytes32.Zero },
            t with { Nonce = Serialization.Bytes32.Random() },
        };
        variants.Select(v => v.AgreementId).Should().OnlyHaveUniqueItems().And.NotContain(t.AgreementId);
        variants.Where(v => v.WorkKey == t.WorkKey).Select(v => v.DetailsHash).Should().OnlyHaveUniqueItems().And.NotContain(t.DetailsHash);
    }

    [Fact]
    public void Json_round_trips_to_the_same_id()
    {
        var t = TestTerms.Create(new AllOfSla([new MinBytesSla(1), new ContainsSla("x"), new CommandSla(["true"])]));
        var json = t.ToJson(indented: true);
        json.Should().Contain("\"wage\": \"1000000000000000000\"");
        AgreementTerms.FromJson(json).AgreementId.Should().Be(t.AgreementId);
    }

    [Theory]
    [InlineData("\"wage\": \"1000000000000000000\"", "\"wage\": \"0\"", "wage")]
    [InlineData("\"wage\": \"1000000000000000000\"", "\"wage\": \"lots\"", "integer")]
    [InlineData("\"escrowDeadline\": 1900003600", "\"escrowDeadline\": 1800000000", "deadline")]
    [InlineData("\"payee\": \"0x90F79bf6EB2c4f870365E785982E1f101E93b906\"", "\"payee\": \"0x90F79bf6EB2c4f870365E785982E1f101E93B906\"", "checksum")]
    [InlineData("\"kind\": \"max-bytes\"", "\"kind\": \"telepathy\"", "")]
    [InlineData("\"service\": \"train-classifier\",", "\"service\": \"train-classifier\", \"extra\": 1,", "extra")]
    public void Bad_terms_are_rejected_clearly(string from, string to, string message)
    {
        var json = TestTerms.Create().ToJson(indented: true);
        json.Should().Contain(from);
        FluentActions.Invoking(() => AgreementTerms.FromJson(json.Replace(from, to)))
            .Should().Throw<FormatException>().WithMessage($"*{message}*");
    }
}
