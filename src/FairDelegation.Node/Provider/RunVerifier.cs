using FairDelegation.Node.Configuration;
using FairDelegation.Node.Model;
using FairDelegation.Node.Storage;
using FairDelegation.Protocol.Verification;
using FairDelegation.Storage;
using Microsoft.Extensions.Options;

using FairDelegation.Protocol.Sla;

namespace FairDelegation.Node.Provider;

/// <summary>
/// Steps (4) and (5): run the customer's verifier on the work. The verifier checks the SLA and, only if compliant,
/// encrypts w to pk_sp itself (hashing w' as it writes) and signs the stamp with sk_c; the provider gets w' and the stamp,
/// never a chance to swap the work. A violation is a result: the orchestration goes back to (3).
/// </summary>
public sealed class RunVerifier(BlobFetcher fetcher, IBlobStore store, IOptions<NodeOptions> options) : TaskActivity<RunVerifierInput, VerifierResult>
{
    public override async Task<VerifierResult> RunAsync(TaskActivityContext context, RunVerifierInput input)
    {
        var a = input.Agreement;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(CancellationToken.None);
        limit.CancelAfter(options.Value.Timeouts.Verifier);
        var ct = limit.Token;

        StoredBlob packageBlob;
        byte[]? fetched;
        try
        {
            // A package of up to 4 MiB is kept in memory as fetched: no read back from the store.
            (packageBlob, fetched) = await fetcher.FetchKeepingAsync(input.Verifier, input.Verifier.LocalBlob ?? $"agreements/{a.AgreementId}/verifier.json", 4 << 20, ct);
        }
        catch (BlobFetchException e) when (e.Mismatch)
        {
            return Violation($"the verifier package does not match its reference: {e.Message}");
        }
        string json;
        if (fetched is not null)
        {
            using var reader = new StreamReader(new MemoryStream(fetched)); // as from the store: a BOM is skipped
            json = await reader.ReadToEndAsync(ct);
        }
        else
        {
            await using var s = await store.OpenReadAsync(packageBlob.Name, ct);
            using var reader = new StreamReader(s);
            json = await reader.ReadToEndAsync(ct);
        }
        using var package = VerifierPackage.FromJson(json);
        if (package.Terms.AgreementId.ToHex() != a.AgreementId)
            return Violation($"the verifier is for agreement {package.Terms.AgreementId}, not {a.AgreementId}");

        using var scratch = new TempDirectory("fd-verify-");
        var workPath = scratch.File("w");
        var encryptedPath = scratch.File("w.enc");
        await using (var w = await store.OpenReadAsync(input.WorkBlob, ct))
        await using (var f = File.Create(workPath))
        {
            await w.CopyToAsync(f, ct);
        }
        VerifierOutcome outcome;
        try
        {
            await using var encrypted = File.Create(encryptedPath);
            // A customer's program never runs on the unpaid work outside the sandbox, nor at all unless enabled (issue 11 #5).
            CommandSandbox? sandbox = null;
            if (CommandSandbox.IsNeededFor(package.Terms.Sla))
            {
                var cfg = options.Value.Provider.CommandSlas;
                if (!cfg.Enabled) return Violation("command SLAs are off at this provider (Provider:CommandSlas:Enabled)");
                if (Services.BubblewrapSandbox.Problem(cfg) is { } missing) return Violation($"the command checker's sandbox cannot run: {missing}");
                sandbox = new Services.BubblewrapSandbox(cfg);
            }
            outcome = await Verifier.RunAsync(package, workPath, encrypted, ct, sandbox);
        }
        catch (OperationCanceledException) when (!CancellationToken.None.IsCancellationRequested)
        {
            return Violation($"the verifier did not finish within {options.Value.Timeouts.Verifier}");
        }
        if (outcome is not WorkStamped stamped) return Violation(((SlaViolation)outcome).Reason);

        var name = $"agreements/{a.AgreementId}/work-{input.Attempt}.enc";
        StoredBlob written;
        await using (var e = File.OpenRead(encryptedPath))
        {
            var r = await store.WriteAsync(name, e, ct);
            written = new StoredBlob(r.Name, r.Length, r.Sha256Hex);
        }
        var workHash = stamped.Encryption.WorkHash.ToHex();
        if (!string.Equals("0x" + written.Sha256, workHash, StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException("the stored w' does not hash to what the verifier computed while writing it");
        return new VerifierResult(true, stamped.Detail, name, workHash, written.Length, stamped.Stamp.ToJson());

        static VerifierResult Violation(string reason) => new(false, reason, null, null, 0, null);
    }
}
