using System.Security.Cryptography;

namespace FairDelegation.Node.Keys;

/// <summary>
/// A private key taken out of the key store for one operation; zeroed on dispose. It has no ToString that
/// shows the bytes, so it cannot end up in a log line or an exception message by accident.
/// </summary>
public sealed class KeyMaterial : IDisposable
{
    private readonly byte[] _bytes;
    private bool _disposed;

    internal KeyMaterial(string keyId, byte[] bytes)
    {
        KeyId = keyId;
        _bytes = bytes;
    }

    public string KeyId { get; }

    /// <summary>The secret bytes; valid until dispose.</summary>
    public ReadOnlySpan<byte> Bytes
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _bytes;
        }
    }

    public override string ToString() => $"key {KeyId} (secret hidden)";

    public void Dispose()
    {
        if (_disposed) return;
        CryptographicOperations.ZeroMemory(_bytes);
        _disposed = true;
    }
}
