using FairDelegation.Node.Model;
using FairDelegation.Node.Storage;
using FairDelegation.Protocol.Delivery;
using FairDelegation.Protocol.Stamps;
using FairDelegation.Storage;

namespace FairDelegation.Node.Customer;

/// <summary>
/// Step (7): check the stamp (agreement, work key, wage, signed by pk_c), then download w' into the customer's own blob
/// store while hashing it, and compare H(w') with the stamped hash. Any mismatch ends the delegation before anything
/// is paid (the bad copy is deleted). Transport failures are exceptions (the step is retried).
/// </summary>
public sealed class CheckStamp(BlobFetcher fetcher, IBlobStore store) : TaskActivity<CheckStampInput, CheckStampResult>
{
    public override async Task<CheckStampResult> RunAsync(TaskActivityContext context, CheckStampInput input)
    {
        var ct = CancellationToken.None;
        var a = input.Agreement;
        var terms = a.ParseTerms();
        Stamp stamp;
        try
        {
            stamp = Stamp.FromJson(input.Delivery.Stamp);
            DeliveryCheck.CheckStamp(terms, stamp);
        }
        catch (FormatException e)
        {
            return Reject($"the stamp is malformed: {e.Message}");
        }
        catch (DeliveryRejectedException e)
        {
            return Reject($"the stamp is rejected: {e.Message}");
        }

        var reference = input.Delivery.Work;
        var stamped = Convert.ToHexStringLower(stamp.WorkHash.ToArray());
        if (!string.Equals(reference.Sha256, stamped, StringComparison.OrdinalIgnoreCase))
            return Reject($"the delivery announces SHA-256 {reference.Sha256}, the stamp signs {stamped}");
        var name = $"agreements/{a.AgreementId}/work.enc";
        StoredBlob work;
        try
        {
            // The store hashes exactly the bytes it commits: that is H(w') of our own copy.
            work = await fetcher.FetchAsync(new FetchableBlob(null, reference.Url, reference.Length, reference.Sha256), name, ct);
        }
        catch (BlobFetchException e) when (e.Mismatch)
        {
            return Reject($"the delivered w' does not match the stamped hash: {e.Message}");
        }
        try
        {
            DeliveryCheck.Check(terms, stamp, Protocol.Encryption.WorkHash.Parse("0x" + work.Sha256));
        }
        catch (DeliveryRejectedException e)
        {
            await store.DeleteAsync(name, CancellationToken.None);
            return Reject(e.Message);
        }
        // What can be checked of w' itself before paying: its header and its length (issue 11 #8; the rest is A6).
        var header = new byte[Protocol.Encryption.WorkEncryptionFormat.HeaderSize];
        int got;
        await using (var head = await store.OpenReadRangeAsync(name, 0, Math.Min(header.Length, work.Length), ct))
            got = await head.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, ct);
        if (Protocol.Encryption.WorkShape.Problem(header.AsSpan(0, got), work.Length) is { } shape)
        {
            await store.DeleteAsync(name, CancellationToken.None);
            return Reject($"the stamped w' cannot be the verifier's output: {shape}");
        }
        return new CheckStampResult(true, null, work.Name, "0x" + work.Sha256);

        static CheckStampResult Reject(string reason) => new(false, reason, null, null);
    }
}
