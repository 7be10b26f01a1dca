using FairDelegation.Protocol.Agreements;
using FairDelegation.Protocol.Encryption;
using FairDelegation.Protocol.IO;
using FairDelegation.Protocol.Stamps;

namespace FairDelegation.Protocol.Delivery;

/// <summary>Why c rejects a delivery at step (7); nothing is paid.</summary>
public enum DeliveryRejection
{
    /// <summary>The stamp is for another agreement.</summary>
    WrongAgreement,
    /// <summary>The stamp names a work key other than the agreed pk_sp.</summary>
    WrongWorkKey,
    /// <summary>The stamp names a wage other than the agreed one.</summary>
    WrongWage,
    /// <summary>The signature is not by the agreed verifier key pk_c (or does not recover at all).</summary>
    WrongSigner,
    /// <summary>H(w') of the delivered bytes differs from the stamped hash.</summary>
    HashMismatch,
}

/// <summary>A delivery failed the step (7) check.</summary>
public sealed class DeliveryRejectedException(DeliveryRejection reason, string message) : Exception(message)
{
    public DeliveryRejection Reason { get; } = reason;
}

/// <summary>Step (7): c checks the delivered w' and stamp against the terms and pk_c before opening the escrow.</summary>
public static class DeliveryCheck
{
    /// <summary>Checks the stamp alone (agreement, work key, wage, signer); throws <see cref="DeliveryRejectedException"/>.</summary>
    public static void CheckStamp(AgreementTerms terms, Stamp stamp)
    {
        if (stamp.AgreementId != terms.AgreementId)
            throw new DeliveryRejectedException(DeliveryRejection.WrongAgreement,
                $"stamp is for agreement {stamp.AgreementId}, not {terms.AgreementId}");
        if (stamp.WorkKey != terms.WorkKey)
            throw new DeliveryRejectedException(DeliveryRejection.WrongWorkKey,
                $"stamp names work key {stamp.WorkKey}, the terms {terms.WorkKey}");
        if (stamp.Wage != terms.Wage)
            throw new DeliveryRejectedException(DeliveryRejection.WrongWage, $"stamp names wage {stamp.Wage} wei, the terms {terms.Wage} wei");
        Chain.Crypto.EthereumAddress signer;
        try { signer = stamp.RecoverSigner(terms.ChainId, terms.Escrow); }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw new DeliveryRejectedException(DeliveryRejection.WrongSigner, $"stamp signature is invalid: {e.Message}");
        }
        if (signer != terms.VerifierKey)
            throw new DeliveryRejectedException(DeliveryRejection.WrongSigner,
                $"stamp is signed by {signer}, not by the verifier key {terms.VerifierKey}");
    }

    /// <summary>Checks a stamp against an already computed H(w').</summary>
    public static void Check(AgreementTerms terms, Stamp stamp, WorkHash actualHash)
    {
        CheckStamp(terms, stamp);
        if (actualHash != stamp.WorkHash)
            throw new DeliveryRejectedException(DeliveryRejection.HashMismatch,
                $"delivered work hashes to {actualHash}, the stamp says {stamp.WorkHash}");
    }

    /// <summary>
    /// Checks the stamp, then reads w' to its end (copying it to <paramref name="copyTo"/> when given, e.g. into c's
    /// own storage) while hashing it, and compares with the stamped hash. Returns H(w'). The stamp is checked first,
    /// so a bad stamp costs no read of a large work.
    /// </summary>
    public static async Task<WorkHash> CheckAsync(AgreementTerms terms, Stamp stamp, Stream ciphertext, Stream? copyTo = null,
        CancellationToken cancellationToken = default)
    {
        CheckStamp(terms, stamp);
        await using var hashing = new HashingReadStream(ciphertext);
        if (copyTo is null) await hashing.CopyToAsync(Stream.Null, 1 << 20, cancellationToken);
        else await hashing.CopyToAsync(copyTo, 1 << 20, cancellationToken);
        var actual = WorkHash.FromBytes(hashing.CurrentHash());
        Check(terms, stamp, actual);
        return actual;
    }
}
