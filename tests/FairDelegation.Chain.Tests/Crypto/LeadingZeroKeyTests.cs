using FairDelegation.Chain.Crypto;

namespace FairDelegation.Chain.Tests.Crypto;

/// <summary>
/// Keys whose first bytes are zero: the case Nethereum's own libsecp256k1 switch gets wrong (it trims the key). Our
/// adapter must give cast's address and cast's signature for them.
/// </summary>
public class LeadingZeroKeyTests
{
    [Theory]
    [InlineData("0x00a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f")]
    [InlineData("0x0000c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f01")]
    [InlineData("0x0000000000000000000000000000000000000000000000000000000000000001")]
    public async Task Address_and_signature_equal_cast(string key)
    {
        var sk = Hex.Decode(key, "key");
        EthereumAddress.FromPrivateKey(sk).ToString()
            .Should().Be(await Cast.RunAsync("wallet", "address", "--private-key", key));

        var hash = Keccak256.HashUtf8("leading zero " + key);
        var ours = Secp256k1.Sign(hash, sk);
        var theirs = await Cast.RunAsync("wallet", "sign", "--no-hash", "--private-key", key, Hex.Encode(hash));
        ours.ToHex().Should().Be(theirs);
        Secp256k1.RecoverAddress(hash, ours).Should().Be(EthereumAddress.FromPrivateKey(sk));
        Secp256k1.Sign(hash, sk).Should().Be(BouncyCastleSecp256k1.Sign(hash, sk));
    }
}
