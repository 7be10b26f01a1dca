using System.Security.Cryptography;

namespace FairDelegation.Protocol.Encryption;

/// <summary>Why an encrypted work could not be opened.</summary>
public enum WorkDecryptionFailure
{
    /// <summary>The bytes do not start with the work-encryption magic.</summary>
    NotEncryptedWork,
    /// <summary>A format version or segment size this implementation does not read.</summary>
    UnsupportedFormat,
    /// <summary>The file key does not unwrap with this private key (or the header was altered).</summary>
    WrongKey,
    /// <summary>The data ends early: a header cut short, or segments missing from the end.</summary>
    Truncated,
    /// <summary>A segment fails authentication: altered, reordered, or spliced from another file.</summary>
    Corrupted,
}

/// <summary>An encrypted work failed to decrypt; <see cref="Failure"/> says why. Never carries key material.</summary>
public sealed class WorkDecryptionException(WorkDecryptionFailure failure, string message)
    : CryptographicException(message)
{
    public WorkDecryptionFailure Failure { get; } = failure;
}
