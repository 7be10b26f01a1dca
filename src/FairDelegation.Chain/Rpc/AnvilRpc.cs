using System.Numerics;
using System.Text.Json.Nodes;
using FairDelegation.Chain.Crypto;

namespace FairDelegation.Chain.Rpc;

/// <summary>Anvil's development methods: time travel, mining, snapshots and reorganisations (tests, demo, bench).</summary>
public static class AnvilRpc
{
    /// <summary>evm_increaseTime: later blocks get timestamps this much later.</summary>
    public static Task IncreaseTimeAsync(this EthRpcClient rpc, long seconds, CancellationToken ct = default) =>
        rpc.RequestAsync("evm_increaseTime", [seconds], ct);

    /// <summary>evm_mine: mines one block now.</summary>
    public static Task MineAsync(this EthRpcClient rpc, CancellationToken ct = default) =>
        rpc.RequestAsync("evm_mine", [], ct);

    /// <summary>anvil_mine: mines several blocks at once.</summary>
    public static Task MineAsync(this EthRpcClient rpc, int blocks, CancellationToken ct = default) =>
        rpc.RequestAsync("anvil_mine", [EthRpcClient.ToQuantity(blocks)], ct);

    /// <summary>evm_snapshot: returns an id to revert to.</summary>
    public static async Task<string> SnapshotAsync(this EthRpcClient rpc, CancellationToken ct = default) =>
        (await rpc.RequestAsync("evm_snapshot", [], ct)).GetString()!;

    /// <summary>evm_revert: rolls the chain back to a snapshot (its blocks vanish: a reorganisation as clients see it).</summary>
    public static async Task<bool> RevertAsync(this EthRpcClient rpc, string snapshotId, CancellationToken ct = default)
    {
        var before = rpc.Heads.Sequence;
        var reverted = (await rpc.RequestAsync("evm_revert", [snapshotId], ct)).GetBoolean();
        rpc.Heads.Invalidate(before); // no header is pushed for a revert: stop trusting the last one
        return reverted;
    }

    /// <summary>anvil_reorg: replaces the last <paramref name="depth"/> blocks with new (empty) ones.</summary>
    public static async Task ReorgAsync(this EthRpcClient rpc, int depth, CancellationToken ct = default)
    {
        var before = rpc.Heads.Sequence;
        await rpc.RequestAsync("anvil_reorg", [depth, new JsonArray()], ct);
        rpc.Heads.Invalidate(before); // read-your-writes: the new branch's header may not have been pushed yet
    }

    /// <summary>anvil_setBalance.</summary>
    public static Task SetBalanceAsync(this EthRpcClient rpc, EthereumAddress address, BigInteger wei, CancellationToken ct = default) =>
        rpc.RequestAsync("anvil_setBalance", [address.ToLowerHex(), EthRpcClient.ToQuantity(wei)], ct);

    /// <summary>evm_setAutomine: when off, transactions wait in the pool until a block is mined.</summary>
    public static Task SetAutomineAsync(this EthRpcClient rpc, bool on, CancellationToken ct = default) =>
        rpc.RequestAsync("evm_setAutomine", [on], ct);

    /// <summary>anvil_dropTransaction: removes a pending transaction from the pool (simulates a dropped send).</summary>
    public static Task DropTransactionAsync(this EthRpcClient rpc, string hash, CancellationToken ct = default) =>
        rpc.RequestAsync("anvil_dropTransaction", [hash], ct);
}
