using FairDelegation.Node.Keys;
using FairDelegation.Node.Model;
using FairDelegation.Protocol.Keys;
using FairDelegation.Protocol.Verification;
using FairDelegation.Storage;

namespace FairDelegation.Node.Customer;

/// <summary>
/// Step (1): build the verifier package: the agreed terms (with the SLA), the hidden assets (e.g. the test set) and
/// sk_c. It holds sk_c, so it is stored in the customer's own blob store and only ever shared with the agreed provider.
/// </summary>
public sealed class CreateVerifier(KeyStore keys, IBlobStore store) : TaskActivity<CreateVerifierInput, StoredBlob>
{
    public override async Task<StoredBlob> RunAsync(TaskActivityContext context, CreateVerifierInput input)
    {
        var ct = CancellationToken.None;
        var assets = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (assetName, blob) in input.Request.Assets)
        {
            await using var s = await store.OpenReadAsync(blob, ct);
            using var ms = new MemoryStream();
            await s.CopyToAsync(ms, ct);
            assets[assetName] = ms.ToArray();
        }
        string json;
        using (var sk = keys.Open(input.VerifierKeyId))
        using (var verifierKey = DisposableKeyPair.FromPrivateKey(sk.Bytes))
        using (var package = VerifierPackage.Build(input.Agreement.ParseTerms(), verifierKey, assets))
        {
            json = package.ToJson();
        }
        var name = $"agreements/{input.Agreement.AgreementId}/verifier.json";
        using var content = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json));
        var written = await store.WriteAsync(name, content, ct);
        return new StoredBlob(written.Name, written.Length, written.Sha256Hex);
    }
}
