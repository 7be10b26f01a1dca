using FairDelegation.Chain.Crypto;

namespace FairDelegation.Chain.Rpc;

/// <summary>
/// A block's logs bloom (yellow paper, 4.4.3): 2048 bits; every log sets three bits for its address and three for each
/// topic, taken from the keccak of the value. A clear bit proves the block has no such log, so a watcher skips
/// eth_getLogs for blocks that cannot hold its contract's events; a set bit may be a false positive.
/// </summary>
public static class LogsBloom
{
    /// <summary>False only when the block certainly has no log of <paramref name="address"/> (with one of <paramref name="topic0"/>, if given). An empty bloom answers true.</summary>
    public static bool MayContain(byte[] bloom, EthereumAddress address, IReadOnlyList<string>? topic0 = null)
    {
        if (bloom.Length != 256) return true;
        if (!Has(bloom, address.ToBytes())) return false;
        return topic0 is not { Count: > 0 } || topic0.Any(t => Has(bloom, Hex.Decode(t)));
    }

    private static bool Has(byte[] bloom, byte[] value)
    {
        var hash = Keccak256.Hash(value.AsSpan());
        for (var i = 0; i < 6; i += 2)
        {
            var bit = ((hash[i] << 8) | hash[i + 1]) & 2047;
            if ((bloom[255 - bit / 8] & (1 << (bit % 8))) == 0) return false;
        }
        return true;
    }
}
