using System.Buffers;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace FairDelegation.Storage.FileSystem;

/// <summary>
/// The embedded default store: one file per blob under a root directory, named by the blob name. A write goes to a
/// temporary file in the target's directory, is fsync'ed, then renamed over the target (atomic on POSIX), so a
/// reader sees the old blob or the new one, never a part. Temporary files are invisible to listings.
/// </summary>
public sealed class FileSystemBlobStore : IBlobStore
{
    private const int CopyBufferSize = 1 << 20;

    /// <summary>Opens (creating if needed) a store rooted at <paramref name="rootDirectory"/>.</summary>
    public FileSystemBlobStore(string rootDirectory)
    {
        if (string.IsNullOrWhiteSpace(rootDirectory))
            throw new ArgumentException("the file system blob store needs a directory (Blobs:Path)", nameof(rootDirectory));
        Root = Path.GetFullPath(rootDirectory);
        Directory.CreateDirectory(Root);
    }

    /// <summary>The absolute root directory.</summary>
    public string Root { get; }

    public Task<BlobWriteResult> WriteAsync(string name, Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        return SourceLength.Remaining(content) is { } length
            ? WriteAsync(name, content, length, cancellationToken)
            : WriteCoreAsync(name, content, cancellationToken);
    }

    public Task<BlobWriteResult> WriteAsync(string name, Stream content, long length, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return WriteCoreAsync(name, new DeclaredLengthStream(content, length), cancellationToken);
    }

    /// <summary>Copies the stream to its end into a temporary file, hashing as it goes, then renames it into place.</summary>
    private async Task<BlobWriteResult> WriteCoreAsync(string name, Stream content, CancellationToken cancellationToken)
    {
        var path = PathOf(name);
        var directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, BlobName.TempPrefix + Guid.NewGuid().ToString("N"));
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            long length = 0;
            byte[] sha256;
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0))
            {
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                file.Write(new byte[BlobFileHeader.Size]); // placeholder until the hash is known
                int n;
                while ((n = await content.ReadAsync(buffer.AsMemory(0, CopyBufferSize), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    hash.AppendData(buffer, 0, n);
                    await file.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                    length += n;
                }
                sha256 = hash.GetHashAndReset();
                var header = new byte[BlobFileHeader.Size];
                new BlobFileHeader(length, sha256, DateTimeOffset.UtcNow).WriteTo(header);
                file.Position = 0;
                await file.WriteAsync(header, cancellationToken).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }
            cancellationToken.ThrowIfCancellationRequested();
            File.Move(temp, path, overwrite: true);
            DirectorySync.Flush(directory);
            return new BlobWriteResult(name, length, sha256);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public Task<Stream> OpenReadAsync(string name, CancellationToken cancellationToken = default) =>
        OpenReadRangeAsync(name, 0, long.MaxValue, cancellationToken);

    public Task<Stream> OpenReadRangeAsync(string name, long offset, long length, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var (file, header) = OpenBlobFile(name, bufferSize: 81920);
        try
        {
            var start = Math.Min(offset, header.Length);
            var count = Math.Min(length, header.Length - start);
            return Task.FromResult<Stream>(new ReadOnlySliceStream(file, BlobFileHeader.Size + start, count));
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public Task<BlobInfo> GetPropertiesAsync(string name, CancellationToken cancellationToken = default)
    {
        var (file, header) = OpenBlobFile(name, bufferSize: 0);
        file.Dispose();
        return Task.FromResult(new BlobInfo(name, header.Length, header.Sha256, header.CreatedOn));
    }

    public Task<bool> ExistsAsync(string name, CancellationToken cancellationToken = default) =>
        Task.FromResult(File.Exists(PathOf(name)));

    public Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        var path = PathOf(name);
        if (!File.Exists(path)) return Task.FromResult(false);
        try
        {
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
            return Task.FromResult(false);
        }
        return Task.FromResult(true);
    }

    public async IAsyncEnumerable<BlobInfo> ListAsync(string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        prefix = BlobName.ValidatePrefix(prefix);
        // Only the directory named by the prefix's complete segments can hold matches.
        var slash = prefix.LastIndexOf('/');
        var start = slash < 0 ? Root : Path.Combine(Root, prefix[..slash].Replace('/', Path.DirectorySeparatorChar));
        if (!Directory.Exists(start)) yield break;
        var names = Directory.EnumerateFiles(start, "*", SearchOption.AllDirectories)
            .Where(p => !Path.GetFileName(p).StartsWith(BlobName.TempPrefix, StringComparison.Ordinal))
            .Select(p => Path.GetRelativePath(Root, p).Replace(Path.DirectorySeparatorChar, '/'))
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal))
            .OrderBy(n => n, StringComparer.Ordinal)
            .ToList();
        foreach (var n in names)
        {
            cancellationToken.ThrowIfCancellationRequested();
            BlobInfo info;
            try
            {
                info = await GetPropertiesAsync(n, cancellationToken).ConfigureAwait(false);
            }
            catch (BlobNotFoundException)
            {
                continue; // deleted while listing
            }
            yield return info;
        }
    }

    private (FileStream File, BlobFileHeader Header) OpenBlobFile(string name, int bufferSize)
    {
        var path = PathOf(name);
        FileStream file;
        try
        {
            // FileShare.Delete: a concurrent overwrite (rename) or delete does not disturb an open reader.
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, bufferSize);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException
                                      || e is UnauthorizedAccessException && Directory.Exists(path))
        {
            // A directory is only the common prefix of other blobs, not a blob.
            throw new BlobNotFoundException(name);
        }
        try
        {
            Span<byte> raw = stackalloc byte[BlobFileHeader.Size];
            file.ReadExactly(raw);
            return (file, BlobFileHeader.Read(raw, file.Length, name));
        }
        catch (EndOfStreamException)
        {
            file.Dispose();
            throw new BlobStoreException($"blob file for '{name}' is damaged (shorter than its header)");
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private string PathOf(string name)
    {
        BlobName.Validate(name);
        var path = Path.GetFullPath(Path.Combine(Root, name.Replace('/', Path.DirectorySeparatorChar)));
        // Validation already forbids '..'; this is the belt to its braces.
        if (!path.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new InvalidBlobNameException(name, "it resolves outside the store's directory");
        return path;
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
