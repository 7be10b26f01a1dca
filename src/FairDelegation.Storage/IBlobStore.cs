namespace FairDelegation.Storage;

/// <summary>
/// Where encrypted work (w') lives: named, immutable-once-written byte blobs. Writes are atomic (a reader sees
/// the whole blob or nothing), hashed while written, and a missing blob is a <see cref="BlobNotFoundException"/>.
/// </summary>
public interface IBlobStore
{
    /// <summary>
    /// Writes (or atomically replaces) the blob <paramref name="name"/> from a stream of any length, read once from
    /// its current position to its end. Returns the length and SHA-256 of exactly the bytes written (computed while
    /// writing). A seekable stream declares its length (Length - Position): if it then ends early or holds more, the
    /// write fails with <see cref="BlobSourceLengthException"/> and commits nothing.
    /// </summary>
    Task<BlobWriteResult> WriteAsync(string name, Stream content, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes exactly <paramref name="length"/> bytes from <paramref name="content"/> (which need not be seekable); a
    /// known length lets a store send the blob as one streamed request. A source holding fewer or more bytes fails
    /// with <see cref="BlobSourceLengthException"/> and commits nothing.
    /// </summary>
    Task<BlobWriteResult> WriteAsync(string name, Stream content, long length, CancellationToken cancellationToken = default);

    /// <summary>Opens the whole blob for reading (streamed; the caller disposes the stream).</summary>
    Task<Stream> OpenReadAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>
    /// Opens <paramref name="length"/> bytes from <paramref name="offset"/>. A range running past the end is cut at
    /// the end; one starting at or after the end reads as empty.
    /// </summary>
    Task<Stream> OpenReadRangeAsync(string name, long offset, long length, CancellationToken cancellationToken = default);

    /// <summary>Length, SHA-256 recorded at write time, and creation time.</summary>
    Task<BlobInfo> GetPropertiesAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Whether a committed blob of that name exists.</summary>
    Task<bool> ExistsAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Deletes the blob; returns false when there was none.</summary>
    Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Committed blobs whose names start with <paramref name="prefix"/>, in ordinal name order.</summary>
    IAsyncEnumerable<BlobInfo> ListAsync(string prefix = "", CancellationToken cancellationToken = default);
}
