using System.Buffers.Binary;
using System.Security.Cryptography;
using FairDelegation.Chain.Crypto;
using FairDelegation.Protocol.Keys;
using static FairDelegation.Protocol.Encryption.WorkEncryptionFormat;

namespace FairDelegation.Protocol.Encryption;

/// <summary>What E(pk, w) produced: H(w') and the sizes.</summary>
public sealed record WorkEncryptionResult(WorkHash WorkHash, long PlaintextLength, long CiphertextLength);

/// <summary>What D(sk, w') produced.</summary>
public sealed record WorkDecryptionResult(long PlaintextLength, long CiphertextLength);

/// <summary>
/// E(pk, w) and D(sk, w'): ECIES-wrapped random file key + STREAM over AES-256-GCM segments
/// (docs/formats/work-encryption.md). Both stream with constant memory; encryption hashes w' in the same pass.
/// </summary>
public static class WorkEncryption
{
    // About 256 KiB of ciphertext (4 segments) per hand-off between the AES thread and the SHA-256 thread, 6 in
    // flight: ~1.5 MiB, small enough to stay in cache between encryption and hashing, enough to absorb jitter.
    private const int BatchBytes = 4 * (DefaultSegmentSize + TagSize);
    private const int BatchesInFlight = 6;

    /// <summary>
    /// Encrypts <paramref name="plaintext"/> to <paramref name="recipient"/>, writing w' to <paramref name="ciphertext"/>
    /// and returning H(w') computed while writing. Neither stream is closed.
    /// </summary>
    public static WorkEncryptionResult Encrypt(Stream plaintext, Stream ciphertext, PublicKey recipient,
        CancellationToken cancellationToken = default)
    {
        var fileKey = RandomNumberGenerator.GetBytes(KeySize);
        var ephemeral = NewEphemeralPrivateKey();
        try
        {
            return EncryptCore(plaintext, ciphertext, recipient, ephemeral, fileKey, DefaultSegmentSize, cancellationToken);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(fileKey);
            CryptographicOperations.ZeroMemory(ephemeral);
        }
    }

    /// <summary>Encryption with hashing on the caller's thread: only for the bench's sequential reference.</summary>
    internal static WorkEncryptionResult EncryptSequential(Stream plaintext, Stream ciphertext, PublicKey recipient)
    {
        var fileKey = RandomNumberGenerator.GetBytes(KeySize);
        var ephemeral = NewEphemeralPrivateKey();
        try
        {
            return EncryptCore(plaintext, ciphertext, recipient, ephemeral, fileKey, DefaultSegmentSize, default, pipelined: false);
        }
        finally { CryptographicOperations.ZeroMemory(ephemeral); }
    }

    /// <summary>
    /// A fresh ephemeral private key from the OS CSPRNG, rejection-sampled into [1, n). Only its public key goes
    /// into the header (derived once there), so no key pair object (which would also derive pk and its address).
    /// </summary>
    private static byte[] NewEphemeralPrivateKey()
    {
        var sk = new byte[32];
        do RandomNumberGenerator.Fill(sk);
        while (!Secp256k1.IsValidPrivateKey(sk));
        return sk;
    }

    /// <summary><see cref="Encrypt"/> on a worker thread (the work is CPU-bound).</summary>
    public static Task<WorkEncryptionResult> EncryptAsync(Stream plaintext, Stream ciphertext, PublicKey recipient,
        CancellationToken cancellationToken = default) =>
        Task.Run(() => Encrypt(plaintext, ciphertext, recipient, cancellationToken), cancellationToken);

