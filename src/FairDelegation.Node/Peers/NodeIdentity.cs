using System.Security.Cryptography;
using FairDelegation.Chain.Crypto;
using FairDelegation.Node.Keys;

namespace FairDelegation.Node.Peers;

/// <summary>
/// The node's long-lived identity: a secp256k1 key whose Ethereum-style address names the node to its peers.
/// Every peer message is signed with it. Distinct from the wallet and from the disposable keys.
/// </summary>
public sealed class NodeIdentity
{
    private readonly byte[] _privateKey;

    private NodeIdentity(byte[] privateKey)
    {
        _privateKey = privateKey;
        Address = EthereumAddress.FromPrivateKey(privateKey);
    }

    /// <summary>The identity peers pin and check signatures against.</summary>
    public EthereumAddress Address { get; }

    /// <summary>Loads the identity key file, creating it (mode 0600) with a fresh key on first start.</summary>
    public static NodeIdentity LoadOrCreate(string keyFile)
    {
        var hex = SecretFile.ReadOrCreate(keyFile, () =>
        {
            var d = new byte[32];
            do RandomNumberGenerator.Fill(d); while (!Secp256k1.IsValidPrivateKey(d));
            return Hex.Encode(d);
        });
        byte[] key;
        try { key = Hex.DecodeFixed(hex, 32, "identity key"); }
        catch (FormatException) { throw new FormatException($"identity key file {keyFile} does not hold a 32-byte hex key"); }
        if (!Secp256k1.IsValidPrivateKey(key)) throw new FormatException($"identity key file {keyFile} holds an invalid secp256k1 key");
        return new NodeIdentity(key);
    }

    /// <summary>Signs a 32-byte digest.</summary>
    public EcdsaSignature Sign(ReadOnlySpan<byte> digest32) => Secp256k1.Sign(digest32, _privateKey);

    /// <summary>
    /// The identity as a chain account: a provider registers in the market's registry from it, so the address customers
    /// find there is the one that signs its peer messages and its price quotes. It pays that gas (and the stake) itself.
    /// </summary>
    public FairDelegation.Chain.Accounts.EthAccount Account() => FairDelegation.Chain.Accounts.EthAccount.FromPrivateKey(_privateKey);

    public override string ToString() => $"node identity {Address}";
}
