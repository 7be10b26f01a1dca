using System.Text;
using System.Text.Json.Serialization;
using FairDelegation.Chain.Crypto;
using FairDelegation.Protocol.Serialization;

namespace FairDelegation.Protocol.Sla;

/// <summary>
/// A service-level agreement: what a compliant work must satisfy. Serialized as JSON with a "kind" discriminator
/// (docs/formats/verifier-package.md); its canonical form is the compact serialization, and <see cref="Hash"/>
/// (keccak256 of it) is what the agreement terms commit to. Hidden data (a labelled test set, a checker program)
/// is not in the SLA: the SLA names it and commits to its SHA-256, and the verifier package carries it.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind", UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization)]
[JsonDerivedType(typeof(ClassifierAccuracySla), "classifier-accuracy")]
[JsonDerivedType(typeof(CommandSla), "command")]
[JsonDerivedType(typeof(MaxBytesSla), "max-bytes")]
[JsonDerivedType(typeof(MinBytesSla), "min-bytes")]
[JsonDerivedType(typeof(Utf8Sla), "utf8")]
[JsonDerivedType(typeof(JsonDocumentSla), "json")]
[JsonDerivedType(typeof(ContainsSla), "contains")]
[JsonDerivedType(typeof(RegexSla), "regex")]
[JsonDerivedType(typeof(Sha256AllowListSla), "sha256-allow-list")]
[JsonDerivedType(typeof(AllOfSla), "all-of")]
public abstract record ServiceLevelAgreement
{
    /// <summary>The canonical JSON (compact, declaration order, kind first).</summary>
    public string ToJson(bool indented = false) => ProtocolJson.Serialize(this, indented);

    /// <summary>Parses an SLA document; unknown kinds and members are errors.</summary>
    public static ServiceLevelAgreement FromJson(string json) => ProtocolJson.Deserialize<ServiceLevelAgreement>(json, "SLA");

    /// <summary>keccak256 of the canonical JSON's UTF-8 bytes: the SLA's identity in the agreement terms.</summary>
    public Bytes32 Hash() => Bytes32.FromBytes(Keccak256.Hash(Encoding.UTF8.GetBytes(ToJson())));

    /// <summary>Checks a work file; a violation carries a reason a provider can act on.</summary>
    public abstract Task<SlaVerdict> CheckAsync(SlaCheckContext context);

    /// <summary>Validates parameters and that every asset the SLA needs is present with its committed hash.</summary>
    public abstract void Validate(IReadOnlyDictionary<string, byte[]> assets);
}

/// <summary>The outcome of an SLA check.</summary>
public sealed record SlaVerdict(bool Compliant, string Reason)
{
    public static SlaVerdict Pass(string detail = "compliant") => new(true, detail);

    public static SlaVerdict Violation(string reason) => new(false, reason);
}

/// <summary>What a check sees: the work as a file (some checkers need a path), the hidden assets, cancellation.</summary>
public sealed record SlaCheckContext(string WorkPath, IReadOnlyDictionary<string, byte[]> Assets, CancellationToken CancellationToken = default)
{
    /// <summary>Where command checkers run; null runs them directly (only for checks on one's own machine).</summary>
    public CommandSandbox? Sandbox { get; init; }

    public long WorkLength => new FileInfo(WorkPath).Length;

    public FileStream OpenWork() =>
        new(WorkPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);

    public byte[] Asset(string name) =>
        Assets.TryGetValue(name, out var a) ? a : throw new InvalidOperationException($"the verifier package has no asset '{name}'");
}
