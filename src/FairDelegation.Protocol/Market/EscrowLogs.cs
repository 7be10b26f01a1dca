using FairDelegation.Chain.Crypto;
using FairDelegation.Chain.Escrow.Messages;
using Nethereum.Contracts;
using Nethereum.RPC.Eth.DTOs;

namespace FairDelegation.Protocol.Market;

/// <summary>
/// Turns the escrow's logs into the <see cref="EscrowFact"/>s reputation reads. Logs carry no time: the caller gives
/// the timestamp of each block (from eth_getBlockByNumber, or the block headers its watcher already holds).
/// </summary>
public static class EscrowLogs
{
    public static IEnumerable<EscrowFact> Decode(IEnumerable<FilterLog> logs, IReadOnlyDictionary<long, long> blockTimes)
    {
        foreach (var log in logs)
        {
            if (log.Removed) continue;
            var block = (long)log.BlockNumber.Value;
            var at = new LogPosition(block, (int)log.LogIndex.Value);
            var time = blockTimes.TryGetValue(block, out var t) ? t : throw new ArgumentException($"no timestamp given for block {block}");
            if (log.IsLogForEvent<EscrowOpenedEventDto>())
            {
                var e = log.DecodeEvent<EscrowOpenedEventDto>().Event;
                yield return new EscrowOpenedFact(Address(e.WorkKey), at, time, Address(e.Customer), Address(e.Payee), e.Amount,
                    EthereumAddress.Zero, (long)e.Deadline);
            }
            else if (log.IsLogForEvent<TokenEscrowOpenedEventDto>())
            {
                var e = log.DecodeEvent<TokenEscrowOpenedEventDto>().Event;
                yield return new EscrowOpenedFact(Address(e.WorkKey), at, time, Address(e.Customer), Address(e.Payee), e.Amount,
                    Address(e.Token), (long)e.Deadline);
            }
            else if (log.IsLogForEvent<KeyRevealedEventDto>())
                yield return new EscrowClaimedFact(Address(log.DecodeEvent<KeyRevealedEventDto>().Event.WorkKey), at, time);
            else if (log.IsLogForEvent<RefundedEventDto>())
                yield return new EscrowRefundedFact(Address(log.DecodeEvent<RefundedEventDto>().Event.WorkKey), at, time);
        }
    }

    private static EthereumAddress Address(string hex) => EthereumAddress.Parse(hex);
}
