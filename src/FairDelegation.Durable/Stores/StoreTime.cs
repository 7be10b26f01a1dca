namespace FairDelegation.Durable.Stores;

/// <summary>Stores keep times as UTC milliseconds since the Unix epoch.</summary>
internal static class StoreTime
{
    public static long Ms(DateTimeOffset t) => t.ToUnixTimeMilliseconds();
    public static long Ms(DateTime utc) => new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)).ToUnixTimeMilliseconds();
    public static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
    public static DateTimeOffset FromMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    /// <summary>Continuation tokens are the last instance id, base64url so callers treat them as opaque.</summary>
    public static string EncodeToken(string lastId) =>
        Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(lastId)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string DecodeToken(string token)
    {
        try
        {
            var s = token.Replace('-', '+').Replace('_', '/');
            s = s.PadRight(s.Length + (4 - s.Length % 4) % 4, '=');
            return System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(s));
        }
        catch (FormatException)
        {
            throw new ArgumentException($"'{token}' is not a continuation token returned by a previous query", nameof(token));
        }
    }
}
