using System.Security.Cryptography;
using FairDelegation.Chain.Crypto;

namespace FairDelegation.Protocol.Keys;

/// <summary>
/// A disposable secp256k1 key pair, fresh for one delegation and never reused (A8): the work key sk_sp/pk_sp or
/// the verifier key sk_c/pk_c. The private key is only reachable through explicit methods; ToString and every
/// exception message show the address alone.
/// </summary>
public sealed class DisposableKeyPair : IDisposable
{
    private readonly byte[] _privateKey;
    private bool _disposed;

    private DisposableKeyPair(byte[] privateKey)
    {
        _privateKey = privateKey;
        PublicKey = PublicKey.FromBytes(Secp256k1.PublicKeyFromPrivateKey(privateKey));
    }

    /// <summary>The public half (pk).</summary>
    public PublicKey PublicKey { get; }

    /// <summary>address(pk).</summary>
    public EthereumAddress Address => PublicKey.Address;

    /// <summary>A new key pair from the OS CSPRNG (rejection-sampled into [1, n)).</summary>
    public static DisposableKeyPair Generate()
    {
        var sk = new byte[32];
        do RandomNumberGenerator.Fill(sk);
        while (!Secp256k1.IsValidPrivateKey(sk));
        return new DisposableKeyPair(sk);
    }

    /// <summary>From a 32-byte private key (copied).</summary>
    public static DisposableKeyPair FromPrivateKey(ReadOnlySpan<byte> privateKey) =>
        Secp256k1.IsValidPrivateKey(privateKey) ? new DisposableKeyPair(privateKey.ToArray())
            : throw new FormatException("malformed private key: expected 32 bytes in [1, n) of secp256k1");

    /// <summary>From 0x-hex (64 digits). The message of a failure never repeats the input.</summary>
    public static DisposableKeyPair FromPrivateKeyHex(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        var s = hex.Trim();
        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) s = s[2..];
        if (s.Length != 64 || !s.All(Uri.IsHexDigit))
            throw new FormatException("malformed private key: expected 0x followed by 64 hex digits");
        var bytes = Convert.FromHexString(s);
        try { return FromPrivateKey(bytes); }
        finally { CryptographicOperations.ZeroMemory(bytes); }
    }

    /// <summary>A copy of sk (32 bytes). The caller owns it and should clear it when done.</summary>
    public byte[] ExportPrivateKey()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return (byte[])_privateKey.Clone();
    }

    /// <summary>sk as 0x-hex, for the one place that must reveal it (the claim transaction, `keys new`).</summary>
    public string ExportPrivateKeyHex()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return Hex.Encode(_privateKey);
    }

    /// <summary>Signs a 32-byte hash with sk (RFC 6979, low-s).</summary>
    public EcdsaSignature Sign(ReadOnlySpan<byte> hash32)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return Secp256k1.Sign(hash32, _privateKey);
    }

    /// <summary>Borrows sk for an operation without copying it out (ECDH, typed-data signing).</summary>
    internal T UsePrivateKey<T>(Func<byte[], T> use)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return use(_privateKey);
    }

    /// <summary>P(pk, sk): true when sk·G == pk. Never throws on a malformed sk; it simply does not match.</summary>
    public static bool Matches(PublicKey publicKey, ReadOnlySpan<byte> privateKey) =>
        Secp256k1.IsValidPrivateKey(privateKey)
        && publicKey.Bytes.SequenceEqual(Secp256k1.PublicKeyFromPrivateKey(privateKey));

    /// <summary>P as the contract checks it: the private key's address equals the stored work key address.</summary>
    public static bool Matches(EthereumAddress address, ReadOnlySpan<byte> privateKey) =>
        Secp256k1.IsValidPrivateKey(privateKey) && EthereumAddress.FromPrivateKey(privateKey) == address;

    /// <summary>Clears sk from memory.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        CryptographicOperations.ZeroMemory(_privateKey);
        _disposed = true;
    }

    public override string ToString() => $"DisposableKeyPair({Address})";
}
