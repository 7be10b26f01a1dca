using System.Text.Json.Serialization;
using FairDelegation.Chain.Crypto;
using FairDelegation.Protocol.Agreements;
using FairDelegation.Protocol.Keys;
using FairDelegation.Protocol.Serialization;

namespace FairDelegation.Protocol.Verification;

/// <summary>
/// The verifier c builds at step (1) and hands to sp at step (2): the agreed terms (with the SLA), the hidden assets
/// the SLA needs (test set, checker program) and sk_c. Serialized as versioned JSON (docs/formats/verifier-package.md).
/// It holds sk_c, so sp can read it: the paper's A6 (sp cannot read the verifier) needs a TEE and is NOT enforced here.
/// The key is disposable and single-use, and a stamp made with it is only valid for this agreement id, work key and wage.
/// </summary>
public sealed class VerifierPackage : IDisposable
{
    public const string FormatName = "fairdelegation-verifier-package";
    public const int FormatVersion = 1;

    private readonly DisposableKeyPair _verifierKey;

    private VerifierPackage(AgreementTerms terms, DisposableKeyPair verifierKey, IReadOnlyDictionary<string, byte[]> assets)
    {
        Terms = terms;
        _verifierKey = verifierKey;
        Assets = assets;
    }

    /// <summary>The terms this verifier stamps for (and only for).</summary>
    public AgreementTerms Terms { get; }

    /// <summary>Hidden data by name (e.g. "test-set", "checker").</summary>
    public IReadOnlyDictionary<string, byte[]> Assets { get; }

    /// <summary>address(pk_c).</summary>
    public EthereumAddress VerifierAddress => _verifierKey.Address;

    internal DisposableKeyPair VerifierKey => _verifierKey;

    /// <summary>
    /// Step (1). Checks that the key is the terms' verifier key and that the SLA's assets are present and match the
    /// hashes the SLA commits to. The package takes its own copy of the key.
    /// </summary>
    public static VerifierPackage Build(AgreementTerms terms, DisposableKeyPair verifierKey, IReadOnlyDictionary<string, byte[]>? assets = null)
    {
        terms.Validate();
        assets ??= new Dictionary<string, byte[]>();
        if (verifierKey.Address != terms.VerifierKey)
            throw new InvalidOperationException($"the verifier key {verifierKey.Address} is not the one the terms name ({terms.VerifierKey})");
        terms.Sla.Validate(assets);
        var key = verifierKey.ExportPrivateKey();
        try { return new VerifierPackage(terms, DisposableKeyPair.FromPrivateKey(key), new Dictionary<string, byte[]>(assets)); }
        finally { System.Security.Cryptography.CryptographicOperations.ZeroMemory(key); }
    }

    private sealed record Document(
        string Format,
        int Version,
        AgreementTerms Terms,
        string VerifierPrivateKey,
        IReadOnlyDictionary<string, string> Assets);

    /// <summary>The JSON document (contains sk_c: hand it only to the agreed provider).</summary>
    public string ToJson(bool indented = false) =>
        ProtocolJson.Serialize(new Document(FormatName, FormatVersion, Terms, _verifierKey.ExportPrivateKeyHex(),
            Assets.ToDictionary(a => a.Key, a => Convert.ToBase64String(a.Value))), indented);

    /// <summary>Parses and re-validates a package (the same checks as <see cref="Build"/>).</summary>
    public static VerifierPackage FromJson(string json)
    {
        var doc = ProtocolJson.Deserialize<Document>(json, "verifier package");
        if (doc.Format != FormatName) throw new FormatException($"not a verifier package (format '{doc.Format}')");
        if (doc.Version != FormatVersion) throw new FormatException($"unsupported verifier package version {doc.Version}");
        var assets = new Dictionary<string, byte[]>();
        foreach (var (name, base64) in doc.Assets)
        {
            try { assets[name] = Convert.FromBase64String(base64); }
            catch (FormatException) { throw new FormatException($"verifier package asset '{name}' is not base64"); }
        }
        using var key = DisposableKeyPair.FromPrivateKeyHex(doc.VerifierPrivateKey);
        return Build(doc.Terms, key, assets);
    }

    public void Save(string path) => File.WriteAllText(path, ToJson());

    public static VerifierPackage Load(string path) => FromJson(File.ReadAllText(path));

    /// <summary>Clears sk_c from memory.</summary>
    public void Dispose() => _verifierKey.Dispose();

    public override string ToString() => $"VerifierPackage(agreement {Terms.AgreementId}, verifier {VerifierAddress})";
}
