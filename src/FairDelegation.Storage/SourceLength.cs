namespace FairDelegation.Storage;

/// <summary>What a source stream declares about its length: Length - Position for a seekable stream, else nothing.</summary>
internal static class SourceLength
{
    /// <summary>The bytes left from the current position, or null when the stream cannot tell (not seekable).</summary>
    public static long? Remaining(Stream content)
    {
        if (!content.CanSeek) return null;
        try
        {
            return Math.Max(0, content.Length - content.Position);
        }
        catch (NotSupportedException)
        {
            return null;
        }
    }
}
