using FairDelegation.Chain.Crypto;
using FairDelegation.Node.Hosting;
using FairDelegation.Node.Model;
using FairDelegation.Node.Peers;
using FairDelegation.Node.Storage;
using FairDelegation.Storage;

namespace FairDelegation.Node.Customer;

/// <summary>
/// Step (2): the verifier and the input go to the provider over the authenticated channel. Small inputs travel inline;
/// larger ones, and the verifier, as shares the provider fetches from this node (checked by length and SHA-256).
/// </summary>
public sealed class SendRequest(IBlobStore store, SharedBlobs shares, NodeUrls urls, PeerClient peers) : TaskActivity<SendRequestInput, PeerResult>
{
    /// <summary>Inputs up to this size are sent inline.</summary>
    public const long InlineLimit = 64 * 1024;

    public override async Task<PeerResult> RunAsync(TaskActivityContext context, SendRequestInput input)
    {
        var ct = CancellationToken.None;
        var a = input.Agreement;
        // One read: up to the inline limit (+1 byte to notice a larger input). Only a larger input needs its properties, for a share.
        BlobReference inputRef;
        byte[]? small;
        await using (var s = await store.OpenReadAsync(input.InputBlob, ct))
        {
            small = await ReadUpToAsync(s, InlineLimit, ct);
        }
        if (small is not null)
        {
            inputRef = new BlobReference { Inline = Convert.ToBase64String(small), Length = small.Length, Sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(small)) };
        }
        else
        {
            var inputInfo = await store.GetPropertiesAsync(input.InputBlob, ct);
            var share = shares.Share(a.AgreementId, input.InputBlob, inputInfo.Length, inputInfo.Sha256Hex!);
            inputRef = new BlobReference { Url = urls.Share(share.Token), Length = share.Length, Sha256 = share.Sha256 };
        }
        var verifierShare = shares.Share(a.AgreementId, input.Verifier.Name, input.Verifier.Length, input.Verifier.Sha256);
        var verifierRef = new BlobReference { Url = urls.Share(verifierShare.Token), Length = verifierShare.Length, Sha256 = verifierShare.Sha256 };

        try
        {
            var reply = await peers.SendAsync(a.PeerUrl, PeerKinds.RequestRoute, EthereumAddress.Parse(a.PeerIdentity), PeerKinds.DelegationRequest,
                a.AgreementId, MessageIds.For(input.QuoteRound == 0 ? context.IdempotencyKey : $"{context.IdempotencyKey}:round-{input.QuoteRound}", "request"), PeerJson.Serialize(new DelegationRequestMessage(inputRef, verifierRef)), ct);
            return PeerJson.Deserialize<PeerResult>(reply, "reply to the request");
        }
        catch (PeerCallException e) when (e.Refused)
        {
            return PeerResult.Refuse(e.Message);
        }
    }

    /// <summary>The whole stream when it holds at most <paramref name="limit"/> bytes, else null (having read limit + 1).</summary>
    private static async Task<byte[]?> ReadUpToAsync(Stream s, long limit, CancellationToken ct)
    {
        var buffer = new byte[limit + 1];
        var filled = 0;
        int n;
        while (filled < buffer.Length && (n = await s.ReadAsync(buffer.AsMemory(filled), ct)) > 0) filled += n;
        return filled <= limit ? buffer[..filled] : null;
    }
}
