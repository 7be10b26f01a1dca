using FairDelegation.Chain.Crypto;

namespace FairDelegation.Chain.Tests.Crypto;

/// <summary>Fixed private keys used across the crypto tests: anvil's first dev keys plus edge values.</summary>
internal static class Keys
{
    public const string Anvil0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    public const string Anvil1 = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

    public static readonly string[] All =
    [
        Anvil0,
        Anvil1,
        "0x0000000000000000000000000000000000000000000000000000000000000001",
        // n - 1, the largest valid key.
        "0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140",
        "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318",
    ];

    public static byte[] Bytes(string hex) => Hex.Decode(hex);
}
