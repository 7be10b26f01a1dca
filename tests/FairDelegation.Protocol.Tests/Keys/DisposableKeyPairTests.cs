using FairDelegation.Chain.Crypto;
using FairDelegation.Protocol.Keys;

namespace FairDelegation.Protocol.Tests.Keys;

public class DisposableKeyPairTests
{
    [Fact]
    public void Generated_pairs_are_valid_distinct_and_satisfy_P()
    {
        using var a = DisposableKeyPair.Generate();
        using var b = DisposableKeyPair.Generate();
        a.Address.Should().NotBe(b.Address);
        DisposableKeyPair.Matches(a.PublicKey, a.ExportPrivateKey()).Should().BeTrue();
        DisposableKeyPair.Matches(a.PublicKey, b.ExportPrivateKey()).Should().BeFalse();
        DisposableKeyPair.Matches(a.Address, a.ExportPrivateKey()).Should().BeTrue();
        DisposableKeyPair.Matches(a.PublicKey, new byte[32]).Should().BeFalse();
        DisposableKeyPair.Matches(a.PublicKey, new byte[5]).Should().BeFalse();
    }

    [Fact]
    public void Serializes_through_hex_and_keeps_the_key_out_of_ToString()
    {
        using var pair = TestKeys.Pair(TestKeys.Anvil0);
        pair.Address.ToString().Should().Be("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
        pair.ExportPrivateKeyHex().Should().Be(TestKeys.Anvil0);
        pair.ToString().Should().Contain(pair.Address.ToString()).And.NotContain("ac0974bec");
        PublicKey.Parse(pair.PublicKey.ToHex()).Should().Be(pair.PublicKey);
        PublicKey.Parse("0x04" + pair.PublicKey.ToHex()[2..]).Should().Be(pair.PublicKey);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0x1234")]
    [InlineData("0xzz0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")]
    [InlineData("0x0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")]
    public void Malformed_private_keys_are_rejected_without_echoing_them(string hex)
    {
        var e = FluentActions.Invoking(() => DisposableKeyPair.FromPrivateKeyHex(hex)).Should().Throw<FormatException>().Which;
        e.Message.Should().Contain("private key");
        if (hex.Length > 10) e.Message.Should().NotContain(hex[4..20]);
    }

    [Fact]
    public void Disposed_pairs_no_longer_hand_out_the_key()
    {
        var pair = DisposableKeyPair.Generate();
        pair.Dispose();
        FluentActions.Invoking(() => pair.ExportPrivateKey()).Should().Throw<ObjectDisposedException>();
        FluentActions.Invoking(() => pair.Sign(new byte[32])).Should().Throw<ObjectDisposedException>();
    }

    [Fact]
    public void Signs_hashes_that_recover_to_its_public_key()
    {
        using var pair = DisposableKeyPair.Generate();
        var hash = Keccak256.HashUtf8("x");
        Secp256k1.RecoverPublicKey(hash, pair.Sign(hash)).Should().Equal(pair.PublicKey.Bytes.ToArray());
    }
}
