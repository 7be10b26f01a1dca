using FairDelegation.Node.Keys;
using FairDelegation.Node.Storage;
using FairDelegation.Protocol.Encryption;
using FairDelegation.Protocol.Delivery;
using FairDelegation.Storage;

namespace FairDelegation.Node.Customer;

/// <summary>
/// Step (11): decrypt w' with sk_sp (read from the chain's KeyRevealed into the key store) into the customer's blob
/// store. The key is first checked against pk_sp of the terms; the plaintext goes to a scratch file and is stored only
/// once every segment authenticated, so a failure leaves no partial result.
/// </summary>
public sealed class DecryptWork(KeyStore keys, IBlobStore store) : TaskActivity<DecryptWorkInput, string>
{
    public override async Task<string> RunAsync(TaskActivityContext context, DecryptWorkInput input)
    {
        var ct = CancellationToken.None;
        var a = input.Agreement;
        var target = $"agreements/{a.AgreementId}/result";
        // Run again after a crash, it decrypts again and writes the same bytes: no need to ask whether the result exists.

        using var key = keys.Open(input.RevealedKeyId);
        // P(pk_sp, sk): the key from the chain must be the agreed work key's.
        RevealedKey.EnsureMatches(a.ParseTerms(), key.Bytes);
        var sk = key.Bytes.ToArray();
        using var scratch = new TempDirectory("fd-decrypt-");
        var plainPath = scratch.File("w");
        try
        {
            await using (var cipher = await store.OpenReadAsync(input.WorkBlob, ct))
            await using (var plain = File.Create(plainPath))
            {
                await WorkEncryption.DecryptAsync(cipher, plain, sk, ct);
            }
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(sk);
        }
        await using (var result = File.OpenRead(plainPath)) await store.WriteAsync(target, result, ct);
        return target;
    }
}
