using FairDelegation.Chain.Crypto;
using FairDelegation.Chain.Escrow;
using FairDelegation.Chain.Rpc;
using FairDelegation.Protocol.Market;

namespace FairDelegation.Node.Market;

/// <summary>The market as the chain shows it at one moment: the directory, every payee's record, and the chain's time.</summary>
public sealed record MarketSnapshot(IReadOnlyList<DirectoryEntry> Entries, IReadOnlyDictionary<EthereumAddress, ProviderReputation> Reputations,
    long ChainTime, long Block)
{
    public ProviderReputation ReputationOf(DirectoryEntry e) => Reputations.GetValueOrDefault(e.Payee) ?? ProviderReputation.Empty(e.Payee);
}

/// <summary>
/// Reads the market from the chain alone: the registry's events make the directory, the escrow's events each payee's
/// record (docs/market.md). One-shot reads of a block range, for the CLI and the dashboard; a node that follows the
/// market continuously feeds the same <see cref="ProviderDirectory"/> from the reorg-aware watcher instead.
/// </summary>
public sealed class MarketReader(EthRpcClient rpc, EthereumAddress registry, EthereumAddress? escrow)
{
    public EthereumAddress Registry => registry;

    public async Task<MarketSnapshot> ReadAsync(long fromBlock = 0, CancellationToken ct = default)
    {
        var head = await rpc.GetLatestBlockAsync(ct);
        var registryLogs = await rpc.GetLogsAsync(new LogFilter(registry, fromBlock, head.Number), ct);
        var directory = new ProviderDirectory();
        directory.Apply(RegistryLogs.Decode(registryLogs.Select(EscrowContract.ToFilterLog)));

        IReadOnlyDictionary<EthereumAddress, ProviderReputation> reputations = new Dictionary<EthereumAddress, ProviderReputation>();
        if (escrow is not null)
        {
            var escrowLogs = await rpc.GetLogsAsync(new LogFilter(escrow, fromBlock, head.Number), ct);
            var times = new Dictionary<long, long>();
            foreach (var number in escrowLogs.Select(l => l.BlockNumber).Distinct())
                times[number] = (await rpc.GetBlockAsync(number, ct) ?? throw new InvalidOperationException($"block {number} is gone (a reorganisation): read again")).Timestamp;
            reputations = ReputationBook.Compute(EscrowLogs.Decode(escrowLogs.Select(EscrowContract.ToFilterLog), times), head.Timestamp);
        }
        return new MarketSnapshot(directory.All(), reputations, head.Timestamp, head.Number);
    }
}
