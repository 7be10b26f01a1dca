using System.Security.Cryptography;

namespace FairDelegation.Node.Storage;

/// <summary>A blob this node lets one peer fetch, by an unguessable token given over the authenticated channel.</summary>
public sealed record SharedBlob(string Token, string AgreementId, string BlobName, long Length, string Sha256);

/// <summary>
/// Blobs shared with peers (the customer's input and verifier, the provider's w'): GET /api/peer/shares/{token}
/// streams them. The token (256 random bits) is the capability; it only ever travels inside signed messages.
/// </summary>
public sealed class SharedBlobs(NodeDatabase database)
{
    /// <summary>Shares a blob and returns its token; sharing the same blob again for the same agreement returns the same token.</summary>
    public SharedBlob Share(string agreementId, string blobName, long length, string sha256)
    {
        using var c = database.Open();
        using (var find = NodeDatabase.Command(c, "SELECT token FROM shares WHERE agreement_id = $a AND blob_name = $b AND sha256 = $h",
                   ("$a", agreementId), ("$b", blobName), ("$h", sha256)))
        {
            if (find.ExecuteScalar() is string existing) return new SharedBlob(existing, agreementId, blobName, length, sha256);
        }
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        NodeDatabase.Execute(c, "INSERT INTO shares (token, agreement_id, blob_name, length, sha256, created_utc) VALUES ($t, $a, $b, $l, $h, $u)",
            ("$t", token), ("$a", agreementId), ("$b", blobName), ("$l", length), ("$h", sha256), ("$u", DateTime.UtcNow.ToString("O")));
        return new SharedBlob(token, agreementId, blobName, length, sha256);
    }

    /// <summary>The share behind a token, or null.</summary>
    public SharedBlob? Find(string token)
    {
        if (token.Length != 64 || !token.All(Uri.IsHexDigit)) return null;
        using var c = database.Open();
        using var cmd = NodeDatabase.Command(c, "SELECT agreement_id, blob_name, length, sha256 FROM shares WHERE token = $t", ("$t", token.ToLowerInvariant()));
        using var r = cmd.ExecuteReader();
        return r.Read() ? new SharedBlob(token, r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetString(3)) : null;
    }
}