    /// <summary>
    /// The deterministic core, public to tests only through InternalsVisibleTo: production callers always get a
    /// fresh ephemeral key and file key from <see cref="Encrypt"/>.
    /// </summary>
    internal static WorkEncryptionResult EncryptCore(Stream plaintext, Stream ciphertext, PublicKey recipient,
        byte[] ephemeralPrivateKey, byte[] fileKey, int segmentSize, CancellationToken cancellationToken, bool pipelined = true)
    {
        if (segmentSize < 1 || segmentSize > MaxSegmentSize) throw new ArgumentOutOfRangeException(nameof(segmentSize));
        var header = BuildHeader(recipient, ephemeralPrivateKey, fileKey, segmentSize);
        var payloadKey = PayloadKey(fileKey, header);
        using var aes = new AesGcm(payloadKey, TagSize);
        CryptographicOperations.ZeroMemory(payloadKey);

        var current = new byte[segmentSize];
        var next = new byte[segmentSize];
        Span<byte> nonce = stackalloc byte[NonceSize];
        long plaintextLength = 0;
        var currentLength = plaintext.ReadAtLeast(current, segmentSize, throwOnEndOfStream: false);

        // A work that fits in one segment (the usual small input or result) is one hash of a few KiB: a hashing thread
        // and the ring's ~1.5 MiB of batches (large-object heap, so each one brought gen-2 collections) would cost far
        // more than they overlap. It gets one batch of its own size, hashed on this thread.
        var single = currentLength < segmentSize;
        var segmentsPerBatch = Math.Max(1, BatchBytes / (segmentSize + TagSize));
        var batchCapacity = single
            ? HeaderSize + currentLength + TagSize
            : Math.Max(segmentsPerBatch * (segmentSize + TagSize), HeaderSize + segmentSize + TagSize);
        pipelined &= !single;
        using var writer = new HashingWriter(ciphertext, batchCapacity, pipelined ? BatchesInFlight : 1, cancellationToken, pipelined);

        var batch = writer.Rent();
        header.CopyTo(batch.Buffer, 0);
        batch.Count = HeaderSize;
        for (ulong index = 0; ; index++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // A segment is the last one when the input ends inside it or right after it: look one segment ahead.
            var nextLength = 0;
            var last = currentLength < segmentSize
                       || (nextLength = plaintext.ReadAtLeast(next, segmentSize, throwOnEndOfStream: false)) == 0;

            if (batch.Buffer.Length - batch.Count < currentLength + TagSize)
            {
                writer.Submit(batch);
                batch = writer.Rent();
            }
            SegmentNonce(nonce, index, last);
            var output = batch.Buffer.AsSpan(batch.Count, currentLength + TagSize);
            aes.Encrypt(nonce, current.AsSpan(0, currentLength), output[..currentLength], output[currentLength..]);
            batch.Count += currentLength + TagSize;
            plaintextLength += currentLength;

            if (last) break;
            (current, next) = (next, current);
            currentLength = nextLength;
        }
        writer.Submit(batch);
        var (hash, length) = writer.Complete();
        return new WorkEncryptionResult(WorkHash.FromBytes(hash), plaintextLength, length);
    }

    /// <summary>
    /// Decrypts w' with the private key, writing w to <paramref name="plaintext"/>. Each segment is authenticated
    /// before its plaintext is written, but a failure can come after earlier segments were written: on a
    /// <see cref="WorkDecryptionException"/> the caller must discard the output.
    /// </summary>
    public static WorkDecryptionResult Decrypt(Stream ciphertext, Stream plaintext, ReadOnlySpan<byte> privateKey,
        CancellationToken cancellationToken = default)
    {
        if (!Secp256k1.IsValidPrivateKey(privateKey)) throw new FormatException("malformed private key: expected 32 bytes in [1, n) of secp256k1");
        var header = new byte[HeaderSize];
        var got = ciphertext.ReadAtLeast(header, HeaderSize, throwOnEndOfStream: false);
        if (got < Magic.Length || !header.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new WorkDecryptionException(WorkDecryptionFailure.NotEncryptedWork, "not an encrypted work (bad magic bytes)");
        if (got < HeaderSize)
            throw new WorkDecryptionException(WorkDecryptionFailure.Truncated, "encrypted work is truncated (incomplete header)");
        if (header[4] != FormatVersion)
            throw new WorkDecryptionException(WorkDecryptionFailure.UnsupportedFormat, $"unsupported work-encryption version {header[4]}");
        var segmentSize = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(5, 4));
        if (segmentSize < 1 || segmentSize > MaxSegmentSize)
            throw new WorkDecryptionException(WorkDecryptionFailure.UnsupportedFormat, $"unsupported segment size {segmentSize}");

        var fileKey = UnwrapFileKey(header, privateKey.ToArray());
        var payloadKey = PayloadKey(fileKey, header);
        CryptographicOperations.ZeroMemory(fileKey);
        using var aes = new AesGcm(payloadKey, TagSize);
        CryptographicOperations.ZeroMemory(payloadKey);

        var full = (int)segmentSize + TagSize;
        var current = new byte[full];
        var next = new byte[full];
        var output = new byte[segmentSize];
        Span<byte> nonce = stackalloc byte[NonceSize];
        long plaintextLength = 0;
        long ciphertextLength = HeaderSize;

        var currentLength = ciphertext.ReadAtLeast(current, full, throwOnEndOfStream: false);
        for (ulong index = 0; ; index++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var nextLength = 0;
            var last = currentLength < full || (nextLength = ciphertext.ReadAtLeast(next, full, throwOnEndOfStream: false)) == 0;
            if (currentLength < TagSize || (last && currentLength == TagSize && index > 0))
                throw new WorkDecryptionException(WorkDecryptionFailure.Truncated, "encrypted work is truncated (incomplete last segment)");

            var length = currentLength - TagSize;
            var segment = current.AsSpan(0, currentLength);
            SegmentNonce(nonce, index, last);
            try
            {
                aes.Decrypt(nonce, segment[..length], segment[length..], output.AsSpan(0, length));
            }
            catch (AuthenticationTagMismatchException)
            {
                throw SegmentFailure(aes, nonce, index, last, segment, output);
            }
            plaintext.Write(output, 0, length);
            plaintextLength += length;
            ciphertextLength += currentLength;
            if (last) break;
            (current, next) = (next, current);
            currentLength = nextLength;
        }
        plaintext.Flush();
        return new WorkDecryptionResult(plaintextLength, ciphertextLength);
    }

