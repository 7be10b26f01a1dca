using System.Text.Json;
using FairDelegation.Chain.Crypto;
using FairDelegation.Protocol.Keys;

namespace FairDelegation.Cli.Tests;

public class KeysCommandTests
{
    [Fact]
    public async Task Keys_new_prints_a_consistent_fresh_pair()
    {
        var a = (await Cli.RunAsync("keys", "new")).EnsureSuccess();
        var b = (await Cli.RunAsync("keys", "new")).EnsureSuccess();
        using var doc = JsonDocument.Parse(a.StdOut);
        var sk = doc.RootElement.GetProperty("privateKey").GetString()!;
        var pk = doc.RootElement.GetProperty("publicKey").GetString()!;
        var address = doc.RootElement.GetProperty("address").GetString()!;
        sk.Should().MatchRegex("^0x[0-9a-f]{64}$");
        pk.Should().MatchRegex("^0x[0-9a-f]{128}$");
        using var pair = DisposableKeyPair.FromPrivateKeyHex(sk);
        pair.PublicKey.ToHex().Should().Be(pk);
        EthereumAddress.Parse(address).Should().Be(pair.Address);
        address.Should().Be(pair.Address.ToString(), "printed with its EIP-55 checksum");
        b.StdOut.Should().NotContain(sk);
    }
}
