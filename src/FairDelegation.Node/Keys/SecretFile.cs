using System.Security.Cryptography;

namespace FairDelegation.Node.Keys;

/// <summary>Reads or creates a small secret file readable by the node's user only (0600).</summary>
public static class SecretFile
{
    /// <summary>
    /// The file's text; when the file does not exist, <paramref name="create"/> makes the content and the file is
    /// written atomically with mode 0600 (a temp file renamed into place, so a crash never leaves half a key).
    /// </summary>
    public static string ReadOrCreate(string path, Func<string> create)
    {
        var full = Path.GetFullPath(path);
        if (File.Exists(full)) return File.ReadAllText(full).Trim();
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var content = create();
        var temp = full + "." + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)) + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(temp, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(content);
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }
        try
        {
            // Another process may have won the race: keep its key, never overwrite one.
            File.Move(temp, full, overwrite: false);
        }
        catch (IOException) when (File.Exists(full))
        {
            File.Delete(temp);
        }
        return File.ReadAllText(full).Trim();
    }
}
