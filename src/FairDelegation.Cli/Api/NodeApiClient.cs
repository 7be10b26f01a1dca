using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace FairDelegation.Cli.Api;

/// <summary>
/// The CLI's client for a node's HTTP API (X-Api-Key). Every error answer (ProblemDetails) becomes one
/// <see cref="CliException"/> line: the title, the detail, and each field's reason.
/// </summary>
public sealed class NodeApiClient : IDisposable
{
    private readonly HttpClient _http;

    public NodeApiClient(string baseUrl, string? apiKey)
    {
        if (!Uri.TryCreate(baseUrl.TrimEnd('/') + "/", UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
            throw new CliException($"--node '{baseUrl}' is not an absolute http(s) URL");
        _http = new HttpClient { BaseAddress = uri, Timeout = TimeSpan.FromSeconds(30) };
        if (!string.IsNullOrEmpty(apiKey)) _http.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
    }

    public string BaseUrl => _http.BaseAddress!.ToString().TrimEnd('/');

    /// <summary>POST /api/delegations; returns the check-status body (id, statusQueryGetUri, ...).</summary>
    public async Task<JsonElement> StartAsync(JsonObject body, CancellationToken ct)
    {
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await SendAsync(() => _http.PostAsync("api/delegations", content, ct));
        return await response.Content.ReadFromJsonAsync<JsonElement>(ct);
    }

    /// <summary>GET /api/delegations/{id}.</summary>
    public async Task<JsonElement> GetAsync(string id, CancellationToken ct)
    {
        using var response = await SendAsync(() => _http.GetAsync($"api/delegations/{Uri.EscapeDataString(id)}", ct));
        return await response.Content.ReadFromJsonAsync<JsonElement>(ct);
    }

    /// <summary>GET /api/delegations/{id}/result, as bytes.</summary>
    public async Task<byte[]> ResultAsync(string id, CancellationToken ct)
    {
        using var response = await SendAsync(() => _http.GetAsync($"api/delegations/{Uri.EscapeDataString(id)}/result", ct));
        return await response.Content.ReadAsByteArrayAsync(ct);
    }

    private async Task<HttpResponseMessage> SendAsync(Func<Task<HttpResponseMessage>> send)
    {
        HttpResponseMessage response;
        try { response = await send(); }
        catch (HttpRequestException e) { throw new CliException($"the node at {BaseUrl} did not answer: {e.Message}"); }
        catch (TaskCanceledException e) when (e.InnerException is TimeoutException) { throw new CliException($"the node at {BaseUrl} did not answer in time"); }
        if (response.IsSuccessStatusCode) return response;
        using (response) throw new CliException(await DescribeAsync(response));
    }

    private static async Task<string> DescribeAsync(HttpResponseMessage response)
    {
        var status = $"{(int)response.StatusCode} {response.ReasonPhrase}";
        try
        {
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            var text = new StringBuilder(problem.TryGetProperty("title", out var t) ? t.GetString() : status);
            if (problem.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object)
            {
                text.Append(": ").AppendJoin("; ", errors.EnumerateObject().Select(e => $"{e.Name}: {string.Join(", ", e.Value.EnumerateArray().Select(v => v.GetString()))}"));
            }
            else if (problem.TryGetProperty("detail", out var d) && d.GetString() is { Length: > 0 } detail)
            {
                text.Append(": ").Append(detail);
            }
            return response.StatusCode == HttpStatusCode.Unauthorized ? text + " (pass --api-key or set FAIRDELEGATION_API_KEY)" : text.ToString();
        }
        catch (JsonException)
        {
            return $"the node answered {status}";
        }
    }

    public void Dispose() => _http.Dispose();
}
