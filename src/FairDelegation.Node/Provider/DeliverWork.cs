using FairDelegation.Chain.Crypto;
using FairDelegation.Node.Hosting;
using FairDelegation.Node.Model;
using FairDelegation.Node.Peers;
using FairDelegation.Node.Storage;

namespace FairDelegation.Node.Provider;

/// <summary>
/// Step (6): w' stays in the provider's blob store; the customer gets a fetchable reference (a share of this node,
/// with w's length and SHA-256) and the stamp, in a signed message.
/// </summary>
public sealed class DeliverWork(SharedBlobs shares, NodeUrls urls, PeerClient peers) : TaskActivity<DeliverWorkInput, PeerResult>
{
    public override async Task<PeerResult> RunAsync(TaskActivityContext context, DeliverWorkInput input)
    {
        var a = input.Agreement;
        var w = input.Work;
        var sha = Convert.ToHexStringLower(Hex.DecodeFixed(w.WorkHash!, 32, "work hash"));
        var share = shares.Share(a.AgreementId, w.EncryptedBlob!, w.Length, sha);
        var reference = new BlobReference { Url = urls.Share(share.Token), Length = w.Length, Sha256 = sha };
        try
        {
            var reply = await peers.SendAsync(a.PeerUrl, PeerKinds.DeliveredRoute, EthereumAddress.Parse(a.PeerIdentity), PeerKinds.WorkDelivered,
                a.AgreementId, MessageIds.For(context.IdempotencyKey, "delivered"), PeerJson.Serialize(new WorkDeliveredMessage(reference, w.Stamp!)),
                CancellationToken.None);
            return PeerJson.Deserialize<PeerResult>(reply, "reply to the delivery");
        }
        catch (PeerCallException e) when (e.Refused)
        {
            return PeerResult.Refuse(e.Message);
        }
    }
}
