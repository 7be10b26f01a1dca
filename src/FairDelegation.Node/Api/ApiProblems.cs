using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace FairDelegation.Node.Api;

/// <summary>ProblemDetails for every API error: a title, a detail naming the field and the reason, the status.</summary>
public static class ApiProblems
{
    /// <summary>A ProblemDetails result.</summary>
    public static IResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail);

    /// <summary>404: nothing under this id.</summary>
    public static IResult NotFound(string what, string id) =>
        Problem(StatusCodes.Status404NotFound, $"unknown {what}", $"no {what} '{id}' on this node");

    /// <summary>400 with errors[field] = reasons.</summary>
    public static IResult Validation(IDictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, title: "the request is not valid",
            detail: string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}")));

    /// <summary>400 with one field's reason.</summary>
    public static IResult Validation(string field, string reason) =>
        Validation(new Dictionary<string, string[]> { [field] = [reason] });

    /// <summary>
    /// Reads a JSON body of at most <paramref name="limit"/> bytes. Returns the value, or the problem to answer:
    /// 413 when too large, 415 when not JSON, 400 (naming the JSON path) when malformed or empty.
    /// </summary>
    public static async Task<(T? Value, IResult? Problem)> ReadJsonAsync<T>(HttpRequest request, long limit, JsonSerializerOptions options,
        CancellationToken ct) where T : class
    {
        if (request.ContentLength > limit) return (null, TooLarge(limit));
        if (request.ContentType is { } type && !type.Contains("json", StringComparison.OrdinalIgnoreCase))
            return (null, Problem(StatusCodes.Status415UnsupportedMediaType, "unsupported media type", $"send the body as application/json, not {type}"));
        try
        {
            await using var body = new LimitedReadStream(request.Body, limit);
            var value = await JsonSerializer.DeserializeAsync<T>(body, options, ct);
            return value is null ? (null, Validation("body", "a JSON object is required")) : (value, null);
        }
        catch (RequestTooLargeException)
        {
            return (null, TooLarge(limit));
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge(limit));
        }
        catch (JsonException e)
        {
            var field = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "body" : e.Path.TrimStart('$', '.');
            var reason = e.Message.Split(" Path:", 2)[0];
            return (null, TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [reason] },
                title: "the body is not valid JSON for this route", detail: $"{field}: {reason}"));
        }
    }

    /// <summary>Parses an optional integer query parameter; a malformed one is recorded in <paramref name="errors"/>.</summary>
    public static int? Int(string? text, string name, IDictionary<string, string[]> errors)
    {
        if (string.IsNullOrEmpty(text)) return null;
        if (int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var v)) return v;
        errors[name] = [$"'{text}' is not an integer"];
        return null;
    }

    /// <summary>Parses an optional boolean query parameter (true/false).</summary>
    public static bool? Bool(string? text, string name, IDictionary<string, string[]> errors)
    {
        if (string.IsNullOrEmpty(text)) return null;
        if (bool.TryParse(text, out var v)) return v;
        errors[name] = [$"'{text}' is not true or false"];
        return null;
    }

    /// <summary>Parses an optional ISO 8601 time query parameter.</summary>
    public static DateTimeOffset? Time(string? text, string name, IDictionary<string, string[]> errors)
    {
        if (string.IsNullOrEmpty(text)) return null;
        if (DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var v)) return v;
        errors[name] = [$"'{text}' is not an ISO 8601 time (e.g. 2026-11-21T12:00:00Z)"];
        return null;
    }

    /// <summary>413 naming the limit.</summary>
    public static IResult TooLarge(long limit) =>
        Problem(StatusCodes.Status413PayloadTooLarge, "request body too large", $"the body is larger than this node's limit of {limit} bytes (FairDelegation:Api:MaxRequestBytes)");

    private sealed class RequestTooLargeException() : IOException("request body too large");

    /// <summary>Throws once more than the limit has been read (the test host and chunked bodies have no Content-Length).</summary>
    private sealed class LimitedReadStream(Stream inner, long limit) : Stream
    {
        private long _read;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken));
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
        private int Count(int n)
        {
            _read += n;
            if (_read > limit) throw new RequestTooLargeException();
            return n;
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
