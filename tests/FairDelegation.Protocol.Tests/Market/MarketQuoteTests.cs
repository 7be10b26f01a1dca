using System.Numerics;
using FairDelegation.Chain.Crypto;
using FairDelegation.Protocol.Market;
using FairDelegation.Protocol.Serialization;
using FairDelegation.Testing;
using static FairDelegation.Protocol.Tests.Market.MarketFixtures;

namespace FairDelegation.Protocol.Tests.Market;

public class MarketQuoteTests
{
    private static readonly BigInteger ChainId = 31337;
    private static readonly EthereumAddress Registry = Address(4242);
    private static readonly Bytes32 RequestId = Bytes32.Parse("0x" + string.Concat(Enumerable.Repeat("ab", 32)));
    private static readonly MarketRequest Request = new(Service, Eth, 3, 1000);

    private static (MarketQuote Quote, EthereumAddress Provider, EthereumAddress Customer) Signed(BigInteger? wage = null, long expiresAt = 5000,
        string key = TestKeys.Anvil1)
    {
        var sk = TestKeys.Bytes(key);
        var provider = EthereumAddress.FromPrivateKey(sk);
        var customer = EthereumAddress.FromPrivateKey(TestKeys.Bytes(TestKeys.Anvil0));
        var quote = MarketQuote.Sign(ChainId, Registry, provider, customer, Service, Eth, 3, wage ?? 900, expiresAt, RequestId,
            digest => Secp256k1.Sign(digest, sk));
        return (quote, provider, customer);
    }

    [Fact]
    public void A_quote_signed_by_the_provider_for_this_request_is_accepted_and_recovers_to_it()
    {
        var (q, provider, customer) = Signed();
        q.RecoverSigner(ChainId, Registry).Should().Be(provider);
        q.Rejection(ChainId, Registry, provider, customer, Request, RequestId, now: 4999).Should().BeNull();
    }

    [Fact]
    public void Expired_dear_misdirected_or_forged_quotes_are_refused_with_a_reason()
    {
        var (q, provider, customer) = Signed();
        q.Rejection(ChainId, Registry, provider, customer, Request, RequestId, now: 5000).Should().Contain("expired");
        Signed(wage: 1001).Quote.Rejection(ChainId, Registry, provider, customer, Request, RequestId, 0).Should().Contain("above the maximum");
        q.Rejection(ChainId, Registry, provider, Address(1), Request, RequestId, 0).Should().Contain("for customer");
        q.Rejection(ChainId, Registry, provider, customer, Request with { Units = 4 }, RequestId, 0).Should().Contain("units");
        q.Rejection(ChainId, Registry, provider, customer, Request, Bytes32.Random(), 0).Should().Contain("another request");
        q.Rejection(ChainId + 1, Registry, provider, customer, Request, RequestId, 0).Should().Contain("signed by");
        (q with { Wage = 10 }).Rejection(ChainId, Registry, provider, customer, Request, RequestId, 0).Should().Contain("signed by");
        var (other, _, _) = Signed(key: TestKeys.Anvil2);
        (other with { Provider = provider }).Rejection(ChainId, Registry, provider, customer, Request, RequestId, 0).Should().Contain("signed by");
        q.Rejection(ChainId, Registry, Address(3), customer, Request, RequestId, 0).Should().Contain("names provider");
    }

    [Fact]
    public async Task Quote_signature_equals_cast_wallet_sign_of_the_typed_data()
    {
        var (q, provider, customer) = Signed();
        var json = MarketQuote.TypedData(ChainId, Registry, provider, customer, Service, Eth, 3, 900, 5000, RequestId).ToJson();
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, json);
            var cast = (await ProcessRunner.RunAsync(RepoPaths.Cast,
                ["wallet", "sign", "--data", "--from-file", file, "--private-key", TestKeys.Anvil1])).EnsureSuccess().StdOut.Trim();
            cast.Should().Be(q.Signature.ToHex());
        }
        finally { File.Delete(file); }
    }
}
