using System.Globalization;

namespace FairDelegation.Cli.Commands;

/// <summary>
/// The benchmarks' memory figures from Linux's /proc/self/status (VmRSS, VmHWM, RssAnon, RssFile, RssShmem): one reader
/// for all of them. Null where the file or the field is missing (not Linux), so callers fall back to Process's figures.
/// </summary>
internal static class ProcSelfStatus
{
    /// <summary>The field's value in bytes (the file gives kB).</summary>
    public static long? Bytes(string field)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith(field, StringComparison.Ordinal))
                    return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException) { }
        return null;
    }
}
