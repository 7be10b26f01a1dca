using System.Security.Cryptography;
using FairDelegation.Node.Configuration;
using FairDelegation.Node.Keys;
using Microsoft.Extensions.Options;

namespace FairDelegation.Node.Api;

/// <summary>
/// The customer and operator HTTP API's settings, bound from "FairDelegation:Api". See docs/configuration.md.
/// </summary>
public sealed class ApiOptions
{
    /// <summary>The configuration section this binds from.</summary>
    public const string SectionName = NodeOptions.SectionName + ":Api";

    /// <summary>
    /// The API key callers present (X-Api-Key header or Authorization: Bearer). When absent, <see cref="ApiKeyFile"/>
    /// is read, and created with a random key on first start.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>File holding the API key (relative to the data directory; created with 0600 permissions when missing).</summary>
    public string ApiKeyFile { get; set; } = "api.key";

    /// <summary>Largest request body the API accepts (bytes); larger ones get 413. Inputs are sent base64 or as text inside it.</summary>
    public long MaxRequestBytes { get; set; } = 16L << 20;

    /// <summary>Largest page a list returns.</summary>
    public int MaxPageSize { get; set; } = 100;
}

/// <summary>The API key this node accepts, resolved once from <see cref="ApiOptions"/> (inline, else the key file, created if missing).</summary>
public sealed class ApiKey
{
    private readonly byte[] _hash;

    public ApiKey(IOptions<ApiOptions> api, IOptions<NodeOptions> node)
    {
        var key = api.Value.ApiKey;
        if (string.IsNullOrWhiteSpace(key))
        {
            key = SecretFile.ReadOrCreate(node.Value.DataPath(api.Value.ApiKeyFile),
                () => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_'));
        }
        if (key.Length < 16) throw new InvalidOperationException($"{ApiOptions.SectionName}:ApiKey must be at least 16 characters");
        _hash = SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key));
    }

    /// <summary>
    /// Names this key without revealing it (a hash of its hash): a dashboard session records it and ends when the
    /// node's key changes.
    /// </summary>
    public string Fingerprint => Convert.ToHexStringLower(SHA256.HashData(_hash))[..32];

    /// <summary>Whether <paramref name="presented"/> is the key (constant time).</summary>
    public bool Matches(string? presented) =>
        presented is { Length: > 0 } && CryptographicOperations.FixedTimeEquals(_hash, SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(presented)));
}
