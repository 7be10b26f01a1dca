using FairDelegation.Chain.Crypto;
using FairDelegation.Node.Configuration;

namespace FairDelegation.Node.Chain;

/// <summary>
/// The node's wallet: the account that sends its transactions (the customer's deposit and refund, the provider's
/// claim). The private key is loaded once from the configured source and never printed.
/// </summary>
public sealed class Wallet
{
    private readonly byte[] _privateKey;

    private Wallet(byte[] privateKey)
    {
        _privateKey = privateKey;
        Address = EthereumAddress.FromPrivateKey(privateKey);
    }

    public EthereumAddress Address { get; }

    /// <summary>The private key, for the transaction signer only.</summary>
    internal ReadOnlySpan<byte> PrivateKey => _privateKey;

    /// <summary>Copies the key for a signer that keeps its own copy.</summary>
    internal byte[] ExportPrivateKey() => (byte[])_privateKey.Clone();

    /// <summary>Loads from the environment variable, else the file, else the inline key (development only).</summary>
    public static Wallet Load(WalletOptions options, Func<string, string> resolvePath)
    {
        string? text = null;
        string source;
        if (!string.IsNullOrWhiteSpace(options.PrivateKeyEnvironmentVariable))
        {
            source = $"environment variable {options.PrivateKeyEnvironmentVariable}";
            text = Environment.GetEnvironmentVariable(options.PrivateKeyEnvironmentVariable)
                   ?? throw new InvalidOperationException($"wallet: {source} is not set");
        }
        else if (!string.IsNullOrWhiteSpace(options.PrivateKeyFile))
        {
            var path = resolvePath(options.PrivateKeyFile);
            source = $"file {path}";
            if (!File.Exists(path)) throw new InvalidOperationException($"wallet: {source} does not exist");
            text = File.ReadAllText(path).Trim();
        }
        else if (!string.IsNullOrWhiteSpace(options.PrivateKey))
        {
            source = "inline configuration";
            text = options.PrivateKey.Trim();
        }
        else
        {
            throw new InvalidOperationException(
                "wallet: no private key configured (set Wallet:PrivateKeyEnvironmentVariable, Wallet:PrivateKeyFile or, for development, Wallet:PrivateKey)");
        }
        byte[] key;
        try { key = Hex.DecodeFixed(text, 32, "wallet private key"); }
        catch (FormatException) { throw new InvalidOperationException($"wallet: the key from {source} is not 32 bytes of hex"); }
        if (!Secp256k1.IsValidPrivateKey(key)) throw new InvalidOperationException($"wallet: the key from {source} is not a valid secp256k1 key");
        return new Wallet(key);
    }

    /// <summary>The payee: the configured address, or the wallet itself.</summary>
    public EthereumAddress Payee(WalletOptions options) =>
        string.IsNullOrWhiteSpace(options.PayeeAddress) ? Address : EthereumAddress.Parse(options.PayeeAddress);

    public override string ToString() => $"wallet {Address}";
}
