using System.Text;

namespace FairDelegation.Storage.Azure;

/// <summary>
/// The Blob service's SharedKey string-to-sign (x-ms-version 2015-02-21 and later), kept separate from the pipeline
/// policy so a raw HttpClient request (the benchmark's baseline) is signed by the very same code.
/// The details that go wrong most often, all handled here:
/// Content-Length is the empty string for a zero-length (or absent) body; the canonicalized resource is
/// "/" + account + the URL's encoded path, so a path-style emulator URL yields /devstoreaccount1/devstoreaccount1/...;
/// query parameters appear with lower-cased names, URL-decoded values, sorted by name, repeated values sorted and comma-joined.
/// </summary>
public static class SharedKeySigner
{
    private static readonly string[] StandardHeaders =
    [
        "Content-Encoding", "Content-Language", "Content-Length", "Content-MD5", "Content-Type", "Date",
        "If-Modified-Since", "If-Match", "If-None-Match", "If-Unmodified-Since", "Range",
    ];

    /// <summary>The string to sign for a request; <paramref name="headers"/> are the request's headers (any case).</summary>
    public static string BuildStringToSign(string method, Uri uri, long? contentLength,
        IEnumerable<KeyValuePair<string, string>> headers, string accountName)
    {
        var all = headers.ToList();
        var sb = new StringBuilder(256);
        sb.Append(method.ToUpperInvariant()).Append('\n');
        foreach (var name in StandardHeaders)
        {
            if (name == "Content-Length")
            {
                // Since 2015-02-21 a zero length is signed as the empty string, not "0".
                if (contentLength is > 0) sb.Append(contentLength.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append(Find(all, name));
            }
            sb.Append('\n');
        }
        AppendCanonicalizedHeaders(sb, all);
        AppendCanonicalizedResource(sb, uri, accountName);
        return sb.ToString();
    }

    /// <summary>The Authorization header value: "SharedKey account:signature".</summary>
    public static string Authorization(StorageSharedKeyCredential credential, string stringToSign) =>
        $"SharedKey {credential.AccountName}:{credential.Sign(stringToSign)}";

    private static string Find(List<KeyValuePair<string, string>> headers, string name)
    {
        foreach (var (k, v) in headers)
            if (k.Equals(name, StringComparison.OrdinalIgnoreCase)) return v;
        return "";
    }

    private static void AppendCanonicalizedHeaders(StringBuilder sb, List<KeyValuePair<string, string>> headers)
    {
        var msHeaders = headers
            .Where(h => h.Key.StartsWith("x-ms-", StringComparison.OrdinalIgnoreCase))
            .GroupBy(h => h.Key.Trim().ToLowerInvariant())
            .OrderBy(g => g.Key, StringComparer.Ordinal);
        foreach (var group in msHeaders)
        {
            sb.Append(group.Key).Append(':').Append(string.Join(",", group.Select(h => UnfoldWhitespace(h.Value)))).Append('\n');
        }
    }

    private static string UnfoldWhitespace(string value) =>
        value.Contains('\n') || value.Contains('\r') ? value.Replace("\r\n", " ").Replace('\n', ' ').Replace('\r', ' ').Trim() : value.Trim();

    private static void AppendCanonicalizedResource(StringBuilder sb, Uri uri, string accountName)
    {
        // AbsolutePath is the encoded path as it goes on the wire; for an emulator URL it starts with the account
        // name already, which is why that name then appears twice.
        sb.Append('/').Append(accountName).Append(uri.AbsolutePath);
        var query = uri.Query;
        if (query.Length <= 1) return;
        var parameters = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var pair in query[1..].Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=');
            var name = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]).ToLowerInvariant();
            var value = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..].Replace('+', ' '));
            if (!parameters.TryGetValue(name, out var values)) parameters[name] = values = [];
            values.Add(value);
        }
        foreach (var (name, values) in parameters)
        {
            values.Sort(StringComparer.Ordinal);
            sb.Append('\n').Append(name).Append(':').Append(string.Join(",", values));
        }
    }
}
