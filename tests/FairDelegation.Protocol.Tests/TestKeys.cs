using FairDelegation.Chain.Crypto;
using FairDelegation.Protocol.Keys;

namespace FairDelegation.Protocol.Tests;

/// <summary>Fixed keys for deterministic tests (anvil's dev keys 0-2).</summary>
internal static class TestKeys
{
    public const string Anvil0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    public const string Anvil1 = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
    public const string Anvil2 = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";

    public static DisposableKeyPair Pair(string hex) => DisposableKeyPair.FromPrivateKeyHex(hex);

    public static byte[] Bytes(string hex) => Hex.Decode(hex);
}
