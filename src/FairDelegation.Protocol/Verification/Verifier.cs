using FairDelegation.Protocol.Encryption;
using FairDelegation.Protocol.Sla;
using FairDelegation.Protocol.Stamps;

namespace FairDelegation.Protocol.Verification;

/// <summary>What running the verifier on a work gave.</summary>
public abstract record VerifierOutcome
{
    public abstract bool Compliant { get; }
}

/// <summary>The work complies: w' was written, H(w') computed while writing, and the stamp signs it.</summary>
public sealed record WorkStamped(WorkEncryptionResult Encryption, Stamp Stamp, string Detail) : VerifierOutcome
{
    public override bool Compliant => true;
}

/// <summary>The work violates the SLA; nothing was encrypted or signed. sp goes back to step (3).</summary>
public sealed record SlaViolation(string Reason) : VerifierOutcome
{
    public override bool Compliant => false;
}

/// <summary>
/// Steps (4) and (5), run by sp: check w against the SLA, then E(pk_sp, w) into the output while hashing it, then
/// sign the stamp. The verifier encrypts, not sp, so the stamp covers an encryption of exactly the work it checked:
/// the work file is opened once, kept open (other writers denied where the OS enforces it) and the same handle is
/// read for the check's own reads and for the encryption.
/// </summary>
public static class Verifier
{
    /// <summary>Runs on a work file.</summary>
    public static async Task<VerifierOutcome> RunAsync(VerifierPackage package, string workPath, Stream encryptedOutput,
        CancellationToken cancellationToken = default, CommandSandbox? sandbox = null)
    {
        var terms = package.Terms;
        await using var work = new FileStream(workPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        var lengthBefore = work.Length;
        var lastWrite = File.GetLastWriteTimeUtc(workPath);
        var verdict = await terms.Sla.CheckAsync(new SlaCheckContext(workPath, package.Assets, cancellationToken) { Sandbox = sandbox });
        if (!verdict.Compliant) return new SlaViolation(verdict.Reason);
        if (work.Length != lengthBefore || File.GetLastWriteTimeUtc(workPath) != lastWrite)
            return new SlaViolation("the work file changed while it was being checked");

        work.Position = 0;
        var encryption = await WorkEncryption.EncryptAsync(work, encryptedOutput, terms.WorkPublicKey, cancellationToken);
        if (encryption.PlaintextLength != lengthBefore)
            return new SlaViolation("the work file changed while it was being encrypted");
        var stamp = Stamp.Sign(terms, encryption.WorkHash, package.VerifierKey);
        return new WorkStamped(encryption, stamp, verdict.Reason);
    }

    /// <summary>Runs on a work stream: spooled to a private temp file first, since some checks need a path.</summary>
    public static async Task<VerifierOutcome> RunAsync(VerifierPackage package, Stream work, Stream encryptedOutput,
        CancellationToken cancellationToken = default)
    {
        var folder = Directory.CreateTempSubdirectory("fd-verifier-");
        try
        {
            var path = Path.Combine(folder.FullName, "work");
            await using (var spool = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                await work.CopyToAsync(spool, 1 << 20, cancellationToken);
            }
            return await RunAsync(package, path, encryptedOutput, cancellationToken);
        }
        finally
        {
            try { folder.Delete(recursive: true); } catch (IOException) { }
        }
    }
}
