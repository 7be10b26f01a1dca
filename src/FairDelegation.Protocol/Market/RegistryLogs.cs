using System.Numerics;
using FairDelegation.Chain.Crypto;
using FairDelegation.Chain.Registry;
using Nethereum.Contracts;
using Nethereum.RPC.Eth.DTOs;

namespace FairDelegation.Protocol.Market;

/// <summary>
/// Turns the registry's logs (Nethereum <see cref="FilterLog"/>s, as eth_getLogs returns them) into
/// <see cref="RegistryEvent"/>s for the <see cref="ProviderDirectory"/>. Logs of other events are skipped.
/// </summary>
public static class RegistryLogs
{
    public static IEnumerable<RegistryEvent> Decode(IEnumerable<FilterLog> logs)
    {
        foreach (var log in logs)
        {
            if (log.Removed) continue;
            var at = new LogPosition((long)log.BlockNumber.Value, (int)log.LogIndex.Value);
            if (log.IsLogForEvent<ProviderRegisteredEventDto>())
            {
                var e = log.DecodeEvent<ProviderRegisteredEventDto>().Event;
                yield return new ProviderRegistered(Address(e.Provider), at, e.Endpoint, Address(e.Payee), Offers(e.Offers), e.Stake);
            }
            else if (log.IsLogForEvent<ProviderUpdatedEventDto>())
            {
                var e = log.DecodeEvent<ProviderUpdatedEventDto>().Event;
                yield return new ProviderUpdated(Address(e.Provider), at, e.Endpoint, Address(e.Payee), Offers(e.Offers));
            }
            else if (log.IsLogForEvent<StakeAddedEventDto>())
            {
                var e = log.DecodeEvent<StakeAddedEventDto>().Event;
                yield return new StakeAdded(Address(e.Provider), at, e.Amount, e.Stake);
            }
            else if (log.IsLogForEvent<ProviderLeftEventDto>())
            {
                var e = log.DecodeEvent<ProviderLeftEventDto>().Event;
                yield return new ProviderLeft(Address(e.Provider), at, (long)e.UnlocksAt);
            }
            else if (log.IsLogForEvent<StakeWithdrawnEventDto>())
            {
                var e = log.DecodeEvent<StakeWithdrawnEventDto>().Event;
                yield return new StakeWithdrawn(Address(e.Provider), at, e.Amount);
            }
        }
    }

    /// <summary>The registry's Offer structs of a record, as the market reads them.</summary>
    public static IReadOnlyList<MarketOffer> Offers(IEnumerable<OfferStruct> offers) =>
        [.. offers.Select(o => new MarketOffer(o.Service, Address(o.Token), o.Price, (PriceBasis)o.Basis, o.MaxUnits, o.MaxConcurrent))];

    /// <summary>The registry's Offer struct of a market offer (what register and update send).</summary>
    public static List<OfferStruct> ToStructs(IEnumerable<MarketOffer> offers) =>
        [.. offers.Select(o => new OfferStruct
        {
            Service = o.Service, Token = o.Token.ToString(), Price = o.Price, Basis = (byte)o.Basis, MaxUnits = o.MaxUnits,
            MaxConcurrent = o.MaxConcurrent,
        })];

    private static EthereumAddress Address(string hex) => EthereumAddress.Parse(hex);
}
