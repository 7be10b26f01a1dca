using System.Security.Cryptography;
using FairDelegation.Protocol.Agreements;
using FairDelegation.Protocol.Encryption;
using FairDelegation.Protocol.IO;
using FairDelegation.Protocol.Keys;

namespace FairDelegation.Protocol.Delivery;

/// <summary>The key revealed on chain is not the agreed work key: P(pk_sp, sk) fails.</summary>
public sealed class RevealedKeyMismatchException(string message) : CryptographicException(message);

/// <summary>Step (11): c takes sk_sp from the claim event and decrypts w'.</summary>
public static class RevealedKey
{
    /// <summary>P(pk_sp, sk): throws <see cref="RevealedKeyMismatchException"/> unless sk is the agreed work key's.</summary>
    public static void EnsureMatches(AgreementTerms terms, ReadOnlySpan<byte> revealedKey)
    {
        if (!DisposableKeyPair.Matches(terms.WorkPublicKey, revealedKey))
            throw new RevealedKeyMismatchException($"the revealed key is not the private key of the agreed work key {terms.WorkKey}");
    }

    /// <summary>
    /// Checks P first, then decrypts w' into <paramref name="plaintext"/>. When <paramref name="expectedHash"/> is given
    /// (the escrowed H(w')), w' is hashed as it is read and a mismatch fails after decryption: the caller must then
    /// discard the output (write through <see cref="AtomicFile"/>).
    /// </summary>
    public static async Task<WorkDecryptionResult> DecryptWorkAsync(AgreementTerms terms, byte[] revealedKey, Stream ciphertext,
        Stream plaintext, WorkHash? expectedHash = null, CancellationToken cancellationToken = default)
    {
        EnsureMatches(terms, revealedKey);
        await using var hashing = new HashingReadStream(ciphertext);
        var result = await WorkEncryption.DecryptAsync(hashing, plaintext, revealedKey, cancellationToken);
        if (expectedHash is not null && WorkHash.FromBytes(hashing.CurrentHash()) != expectedHash)
            throw new WorkDecryptionException(WorkDecryptionFailure.Corrupted,
                $"the encrypted work does not hash to the escrowed {expectedHash}");
        return result;
    }
}
