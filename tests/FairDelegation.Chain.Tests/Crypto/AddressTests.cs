using FairDelegation.Chain.Crypto;

namespace FairDelegation.Chain.Tests.Crypto;

public class AddressTests
{
    [Fact]
    public async Task Address_of_each_key_matches_cast_wallet_address()
    {
        foreach (var key in Keys.All)
        {
            var ours = EthereumAddress.FromPrivateKey(Keys.Bytes(key)).ToString();
            (await Cast.RunAsync("wallet", "address", "--private-key", key)).Should().Be(ours);
        }
    }

    [Fact]
    public void Anvil_dev_key_has_its_known_address() =>
        EthereumAddress.FromPrivateKey(Keys.Bytes(Keys.Anvil0)).ToString()
            .Should().Be("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");

    [Theory]
    // The EIP-55 specification's examples.
    [InlineData("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")]
    [InlineData("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359")]
    [InlineData("0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB")]
    [InlineData("0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb")]
    [InlineData("0x52908400098527886E0F7030069857D2E4169EE7")]
    [InlineData("0xde709f2102306220921060314715629080e2fb77")]
    public void Eip55_examples_round_trip(string text)
    {
        var a = EthereumAddress.Parse(text);
        if (text.Any(char.IsUpper) && text.Skip(2).Any(char.IsLower)) a.ToString().Should().Be(text);
        EthereumAddress.Parse(a.ToString()).Should().Be(a);
        EthereumAddress.Parse(a.ToLowerHex()).Should().Be(a);
    }

    [Fact]
    public void Lower_and_upper_case_forms_parse_without_a_checksum()
    {
        var a = EthereumAddress.Parse("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed");
        EthereumAddress.Parse("0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED").Should().Be(a);
        a.ToString().Should().Be("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
    }

    [Theory]
    [InlineData("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD")] // last letter's case flipped
    [InlineData("0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")]
    public void Mixed_case_with_a_wrong_checksum_is_rejected(string text) =>
        FluentActions.Invoking(() => EthereumAddress.Parse(text)).Should().Throw<FormatException>().WithMessage("*checksum*");

    [Theory]
    [InlineData("")]
    [InlineData("0x")]
    [InlineData("5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")]
    [InlineData("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeA")]
    [InlineData("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAedff")]
    [InlineData("0xZZAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")]
    public void Malformed_addresses_are_rejected(string text)
    {
        FluentActions.Invoking(() => EthereumAddress.Parse(text)).Should().Throw<FormatException>();
        EthereumAddress.TryParse(text, out _).Should().BeFalse();
    }

    [Fact]
    public void Public_key_accepts_64_and_65_byte_and_compressed_forms()
    {
        var pub = Secp256k1.PublicKeyFromPrivateKey(Keys.Bytes(Keys.Anvil0));
        pub.Should().HaveCount(64);
        var expected = EthereumAddress.FromPublicKey(pub);
        EthereumAddress.FromPublicKey([0x04, .. pub]).Should().Be(expected);
        byte[] compressed = [(byte)(0x02 | (pub[63] & 1)), .. pub[..32]];
        EthereumAddress.FromPublicKey(compressed).Should().Be(expected);
    }

    [Fact]
    public void Invalid_public_keys_and_private_keys_are_rejected()
    {
        var offCurve = new byte[64];
        offCurve[31] = 1;
        offCurve[63] = 1;
        FluentActions.Invoking(() => EthereumAddress.FromPublicKey(offCurve)).Should().Throw<FormatException>();
        FluentActions.Invoking(() => EthereumAddress.FromPublicKey(new byte[63])).Should().Throw<FormatException>();
        Secp256k1.IsValidPrivateKey(new byte[32]).Should().BeFalse();
        Secp256k1.IsValidPrivateKey(Hex.Decode("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")).Should().BeFalse();
        var e = FluentActions.Invoking(() => Secp256k1.PublicKeyFromPrivateKey(new byte[32])).Should().Throw<FormatException>().Which;
        e.Message.Should().NotContain("0000000000");
    }
}
