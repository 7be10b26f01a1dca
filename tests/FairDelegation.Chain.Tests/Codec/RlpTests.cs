using System.Numerics;
using FairDelegation.Chain.Crypto;
using R = FairDelegation.Chain.Rlp.Rlp;

namespace FairDelegation.Chain.Tests.Codec;

/// <summary>The examples of the RLP specification (ethereum.org, yellow paper appendix B).</summary>
public class RlpTests
{
    private static string H(byte[] b) => Hex.Encode(b);
    private static byte[] S(string s) => System.Text.Encoding.ASCII.GetBytes(s);

    [Fact]
    public void Specification_examples()
    {
        H(R.EncodeBytes(S("dog"))).Should().Be("0x83646f67");
        H(R.EncodeList(R.EncodeBytes(S("cat")), R.EncodeBytes(S("dog")))).Should().Be("0xc88363617483646f67");
        H(R.EncodeBytes([])).Should().Be("0x80");
        H(R.EncodeList()).Should().Be("0xc0");
        H(R.EncodeUInt(0)).Should().Be("0x80");
        H(R.EncodeBytes([0x00])).Should().Be("0x00");
        H(R.EncodeUInt(15)).Should().Be("0x0f");
        H(R.EncodeUInt(1024)).Should().Be("0x820400");
        // [ [], [[]], [ [], [[]] ] ]
        var empty = R.EncodeList();
        H(R.EncodeList(empty, R.EncodeList(empty), R.EncodeList(empty, R.EncodeList(empty)))).Should().Be("0xc7c0c1c0c3c0c1c0");
        var lorem = "Lorem ipsum dolor sit amet, consectetur adipisicing elit";
        H(R.EncodeBytes(S(lorem))).Should().Be("0xb838" + Convert.ToHexStringLower(S(lorem)));
    }

    [Fact]
    public void Decode_inverts_encode_for_nested_lists_and_long_strings()
    {
        var big = new byte[300];
        new Random(1).NextBytes(big);
        var encoded = R.EncodeList(R.EncodeUInt(BigInteger.Parse("123456789012345678901234567890")), R.EncodeBytes(big), R.EncodeList(R.EncodeBytes(S("x"))));
        var item = R.Decode(encoded);
        item.Items!.Count.Should().Be(3);
        item.Items[0].AsUInt().Should().Be(BigInteger.Parse("123456789012345678901234567890"));
        item.Items[1].Value.Should().Equal(big);
        item.Items[2].Items![0].Value.Should().Equal(S("x"));
    }

    [Fact]
    public void Decode_rejects_truncated_and_trailing_input()
    {
        FluentActions.Invoking(() => R.Decode(Hex.Decode("0x83646f"))).Should().Throw<FormatException>();
        FluentActions.Invoking(() => R.Decode(Hex.Decode("0x83646f6700"))).Should().Throw<FormatException>();
    }
}
