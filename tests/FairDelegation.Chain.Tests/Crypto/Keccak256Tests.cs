using System.Text;
using FairDelegation.Chain.Crypto;

namespace FairDelegation.Chain.Tests.Crypto;

public class Keccak256Tests
{
    [Fact]
    public void Empty_input_has_the_well_known_hash() =>
        Hex.Encode(Keccak256.Hash(ReadOnlySpan<byte>.Empty))
            .Should().Be("0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");

    [Theory]
    [InlineData("")]
    [InlineData("00")]
    [InlineData("68656c6c6f")]
    [InlineData("19014f")]
    public async Task Matches_cast_keccak_on_hex_input(string hex)
    {
        var ours = Hex.Encode(Keccak256.Hash(Convert.FromHexString(hex)));
        (await Cast.RunAsync("keccak", "0x" + hex)).Should().Be(ours);
    }

    [Fact]
    public async Task Matches_cast_keccak_across_the_rate_boundary()
    {
        // 135, 136 and 137 bytes straddle Keccak-256's 136-byte rate, where padding bugs show.
        foreach (var length in new[] { 135, 136, 137, 1000 })
        {
            var data = Enumerable.Range(0, length).Select(i => (byte)(i * 7 + 3)).ToArray();
            (await Cast.RunAsync("keccak", Hex.Encode(data))).Should().Be(Hex.Encode(Keccak256.Hash(data)), $"length {length}");
        }
    }

    [Fact]
    public void Parts_overload_equals_hash_of_concatenation()
    {
        var a = Encoding.UTF8.GetBytes("fair");
        var b = Encoding.UTF8.GetBytes("delegation");
        Keccak256.Hash(a, b).Should().Equal(Keccak256.Hash(a.Concat(b).ToArray()));
    }
}
