using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FairDelegation.Node.Api;
using FairDelegation.Node.Configuration;
using Microsoft.Extensions.Options;

namespace FairDelegation.Node.Dashboard;

/// <summary>What the list page asks for (from its query string).</summary>
public sealed record ListRequest(NodeRole? Role, IReadOnlyList<OrchestrationRuntimeStatus> Statuses, int PageSize, string? Token)
{
    /// <summary>The query string that shows this page (and that the event stream watches).</summary>
    public string Query(string? token = null)
    {
        var parts = new List<string>();
        if (Role is { } r) parts.Add("role=" + r.ToString().ToLowerInvariant());
        if (Statuses.Count > 0) parts.Add("status=" + string.Join(',', Statuses));
        parts.Add("pageSize=" + PageSize.ToString(CultureInfo.InvariantCulture));
        var next = token ?? Token;
        if (!string.IsNullOrEmpty(next)) parts.Add("token=" + Uri.EscapeDataString(next));
        return string.Join('&', parts);
    }

    /// <summary>Reads role, status, pageSize and token; unknown values are reported in <paramref name="errors"/> and ignored.</summary>
    public static ListRequest Parse(string? role, string? status, string? pageSize, string? token, int maxPageSize, List<string> errors)
    {
        NodeRole? r = null;
        if (!string.IsNullOrEmpty(role) && role != "all")
        {
            if (Enum.TryParse<NodeRole>(role, true, out var parsed) && !int.TryParse(role, out _)) r = parsed;
            else errors.Add($"role: '{role}' is not customer or provider");
        }
        var problems = new Dictionary<string, string[]>();
        var statuses = DelegationsApi.ParseStatuses(status == "all" ? null : status, problems);
        errors.AddRange(problems.Select(p => $"{p.Key}: {string.Join("; ", p.Value)}"));
        var size = 20;
        if (!string.IsNullOrEmpty(pageSize))
        {
            if (int.TryParse(pageSize, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 && n <= maxPageSize) size = n;
            else errors.Add($"pageSize: must be between 1 and {maxPageSize}");
        }
        return new ListRequest(r, statuses, size, string.IsNullOrEmpty(token) ? null : token);
    }
}

/// <summary>One bar of a chart.</summary>
public sealed record ChartBar(string Label, double Value, string ValueText);

/// <summary>
/// The dashboard's reads, all through <see cref="DelegationQueries"/> (the service behind GET /api/delegations), plus a
/// fingerprint of what a page shows: the event stream compares it to tell the browser when to refresh.
/// </summary>
public sealed class DashboardData(DelegationQueries queries, IOptions<ApiOptions> api, IOptions<NodeOptions> node, TimeProvider time)
{
    public int MaxPageSize => api.Value.MaxPageSize;

    /// <summary>This node's role (a node runs one side; the filter still offers both).</summary>
    public NodeRole NodeRole => node.Value.Role;

    public string NodeName => node.Value.Name;

    public Task<DelegationPage> ListAsync(ListRequest request, CancellationToken ct) =>
        queries.ListAsync(new DelegationFilter { Role = request.Role, Statuses = request.Statuses, PageSize = request.PageSize, ContinuationToken = request.Token }, ct);

    public Task<DelegationView?> GetAsync(string id, string baseUrl, CancellationToken ct) => queries.GetAsync(id, baseUrl, ct);

    public Task<DurableManagementApi.InstanceStatus?> InstanceStatusAsync(string id, CancellationToken ct) => queries.GetInstanceStatusAsync(id, ct);

    /// <summary>Gas per protocol step (mean over the delegations' mined transactions) and delegations started per minute.</summary>
    public async Task<(IReadOnlyList<ChartBar> GasPerStep, IReadOnlyList<ChartBar> PerMinute, int Delegations)> ChartsAsync(int minutes, string baseUrl,
        CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var from = now.AddMinutes(-minutes);
        var views = await queries.ViewsAsync(new DelegationFilter { CreatedFrom = from, PageSize = 100 }, baseUrl, max: 2000, ct);
        var gas = views.SelectMany(v => v.Transactions).Where(t => t.BlockNumber is not null)
            .GroupBy(t => t.Step)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                // A batched opening's receipt is shared by BatchSize delegations: each counts its share, not the whole batch.
                var mean = g.Select(t => double.Parse(t.GasUsed, CultureInfo.InvariantCulture) / Math.Max(1, t.BatchSize)).Average();
                return new ChartBar(g.Key, mean, $"{mean:N0} gas (n={g.Count()})");
            }).ToList();
        var start = new DateTimeOffset(from.Year, from.Month, from.Day, from.Hour, from.Minute, 0, TimeSpan.Zero).AddMinutes(1);
        var perMinute = Enumerable.Range(0, minutes).Select(i =>
        {
            var t = start.AddMinutes(i);
            var n = views.Count(v => v.CreatedAt >= t && v.CreatedAt < t.AddMinutes(1));
            return new ChartBar(t.ToString("HH:mm", CultureInfo.InvariantCulture), n, n.ToString(CultureInfo.InvariantCulture));
        }).ToList();
        return (gas, perMinute, views.Count);
    }

    /// <summary>A short hash of what a page shows; equal fingerprints mean nothing to redraw.</summary>
    public static string Fingerprint<T>(T shown) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(shown, FingerprintJson))))[..16];

    private static readonly JsonSerializerOptions FingerprintJson = new(JsonSerializerDefaults.Web);

    /// <summary>Wei as ether with every significant digit ("0.25 ETH"), for people; the exact wei go alongside.</summary>
    public static string Ether(string? wei)
    {
        if (wei is null || !BigInteger.TryParse(wei, NumberStyles.None, CultureInfo.InvariantCulture, out var value)) return "–";
        return Ether(value);
    }

    public static string Ether(BigInteger wei)
    {
        // Below a micro-ether, wei read better than a row of zeros.
        if (BigInteger.Abs(wei) < BigInteger.Pow(10, 12)) return (wei.Sign < 0 ? "−" : "") + BigInteger.Abs(wei).ToString(CultureInfo.InvariantCulture) + " wei";
        var whole = BigInteger.DivRem(BigInteger.Abs(wei), BigInteger.Pow(10, 18), out var fraction);
        var text = whole.ToString(CultureInfo.InvariantCulture);
        if (!fraction.IsZero) text += "." + fraction.ToString(CultureInfo.InvariantCulture).PadLeft(18, '0').TrimEnd('0');
        return (wei.Sign < 0 ? "−" : "") + text + " ETH";
    }

    public static BigInteger Parse(string? wei) =>
        wei is not null && BigInteger.TryParse(wei, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : BigInteger.Zero;

    /// <summary>0x1234…abcd.</summary>
    public static string Short(string? hex) => hex is { Length: > 14 } ? $"{hex[..8]}…{hex[^6..]}" : hex ?? "–";

    public static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture) + " UTC";

    public static string Duration(TimeSpan d) =>
        d.TotalSeconds < 1 ? $"{d.TotalMilliseconds:0} ms" : d.TotalMinutes < 1 ? $"{d.TotalSeconds:0.0} s" : $"{(int)d.TotalMinutes} min {d.Seconds} s";
}
