using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace FairDelegation.Protocol.Sla;

/// <summary>The work is at most <see cref="MaxBytes"/> bytes.</summary>
public sealed record MaxBytesSla(long MaxBytes) : ServiceLevelAgreement
{
    public override Task<SlaVerdict> CheckAsync(SlaCheckContext context) => Task.FromResult(
        context.WorkLength <= MaxBytes ? SlaVerdict.Pass()
            : SlaVerdict.Violation($"work is {context.WorkLength} bytes, more than the maximum of {MaxBytes}"));

    public override void Validate(IReadOnlyDictionary<string, byte[]> assets)
    {
        if (MaxBytes < 0) throw new FormatException("max-bytes must not be negative");
    }
}

/// <summary>The work is at least <see cref="MinBytes"/> bytes.</summary>
public sealed record MinBytesSla(long MinBytes) : ServiceLevelAgreement
{
    public override Task<SlaVerdict> CheckAsync(SlaCheckContext context) => Task.FromResult(
        context.WorkLength >= MinBytes ? SlaVerdict.Pass()
            : SlaVerdict.Violation($"work is {context.WorkLength} bytes, less than the minimum of {MinBytes}"));

    public override void Validate(IReadOnlyDictionary<string, byte[]> assets)
    {
        if (MinBytes < 0) throw new FormatException("min-bytes must not be negative");
    }
}

/// <summary>The work is valid UTF-8 (checked streaming, any size).</summary>
public sealed record Utf8Sla : ServiceLevelAgreement
{
    public override async Task<SlaVerdict> CheckAsync(SlaCheckContext context)
    {
        var decoder = new UTF8Encoding(false, throwOnInvalidBytes: true).GetDecoder();
        var buffer = new byte[1 << 16];
        var chars = new char[(1 << 16) + 4];
        long offset = 0;
        await using var f = context.OpenWork();
        int read;
        try
        {
            while ((read = await f.ReadAsync(buffer, context.CancellationToken)) > 0)
            {
                decoder.GetChars(buffer, 0, read, chars, 0, flush: false);
                offset += read;
            }
            decoder.GetChars(buffer, 0, 0, chars, 0, flush: true);
        }
        catch (DecoderFallbackException e)
        {
            return SlaVerdict.Violation($"work is not valid UTF-8 (near byte {offset + Math.Max(0, e.Index)})");
        }
        return SlaVerdict.Pass();
    }

    public override void Validate(IReadOnlyDictionary<string, byte[]> assets) { }
}

/// <summary>The work is one well-formed JSON document (parsed streaming, with a depth limit).</summary>
public sealed record JsonDocumentSla : ServiceLevelAgreement
{
    public override async Task<SlaVerdict> CheckAsync(SlaCheckContext context)
    {
        await using var f = context.OpenWork();
        try
        {
            using var _ = await JsonDocument.ParseAsync(f, new JsonDocumentOptions { MaxDepth = 256 }, context.CancellationToken);
            return SlaVerdict.Pass();
        }
        catch (JsonException e)
        {
            return SlaVerdict.Violation($"work is not valid JSON: {e.Message}");
        }
    }

    public override void Validate(IReadOnlyDictionary<string, byte[]> assets) { }
}

/// <summary>The work's UTF-8 text contains <see cref="Text"/> (ordinal).</summary>
public sealed record ContainsSla(string Text) : ServiceLevelAgreement
{
    public override async Task<SlaVerdict> CheckAsync(SlaCheckContext context)
    {
        // Streamed byte search with an overlap, so memory stays constant for any size of work.
        var needle = Encoding.UTF8.GetBytes(Text);
        if (needle.Length == 0) return SlaVerdict.Pass();
        var buffer = new byte[Math.Max(1 << 16, needle.Length * 2)];
        var kept = 0;
        await using var f = context.OpenWork();
        int read;
        while ((read = await f.ReadAsync(buffer.AsMemory(kept), context.CancellationToken)) > 0)
        {
            var window = kept + read;
            if (buffer.AsSpan(0, window).IndexOf(needle) >= 0) return SlaVerdict.Pass();
            kept = Math.Min(needle.Length - 1, window);
            buffer.AsSpan(window - kept, kept).CopyTo(buffer);
        }
        return SlaVerdict.Violation($"work does not contain the required text \"{Shorten(Text)}\"");
    }