    /// <summary>Decrypts a file to a file; see <see cref="Decrypt(Stream, Stream, ReadOnlySpan{byte}, CancellationToken)"/>.</summary>
    public static Task<WorkDecryptionResult> DecryptAsync(Stream ciphertext, Stream plaintext, byte[] privateKey,
        CancellationToken cancellationToken = default) =>
        Task.Run(() => Decrypt(ciphertext, plaintext, privateKey, cancellationToken), cancellationToken);

    /// <summary>Reads only the header: the segment size and the ephemeral public key, for inspection.</summary>
    public static (int SegmentSize, PublicKey EphemeralKey) ReadHeader(Stream ciphertext)
    {
        var header = new byte[HeaderSize];
        var got = ciphertext.ReadAtLeast(header, HeaderSize, throwOnEndOfStream: false);
        if (got < Magic.Length || !header.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new WorkDecryptionException(WorkDecryptionFailure.NotEncryptedWork, "not an encrypted work (bad magic bytes)");
        if (got < HeaderSize) throw new WorkDecryptionException(WorkDecryptionFailure.Truncated, "encrypted work is truncated (incomplete header)");
        return ((int)BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(5, 4)),
            PublicKey.FromBytes(header.AsSpan(EphemeralKeyOffset, EphemeralKeySize)));
    }

    private static byte[] BuildHeader(PublicKey recipient, byte[] ephemeralPrivateKey, byte[] fileKey, int segmentSize)
    {
        var header = new byte[HeaderSize];
        Magic.CopyTo(header);
        header[4] = FormatVersion;
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(5, 4), (uint)segmentSize);
        header[EphemeralKeyOffset] = 0x04;
        Secp256k1.PublicKeyFromPrivateKey(ephemeralPrivateKey, header.AsSpan(EphemeralKeyOffset + 1, 64));

        var shared = Secp256k1.SharedSecretX(ephemeralPrivateKey, recipient.Bytes);
        var wrapKey = WrapKey(shared, header.AsSpan(EphemeralKeyOffset, EphemeralKeySize), recipient.Bytes);
        CryptographicOperations.ZeroMemory(shared);
        using (var wrap = new AesGcm(wrapKey, TagSize))
        {
            // A zero nonce is safe: the wrap key is unique to this file's ephemeral key.
            wrap.Encrypt(stackalloc byte[NonceSize], fileKey,
                header.AsSpan(WrappedKeyOffset, KeySize), header.AsSpan(WrappedKeyOffset + KeySize, TagSize),
                header.AsSpan(0, WrappedKeyOffset));
        }
        CryptographicOperations.ZeroMemory(wrapKey);
        return header;
    }

    private static byte[] UnwrapFileKey(byte[] header, byte[] privateKey)
    {
        try
        {
            byte[] shared;
            try { shared = Secp256k1.SharedSecretX(privateKey, header.AsSpan(EphemeralKeyOffset, EphemeralKeySize)); }
            catch (FormatException)
            {
                throw new WorkDecryptionException(WorkDecryptionFailure.Corrupted, "encrypted work header is corrupted (invalid ephemeral key)");
            }
            var recipient = Secp256k1.PublicKeyFromPrivateKey(privateKey);
            var wrapKey = WrapKey(shared, header.AsSpan(EphemeralKeyOffset, EphemeralKeySize), recipient);
            CryptographicOperations.ZeroMemory(shared);
            var fileKey = new byte[KeySize];
            using var wrap = new AesGcm(wrapKey, TagSize);
            CryptographicOperations.ZeroMemory(wrapKey);
            try
            {
                wrap.Decrypt(stackalloc byte[NonceSize], header.AsSpan(WrappedKeyOffset, KeySize),
                    header.AsSpan(WrappedKeyOffset + KeySize, TagSize), fileKey, header.AsSpan(0, WrappedKeyOffset));
            }
            catch (AuthenticationTagMismatchException)
            {
                throw new WorkDecryptionException(WorkDecryptionFailure.WrongKey,
                    "this key does not decrypt the work (wrong private key, or the header was altered)");
            }
            return fileKey;
        }
        finally { CryptographicOperations.ZeroMemory(privateKey); }
    }

    /// <summary>Tells truncation (the data stops after a segment that authenticates as non-final) from corruption.</summary>
    private static WorkDecryptionException SegmentFailure(AesGcm aes, Span<byte> nonce, ulong index, bool last,
        ReadOnlySpan<byte> segment, byte[] scratch)
    {
        if (last)
        {
            SegmentNonce(nonce, index, last: false);
            var length = segment.Length - TagSize;
            try
            {
                aes.Decrypt(nonce, segment[..length], segment[length..], scratch.AsSpan(0, length));
                return new WorkDecryptionException(WorkDecryptionFailure.Truncated,
                    $"encrypted work is truncated (segments missing after segment {index})");
            }
            catch (AuthenticationTagMismatchException) { }
        }
        return new WorkDecryptionException(WorkDecryptionFailure.Corrupted,
            $"encrypted work is corrupted: segment {index} fails authentication (altered, reordered or from another file)");
    }
}
