using System.Security.Cryptography;
using System.Text;
using FairDelegation.Protocol.Sla;

namespace FairDelegation.Protocol.Tests.Sla;

public class RuleTests
{
    private static async Task<SlaVerdict> Check(ServiceLevelAgreement sla, byte[] work)
    {
        using var files = new TempFiles();
        // Round-trip through JSON, as a package would carry it.
        var parsed = ServiceLevelAgreement.FromJson(sla.ToJson());
        parsed.Hash().Should().Be(sla.Hash());
        var assets = new Dictionary<string, byte[]>();
        parsed.Validate(assets);
        return await parsed.CheckAsync(new SlaCheckContext(files.Write("work", work), assets));
    }

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    public static TheoryData<ServiceLevelAgreement, byte[], byte[], string> Cases() => new()
    {
        { new MaxBytesSla(5), Utf8("12345"), Utf8("123456"), "more than the maximum" },
        { new MinBytesSla(2), Utf8("12"), Utf8("1"), "less than the minimum" },
        { new Utf8Sla(), Utf8("héllo ✓"), [0x68, 0xC3, 0x28], "not valid UTF-8" },
        { new JsonDocumentSla(), Utf8("{\"a\": [1, 2]}"), Utf8("{\"a\": [1, 2}"), "not valid JSON" },
        { new ContainsSla("needle"), Utf8(new string('x', 100_000) + "needle"), Utf8(new string('x', 100_000) + "needl"), "does not contain" },
        { new RegexSla("^[0-9]+$"), Utf8("12345"), Utf8("12a45"), "does not match" },
        { new Sha256AllowListSla(["0x" + Convert.ToHexStringLower(SHA256.HashData(Utf8("ok")))]), Utf8("ok"), Utf8("ko"), "allow-list" },
        { new AllOfSla([new MinBytesSla(1), new JsonDocumentSla(), new ContainsSla("\"v\"")]), Utf8("{\"v\":1}"), Utf8("{\"w\":1}"), "does not contain" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Each_rule_passes_a_compliant_work_and_rejects_a_non_compliant_one(
        ServiceLevelAgreement sla, byte[] compliant, byte[] violating, string reason)
    {
        (await Check(sla, compliant)).Compliant.Should().BeTrue();
        var verdict = await Check(sla, violating);
        verdict.Compliant.Should().BeFalse();
        verdict.Reason.Should().Contain(reason);
    }

    [Fact]
    public async Task Contains_finds_a_needle_straddling_read_buffers()
    {
        var work = new byte[(1 << 16) - 3].Select(_ => (byte)'x').Concat(Utf8("needle")).ToArray();
        (await Check(new ContainsSla("needle"), work)).Compliant.Should().BeTrue();
    }

    [Fact]
    public void Invalid_rules_and_unknown_kinds_are_rejected()
    {
        FluentActions.Invoking(() => new RegexSla("(").Validate(new Dictionary<string, byte[]>())).Should().Throw<FormatException>();
        FluentActions.Invoking(() => new AllOfSla([]).Validate(new Dictionary<string, byte[]>())).Should().Throw<FormatException>();
        FluentActions.Invoking(() => new Sha256AllowListSla(["abc"]).Validate(new Dictionary<string, byte[]>())).Should().Throw<FormatException>();
        FluentActions.Invoking(() => ServiceLevelAgreement.FromJson("{\"kind\":\"vibes\"}")).Should().Throw<FormatException>();
        FluentActions.Invoking(() => ServiceLevelAgreement.FromJson("{\"maxBytes\":3}")).Should().Throw<FormatException>();
    }

    [Fact]
    public void Canonical_json_is_stable()
    {
        new AllOfSla([new MaxBytesSla(10), new ContainsSla("a")]).ToJson()
            .Should().Be("{\"kind\":\"all-of\",\"all\":[{\"kind\":\"max-bytes\",\"maxBytes\":10},{\"kind\":\"contains\",\"text\":\"a\"}]}");
    }
}