    public override void Validate(IReadOnlyDictionary<string, byte[]> assets)
    {
        ArgumentNullException.ThrowIfNull(Text);
    }

    internal static string Shorten(string s) => s.Length <= 60 ? s : s[..57] + "...";
}

/// <summary>
/// The work's UTF-8 text matches the .NET regular expression <see cref="Pattern"/>. The text is loaded whole, so the
/// rule applies to works up to <see cref="MaxTextBytes"/>; matching has a time limit.
/// </summary>
public sealed record RegexSla(string Pattern) : ServiceLevelAgreement
{
    public const long MaxTextBytes = 64L << 20;

    public override async Task<SlaVerdict> CheckAsync(SlaCheckContext context)
    {
        if (context.WorkLength > MaxTextBytes)
            return SlaVerdict.Violation($"work is too large for a regex rule ({context.WorkLength} bytes > {MaxTextBytes})");
        var text = await File.ReadAllTextAsync(context.WorkPath, context.CancellationToken);
        try
        {
            return new Regex(Pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(10)).IsMatch(text)
                ? SlaVerdict.Pass()
                : SlaVerdict.Violation($"work does not match the pattern /{ContainsSla.Shorten(Pattern)}/");
        }
        catch (RegexMatchTimeoutException)
        {
            return SlaVerdict.Violation("pattern matching timed out");
        }
    }

    public override void Validate(IReadOnlyDictionary<string, byte[]> assets)
    {
        try { _ = new Regex(Pattern); }
        catch (ArgumentException e) { throw new FormatException($"invalid regex in SLA: {e.Message}"); }
    }
}

/// <summary>The work's SHA-256 is one of <see cref="Allowed"/> (e.g. a reproducible build, a known-good artifact).</summary>
public sealed record Sha256AllowListSla(IReadOnlyList<string> Allowed) : ServiceLevelAgreement
{
    public override async Task<SlaVerdict> CheckAsync(SlaCheckContext context)
    {
        await using var f = context.OpenWork();
        var hash = Convert.ToHexStringLower(await SHA256.HashDataAsync(f, context.CancellationToken));
        return Allowed.Any(a => Normalize(a) == hash) ? SlaVerdict.Pass()
            : SlaVerdict.Violation($"work's SHA-256 0x{hash} is not in the allow-list");
    }

    public override void Validate(IReadOnlyDictionary<string, byte[]> assets)
    {
        foreach (var a in Allowed)
        {
            var n = Normalize(a);
            if (n.Length != 64 || !n.All(Uri.IsHexDigit)) throw new FormatException($"'{a}' is not a SHA-256 in hex");
        }
    }

    private static string Normalize(string h) => (h.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? h[2..] : h).ToLowerInvariant();
}

/// <summary>Every part must hold; the first violation is reported (parts run in order).</summary>
public sealed record AllOfSla(IReadOnlyList<ServiceLevelAgreement> All) : ServiceLevelAgreement
{
    public override async Task<SlaVerdict> CheckAsync(SlaCheckContext context)
    {
        foreach (var part in All)
        {
            var verdict = await part.CheckAsync(context);
            if (!verdict.Compliant) return verdict;
        }
        return SlaVerdict.Pass($"all {All.Count} rules hold");
    }

    public override void Validate(IReadOnlyDictionary<string, byte[]> assets)
    {
        if (All is null || All.Count == 0) throw new FormatException("all-of needs at least one rule");
        foreach (var part in All) part.Validate(assets);
    }
}
