using System.Numerics;
using FairDelegation.Chain.Crypto;
using FairDelegation.Protocol.Market;

namespace FairDelegation.Protocol.Tests.Market;

/// <summary>Addresses and records shared by the market tests.</summary>
internal static class MarketFixtures
{
    public const string Service = "train-linear-model";
    public static readonly EthereumAddress Eth = EthereumAddress.Zero;
    public static readonly EthereumAddress Token = Address(0x70CE);

    public static EthereumAddress Address(int n)
    {
        var b = new byte[20];
        BitConverter.GetBytes(n).CopyTo(b, 0);
        b[19] = 0x01;
        return EthereumAddress.FromBytes(b);
    }

    public static MarketOffer Offer(BigInteger price, EthereumAddress? token = null, PriceBasis basis = PriceBasis.PerTask, ulong maxUnits = 0,
        string service = Service) => new(service, token ?? Eth, price, basis, maxUnits, 0);

    public static DirectoryEntry Entry(int n, BigInteger price, BigInteger? stake = null, EthereumAddress? payee = null) =>
        new(Address(n), $"http://provider-{n}.example", payee ?? Address(1000 + n), [Offer(price)], stake ?? BigInteger.Pow(10, 17), true, null);

    public static LogPosition At(long block, int index = 0) => new(block, index);
}
