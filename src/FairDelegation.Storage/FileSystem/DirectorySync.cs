using System.Runtime.InteropServices;

namespace FairDelegation.Storage.FileSystem;

/// <summary>
/// fsync of a directory, so a rename that published a blob survives a crash (POSIX: the rename is durable only
/// once its directory is flushed). .NET has no API for it; on other systems this is a no-op.
/// </summary>
internal static class DirectorySync
{
    private const int ReadOnly = 0; // O_RDONLY: enough to open a directory for fsync (O_DIRECTORY's value differs by CPU)

    public static void Flush(string directory)
    {
        if (!OperatingSystem.IsLinux()) return;
        var fd = Open(directory, ReadOnly);
        if (fd < 0) return; // best effort: the data itself was already fsync'ed
        try
        {
            _ = Fsync(fd);
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int Fsync(int fd);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);
}
