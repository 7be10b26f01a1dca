namespace FairDelegation.Protocol.IO;

/// <summary>
/// Writes a file so that it appears complete or not at all: the content goes to a temp file next to the target
/// (same folder, so the rename is atomic), renamed over the target on success and deleted on any failure.
/// </summary>
public static class AtomicFile
{
    public static async Task<T> WriteAsync<T>(string path, Func<Stream, Task<T>> write, CancellationToken cancellationToken = default)
    {
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"output folder does not exist: {folder}");
        if (Directory.Exists(full)) throw new IOException($"output path is a folder: {path}");
        var temp = Path.Combine(folder, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.partial");
        try
        {
            T result;
            await using (var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                result = await write(output);
                cancellationToken.ThrowIfCancellationRequested();
                await output.FlushAsync(cancellationToken);
                output.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
            return result;
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }
}
