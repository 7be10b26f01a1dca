using System.Net;

namespace FairDelegation.Storage;

/// <summary>A blob store operation failed; the message says which operation, which blob and why.</summary>
public class BlobStoreException : IOException
{
    public BlobStoreException(string message, Exception? inner = null) : base(message, inner) { }

    public BlobStoreException(string message, HttpStatusCode status, string? errorCode, Exception? inner = null)
        : base(message, inner)
    {
        Status = status;
        ErrorCode = errorCode;
    }

    /// <summary>The HTTP status for a remote store, when the service answered.</summary>
    public HttpStatusCode? Status { get; }

    /// <summary>The service's error code (x-ms-error-code), e.g. AuthenticationFailed.</summary>
    public string? ErrorCode { get; }
}

/// <summary>The named blob (or its container) does not exist.</summary>
public sealed class BlobNotFoundException : BlobStoreException
{
    public BlobNotFoundException(string name, string? detail = null, string? errorCode = null)
        : base($"blob '{name}' not found" + (detail is null ? "" : $" ({detail})"), HttpStatusCode.NotFound, errorCode)
        => BlobName = name;

    public string BlobName { get; }
}

/// <summary>The service refused the credentials (HTTP 403); the message carries the service's code, message and detail.</summary>
public sealed class BlobAuthenticationException : BlobStoreException
{
    public BlobAuthenticationException(string message, string? errorCode, string? authenticationDetail)
        : base(message, HttpStatusCode.Forbidden, errorCode)
        => AuthenticationDetail = authenticationDetail;

    /// <summary>The service's AuthenticationErrorDetail (for SharedKey, the string it signed), when given.</summary>
    public string? AuthenticationDetail { get; }
}

/// <summary>
/// The source stream did not hold the number of bytes it declared (its Length minus its Position, or the length passed
/// to <see cref="IBlobStore.WriteAsync(string, Stream, long, CancellationToken)"/>); nothing was committed.
/// </summary>
public sealed class BlobSourceLengthException : BlobStoreException
{
    public BlobSourceLengthException(long declared, long actual, bool atLeast)
        : base(atLeast
            ? $"the source stream holds more than the {declared} bytes it declared (Stream.Length - Position, or the length passed to WriteAsync); nothing was written"
            : $"the source stream ended after {actual} of the {declared} bytes it declared (Stream.Length - Position, or the length passed to WriteAsync); nothing was written")
    {
        Declared = declared;
        Actual = actual;
    }

    /// <summary>The length the source declared.</summary>
    public long Declared { get; }

    /// <summary>The bytes it actually held (for a longer source: at least this many).</summary>
    public long Actual { get; }
}
