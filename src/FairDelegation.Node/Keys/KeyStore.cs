using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;

namespace FairDelegation.Node.Keys;

/// <summary>Thrown when a key id is unknown or its record cannot be decrypted (wrong node key, tampering).</summary>
public sealed class KeyStoreException(string message) : Exception(message);

/// <summary>
/// Disposable private keys encrypted at rest: each record is AES-256-GCM under the node key, with the key id and
/// purpose as associated data (a record moved to another id does not decrypt). Workflows carry key ids only.
/// </summary>
public sealed class KeyStore
{
    private static readonly BigInteger Secp256k1Order =
        BigInteger.Parse("0FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", System.Globalization.NumberStyles.HexNumber);

    private readonly string _connectionString;
    private readonly byte[] _nodeKey;

    /// <param name="path">SQLite file holding the records.</param>
    /// <param name="nodeKey">32 bytes; the caller keeps it out of logs.</param>
    public KeyStore(string path, byte[] nodeKey)
    {
        if (nodeKey.Length != 32) throw new ArgumentException("the node key must be 32 bytes (AES-256)");
        _nodeKey = (byte[])nodeKey.Clone();
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = full, Pooling = true, DefaultTimeout = 30 }.ToString();
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS keys (
                key_id TEXT PRIMARY KEY,
                purpose TEXT NOT NULL,
                nonce BLOB NOT NULL,
                ciphertext BLOB NOT NULL,
                tag BLOB NOT NULL,
                created_utc TEXT NOT NULL);
            """;
        cmd.ExecuteNonQuery();
    }

    /// <summary>
    /// The node key from configuration (base64 or 0x-hex of 32 bytes), or else from the key file, which is created
    /// with a fresh random key (mode 0600) the first time.
    /// </summary>
    public static byte[] LoadNodeKey(string? configured, string keyFile)
    {
        var text = !string.IsNullOrWhiteSpace(configured)
            ? configured.Trim()
            : SecretFile.ReadOrCreate(keyFile, () => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        byte[] key;
        try
        {
            // Not by the "0x" prefix alone: base64 text starts with "0x" once in 4,096 keys (a key file created with
            // such a key once failed to load), so text after "0x" that is not hex is read as base64.
            key = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && IsHex(text.AsSpan(2))
                ? Convert.FromHexString(text[2..])
                : Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            throw new FormatException("the node key is neither base64 nor 0x-hex");
        }
        return key.Length == 32 ? key : throw new FormatException($"the node key must be 32 bytes, got {key.Length}");
    }

    private static bool IsHex(ReadOnlySpan<char> s) => s.Length % 2 == 0 && !s.ContainsAnyExcept("0123456789abcdefABCDEF");

    /// <summary>Makes a fresh secp256k1 private key (1 &lt;= d &lt; n) and stores it; returns its id.</summary>
    public string CreateSecp256k1Key(string purpose)
    {
        var keyId = "key-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        GetOrCreateSecp256k1Key(keyId, purpose);
        return keyId;
    }

    /// <summary>
    /// Makes a fresh secp256k1 key under a caller-chosen id unless that id exists already (then the stored key stays):
    /// an activity that runs twice gets the same key.
    /// </summary>
    public void GetOrCreateSecp256k1Key(string keyId, string purpose)
    {
        if (Contains(keyId)) return;
        var d = new byte[32];
        try
        {
            while (true)
            {
                RandomNumberGenerator.Fill(d);
                var v = new BigInteger(d, isUnsigned: true, isBigEndian: true);
                if (v.Sign > 0 && v < Secp256k1Order) break;
            }
            Put(keyId, d, purpose);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(d);
        }
    }

    /// <summary>Encrypts and stores a secret; returns its new id.</summary>
    public string Store(ReadOnlySpan<byte> secret, string purpose)
    {
        var keyId = "key-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        Put(keyId, secret, purpose);
        return keyId;
    }

    /// <summary>Stores a secret under a caller-chosen id; storing the same secret again under the same id is a no-op.</summary>
    public void Put(string keyId, ReadOnlySpan<byte> secret, string purpose)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(keyId);
        var nonce = RandomNumberGenerator.GetBytes(12);
        var ciphertext = new byte[secret.Length];
        var tag = new byte[16];
        using (var aes = new AesGcm(_nodeKey, 16)) aes.Encrypt(nonce, secret, ciphertext, tag, AssociatedData(keyId, purpose));
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "INSERT OR IGNORE INTO keys (key_id, purpose, nonce, ciphertext, tag, created_utc) VALUES ($id, $p, $n, $c, $t, $u)";
        cmd.Parameters.AddWithValue("$id", keyId);
        cmd.Parameters.AddWithValue("$p", purpose);
        cmd.Parameters.AddWithValue("$n", nonce);
        cmd.Parameters.AddWithValue("$c", ciphertext);
        cmd.Parameters.AddWithValue("$t", tag);
        cmd.Parameters.AddWithValue("$u", DateTime.UtcNow.ToString("O"));
        cmd.ExecuteNonQuery();
    }

    /// <summary>True when the id is in the store.</summary>
    public bool Contains(string keyId)
    {
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT 1 FROM keys WHERE key_id = $id";
        cmd.Parameters.AddWithValue("$id", keyId);
        return cmd.ExecuteScalar() is not null;
    }

    /// <summary>Decrypts a key for one use; dispose the result as soon as possible.</summary>
    public KeyMaterial Open(string keyId)
    {
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT purpose, nonce, ciphertext, tag FROM keys WHERE key_id = $id";
        cmd.Parameters.AddWithValue("$id", keyId);
        using var r = cmd.ExecuteReader();
        if (!r.Read()) throw new KeyStoreException($"no key with id {keyId} in the key store");
        var purpose = r.GetString(0);
        var nonce = (byte[])r[1];
        var ciphertext = (byte[])r[2];
        var tag = (byte[])r[3];
        var plain = new byte[ciphertext.Length];
        try
        {
            using var aes = new AesGcm(_nodeKey, 16);
            aes.Decrypt(nonce, ciphertext, tag, plain, AssociatedData(keyId, purpose));
        }
        catch (CryptographicException)
        {
            CryptographicOperations.ZeroMemory(plain);
            // Deliberately vague about the bytes: only the id and the likely cause.
            throw new KeyStoreException($"key {keyId} does not decrypt: wrong node key or a tampered record");
        }
        return new KeyMaterial(keyId, plain);
    }

    private static byte[] AssociatedData(string keyId, string purpose) => Encoding.UTF8.GetBytes("fairdelegation-key-v1\n" + keyId + "\n" + purpose);

    private SqliteConnection Open()
    {
        var c = new SqliteConnection(_connectionString);
        c.Open();
        return c;
    }
}
