namespace FairDelegation.Storage;

/// <summary>A blob name or prefix broke the naming rules (see <see cref="BlobName"/>).</summary>
public sealed class InvalidBlobNameException(string name, string reason)
    : ArgumentException($"invalid blob name '{name}': {reason}. Blob names are relative '/'-separated paths " +
                        "(no leading or trailing '/', no empty, '.' or '..' segments, no control characters or \\ : * ? \" < > |, at most 1024 characters).")
{
    public string BlobNameValue { get; } = name;
}
