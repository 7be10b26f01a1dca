using System.Numerics;
using FairDelegation.Chain.Crypto;

namespace FairDelegation.Protocol.Market;

/// <summary>How an offer's price is counted (FairDelegationRegistry.Basis; the values are the contract's).</summary>
public enum PriceBasis
{
    /// <summary>The price is the wage of one delegation, whatever its size.</summary>
    PerTask = 0,

    /// <summary>The price is per unit of work (the unit is the service's, e.g. one training epoch).</summary>
    PerUnit = 1,
}

/// <summary>
/// One service a registered provider sells (FairDelegationRegistry.Offer): the price in wei or token base units, the
/// currency (<see cref="EthereumAddress.Zero"/> for ETH, else an ERC-20 token) and the limits (0 = no limit).
/// </summary>
public sealed record MarketOffer(string Service, EthereumAddress Token, BigInteger Price, PriceBasis Basis, ulong MaxUnits, uint MaxConcurrent)
{
    public bool IsEth => Token == EthereumAddress.Zero;

    /// <summary>Whether one delegation of <paramref name="units"/> units fits the offer's limit.</summary>
    public bool Accepts(ulong units) => units > 0 && (MaxUnits == 0 || units <= MaxUnits);

    /// <summary>The wage of one delegation of <paramref name="units"/> units.</summary>
    public BigInteger WageFor(ulong units) => Basis == PriceBasis.PerTask ? Price : Price * units;

    /// <summary>"ETH" or the token's address, as the CLI and the API print a currency.</summary>
    public string CurrencyName => IsEth ? "ETH" : Token.ToString();
}
