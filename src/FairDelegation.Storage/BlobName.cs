namespace FairDelegation.Storage;

/// <summary>
/// The one naming rule shared by every store, so a name valid for the file system is valid for Azure and back:
/// a relative '/'-separated path of non-empty segments, no '.'/'..' segments (no escape from the store's root),
/// no segment ending in '.', no control or Windows-reserved characters, at most 1024 UTF-16 characters.
/// Spaces and any other Unicode are allowed.
/// </summary>
public static class BlobName
{
    /// <summary>Leaf names with this prefix are the stores' in-flight temporary objects (file store temp files, Azure staging blobs); reserved.</summary>
    internal const string TempPrefix = ".fdtmp-";

    public const int MaxLength = 1024;

    /// <summary>Whether a stored name is a store's own temporary object (a segment starts with the reserved prefix).</summary>
    internal static bool IsReserved(string name) =>
        name.StartsWith(TempPrefix, StringComparison.Ordinal) || name.Contains("/" + TempPrefix, StringComparison.Ordinal);

    /// <summary>Throws <see cref="InvalidBlobNameException"/> unless <paramref name="name"/> is a valid blob name; returns it.</summary>
    public static string Validate(string? name)
    {
        if (string.IsNullOrEmpty(name)) throw new InvalidBlobNameException(name ?? "", "it is empty");
        CheckCharacters(name, name);
        if (name.StartsWith('/')) throw new InvalidBlobNameException(name, "it is absolute (starts with '/')");
        if (name.EndsWith('/')) throw new InvalidBlobNameException(name, "it ends with '/'");
        foreach (var segment in name.Split('/'))
        {
            if (segment.Length == 0) throw new InvalidBlobNameException(name, "it has an empty segment ('//')");
            if (segment is "." or "..") throw new InvalidBlobNameException(name, $"segment '{segment}' is not allowed");
            if (segment.EndsWith('.')) throw new InvalidBlobNameException(name, $"segment '{segment}' ends with '.'");
            if (segment.StartsWith(TempPrefix, StringComparison.Ordinal))
                throw new InvalidBlobNameException(name, $"segments starting with '{TempPrefix}' are reserved");
        }
        return name;
    }

    /// <summary>Checks a list prefix: empty, or a name-like string that may end anywhere (even after '/').</summary>
    public static string ValidatePrefix(string? prefix)
    {
        if (string.IsNullOrEmpty(prefix)) return "";
        CheckCharacters(prefix, prefix);
        if (prefix.StartsWith('/')) throw new InvalidBlobNameException(prefix, "a prefix is relative (starts with '/')");
        var segments = prefix.Split('/');
        for (var i = 0; i < segments.Length; i++)
        {
            var last = i == segments.Length - 1;
            if (!last && segments[i].Length == 0) throw new InvalidBlobNameException(prefix, "it has an empty segment ('//')");
            if (!last && segments[i] is "." or "..") throw new InvalidBlobNameException(prefix, $"segment '{segments[i]}' is not allowed");
            if (last && segments[i] == "..") throw new InvalidBlobNameException(prefix, "segment '..' is not allowed");
        }
        return prefix;
    }

    private static void CheckCharacters(string value, string shown)
    {
        if (value.Length > MaxLength) throw new InvalidBlobNameException(shown[..40] + "...", $"it is {value.Length} characters long (max {MaxLength})");
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsControl(c)) throw new InvalidBlobNameException(shown, $"control character U+{(int)c:X4} at {i}");
            if (c is '\\' or ':' or '*' or '?' or '"' or '<' or '>' or '|')
                throw new InvalidBlobNameException(shown, $"character '{c}' at {i} is not allowed");
            if (char.IsHighSurrogate(c) && (i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1])) || char.IsLowSurrogate(c) && (i == 0 || !char.IsHighSurrogate(value[i - 1])))
                throw new InvalidBlobNameException(shown, $"unpaired surrogate at {i}");
        }
    }
}
