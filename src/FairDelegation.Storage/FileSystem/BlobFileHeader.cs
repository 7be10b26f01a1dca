using System.Buffers.Binary;

namespace FairDelegation.Storage.FileSystem;

/// <summary>
/// The 64-byte header in front of every blob file: magic, length, SHA-256, creation time. Keeping the hash inside the
/// file (rather than in a sidecar) means the rename that publishes the blob publishes its properties with it.
/// </summary>
internal readonly record struct BlobFileHeader(long Length, byte[] Sha256, DateTimeOffset CreatedOn)
{
    public const int Size = 64;
    private static ReadOnlySpan<byte> Magic => "FDBLOB01"u8;

    public void WriteTo(Span<byte> destination)
    {
        destination[..Size].Clear();
        Magic.CopyTo(destination);
        BinaryPrimitives.WriteInt64LittleEndian(destination[8..], Length);
        Sha256.CopyTo(destination[16..48]);
        BinaryPrimitives.WriteInt64LittleEndian(destination[48..], CreatedOn.ToUnixTimeMilliseconds());
    }

    public static BlobFileHeader Read(ReadOnlySpan<byte> source, long fileLength, string name)
    {
        if (source.Length < Size || !source[..8].SequenceEqual(Magic))
            throw new BlobStoreException($"blob file for '{name}' is not a blob store file (bad header)");
        var length = BinaryPrimitives.ReadInt64LittleEndian(source[8..]);
        if (length != fileLength - Size)
            throw new BlobStoreException($"blob file for '{name}' is damaged: header says {length} bytes, file holds {fileLength - Size}");
        return new BlobFileHeader(length, source[16..48].ToArray(),
            DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64LittleEndian(source[48..])));
    }
}
