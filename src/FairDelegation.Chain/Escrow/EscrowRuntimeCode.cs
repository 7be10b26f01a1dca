using FairDelegation.Chain.Crypto;
using FairDelegation.Chain.Rpc;

namespace FairDelegation.Chain.Escrow;

/// <summary>
/// The escrow's runtime code as this build compiled it (solc's deployedBytecode; the contract has no immutables and no
/// metadata hash, so every deployment holds exactly these bytes), and the check that an address holds it. An ordinary
/// account or another contract at the configured escrow address would take the customer's wage and never give it back.
/// </summary>
public static class EscrowRuntimeCode
{
    /// <summary>The runtime bytecode embedded at build time.</summary>
    public static byte[] Bytes { get; } = Hex.Decode(Read().Trim());

    /// <summary>keccak256 of <see cref="Bytes"/> (what eth_getCode's result must hash to).</summary>
    public static byte[] Hash { get; } = Keccak256.Hash(Bytes);

    /// <summary>Null when <paramref name="address"/> holds this build's escrow code; otherwise why not.</summary>
    public static async Task<string?> ProblemAsync(EthRpcClient rpc, EthereumAddress address, CancellationToken ct = default)
    {
        var code = await rpc.GetCodeAsync(address, "latest", ct);
        if (code.Length == 0)
            return $"{address} holds no contract code (an ordinary account, or nothing deployed there on this chain): it would keep every wage sent to it";
        var hash = Keccak256.Hash(code);
        return hash.AsSpan().SequenceEqual(Hash) ? null
            : $"{address} holds a contract whose code hash {Hex.Encode(hash)} is not this build's FairDelegationEscrow ({Hex.Encode(Hash)}); deploy it with `fairdelegation contract deploy`";
    }

    private static string Read()
    {
        using var s = typeof(EscrowRuntimeCode).Assembly.GetManifestResourceStream("FairDelegationEscrow.runtime.bin")
                      ?? throw new InvalidOperationException("embedded resource FairDelegationEscrow.runtime.bin is missing: the build compiles contracts/ with solcjs");
        using var r = new StreamReader(s);
        return r.ReadToEnd();
    }
}
