using System.Security.Cryptography;
using FairDelegation.Chain.Crypto;
using FairDelegation.Chain.Transactions;

namespace FairDelegation.Chain.Accounts;

/// <summary>
/// An Ethereum account that signs with a private key held in memory. The key is never printed: ToString shows
/// the address only, and no exception message includes it.
/// </summary>
public sealed class EthAccount
{
    private readonly byte[] _privateKey;

    private EthAccount(byte[] privateKey)
    {
        if (!Secp256k1.IsValidPrivateKey(privateKey))
            throw new FormatException("not a valid secp256k1 private key (32 bytes, 1 <= key < n)");
        _privateKey = privateKey;
        Address = EthereumAddress.FromPrivateKey(privateKey);
    }

    /// <summary>The account's address (the payer of gas, the customer, the payee...).</summary>
    public EthereumAddress Address { get; }

    /// <summary>From 32 raw key bytes (copied).</summary>
    public static EthAccount FromPrivateKey(ReadOnlySpan<byte> privateKey) => new(privateKey.ToArray());

    /// <summary>From 0x-hex (64 digits).</summary>
    public static EthAccount FromPrivateKey(string privateKeyHex)
    {
        byte[] bytes;
        try { bytes = Hex.DecodeFixed(privateKeyHex, 32, "private key"); }
        catch (FormatException) { throw new FormatException("a private key is 32 bytes of hex (0x + 64 hex digits)"); }
        return new EthAccount(bytes);
    }

    /// <summary>A fresh random account (a disposable key, or a test wallet).</summary>
    public static EthAccount Generate()
    {
        var key = new byte[32];
        do RandomNumberGenerator.Fill(key); while (!Secp256k1.IsValidPrivateKey(key));
        return new EthAccount(key);
    }

    /// <summary>A copy of the private key, for a key store that encrypts it at rest. Handle with care.</summary>
    public byte[] ExportPrivateKey() => (byte[])_privateKey.Clone();

    /// <summary>RFC 6979, low-s ECDSA over a 32-byte hash.</summary>
    public EcdsaSignature Sign(ReadOnlySpan<byte> hash32) => Secp256k1.Sign(hash32, _privateKey);

    /// <summary>Signs an EIP-1559 transaction (its sender becomes this account).</summary>
    public SignedTransaction SignTransaction(Eip1559Transaction transaction) =>
        new(transaction, Sign(transaction.SigningHash()));

    /// <summary>EIP-712: signs typed data (the protocol's stamps use the same implementation).</summary>
    public EcdsaSignature SignTypedData(TypedData data) => Sign(data.Digest());

    public override string ToString() => $"account {Address}";
}
