using FairDelegation.Node.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace FairDelegation.Node.Dashboard;

/// <summary>
/// GET /dashboard/events: server-sent events for an open page. The page names what it shows (the list's query, or one
/// delegation's id) and the fingerprint it was rendered with; once a second the stream reads the same data again and
/// sends <c>event: changed</c> when the fingerprint differs, and the page's small script fetches the page anew and
/// swaps its live region (no reload). The stream ends when the browser leaves or the node stops.
/// </summary>
public static class DashboardEvents
{
    /// <summary>How often an open page's data is read again.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    public static async Task StreamAsync(HttpContext http, DashboardData data, IHostApplicationLifetime lifetime, string? id, string? role, string? status,
        string? pageSize, string? token, string? since)
    {
        var errors = new List<string>();
        var list = id is null ? ListRequest.Parse(role, status, pageSize, token, data.MaxPageSize, errors) : null;
        if (errors.Count > 0)
        {
            http.Response.StatusCode = StatusCodes.Status400BadRequest;
            await http.Response.WriteAsync(string.Join("\n", errors));
            return;
        }
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
        var ct = stop.Token;
        http.Response.Headers.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        await http.Response.WriteAsync("retry: 2000\n\n", ct);
        await http.Response.Body.FlushAsync(ct);
        var baseUrl = DelegationsApi.BaseUrl(http.Request);
        var last = since;
        var quiet = 0;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                string now;
                try
                {
                    now = list is not null
                        ? DashboardData.Fingerprint(await data.ListAsync(list, ct))
                        : DashboardData.Fingerprint(await data.GetAsync(id!, baseUrl, ct));
                }
                catch (Exception e) when (e is FormatException or ArgumentException)
                {
                    return; // a continuation token this node did not issue: nothing to watch
                }
                if (now != last)
                {
                    last = now;
                    quiet = 0;
                    await http.Response.WriteAsync($"event: changed\ndata: {now}\n\n", ct);
                    await http.Response.Body.FlushAsync(ct);
                }
                else if (++quiet % 15 == 0)
                {
                    await http.Response.WriteAsync(": still here\n\n", ct); // keeps proxies from closing an idle stream
                    await http.Response.Body.FlushAsync(ct);
                }
                await Task.Delay(Interval, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // the page closed or the node is stopping
        }
    }
}
