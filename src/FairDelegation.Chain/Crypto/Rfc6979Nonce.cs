using System.Security.Cryptography;

namespace FairDelegation.Chain.Crypto;

/// <summary>
/// RFC 6979 deterministic ECDSA nonces for secp256k1 with HMAC-SHA256 (qlen = hlen = 256), the k that Foundry,
/// libsecp256k1 and BouncyCastle's HMacDsaKCalculator derive from (private key, hash). The buffers holding K,
/// V and the key are cleared when the generator is disposed.
/// </summary>
internal ref struct Rfc6979Nonce
{
    private readonly Span<byte> _k;
    private readonly Span<byte> _v;
    private bool _first;

    /// <summary>Section 3.2 steps b to f. <paramref name="buffer64"/> holds K and V.</summary>
    public Rfc6979Nonce(ReadOnlySpan<byte> privateKey32, ReadOnlySpan<byte> hash32, Span<byte> buffer64)
    {
        _k = buffer64[..32];
        _v = buffer64[32..64];
        _first = true;
        // bits2octets(h1): the hash as an integer reduced mod n, 32 bytes.
        Span<byte> h = stackalloc byte[32];
        Scalar.ReadReduced(hash32).Write(h);

        Span<byte> data = stackalloc byte[32 + 1 + 32 + 32];
        _v.Fill(0x01);
        _k.Clear();
        for (byte round = 0; round < 2; round++)
        {
            // K = HMAC_K(V || round || x || h1); V = HMAC_K(V).
            _v.CopyTo(data);
            data[32] = round;
            privateKey32.CopyTo(data[33..]);
            h.CopyTo(data[65..]);
            HMACSHA256.HashData(_k, data, _k);
            HMACSHA256.HashData(_k, _v, _v);
        }
        CryptographicOperations.ZeroMemory(data);
    }

    /// <summary>The next candidate k in [1, n) (step h; later calls continue after a rejected k).</summary>
    public Scalar Next()
    {
        Span<byte> data = stackalloc byte[33];
        while (true)
        {
            if (!_first)
            {
                // K = HMAC_K(V || 0x00); V = HMAC_K(V).
                _v.CopyTo(data);
                data[32] = 0;
                HMACSHA256.HashData(_k, data, _k);
                HMACSHA256.HashData(_k, _v, _v);
            }
            _first = false;
            HMACSHA256.HashData(_k, _v, _v);
            if (Scalar.TryRead(_v, out var k) && !k.IsZero) return k;
        }
    }

    /// <summary>Clears K and V.</summary>
    public readonly void Dispose()
    {
        CryptographicOperations.ZeroMemory(_k);
        CryptographicOperations.ZeroMemory(_v);
    }
}
