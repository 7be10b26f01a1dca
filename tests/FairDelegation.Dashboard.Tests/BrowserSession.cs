using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace FairDelegation.Dashboard.Tests;

/// <summary>A fresh browser context and page against the customer's dashboard; closed (page first) on dispose.</summary>
public sealed class BrowserSession : IAsyncDisposable
{
    private readonly IBrowserContext _context;

    private BrowserSession(IBrowserContext context, IPage page, string baseUrl)
    {
        _context = context;
        Page = page;
        BaseUrl = baseUrl;
    }

    public IPage Page { get; }
    public string BaseUrl { get; }
    public IBrowserContext Context => _context;

    public static async Task<BrowserSession> OpenAsync(DashboardFixture fixture, ViewportSize? viewport = null, DashboardNode? node = null, string? url = null)
    {
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = viewport ?? new ViewportSize { Width = 1280, Height = 900 } });
        context.SetDefaultTimeout(30_000);
        var page = await context.NewPageAsync();
        return new BrowserSession(context, page, url ?? (node ?? fixture.Customer).Url);
    }

    /// <summary>Signs in through the form with <paramref name="key"/>.</summary>
    public async Task SignInAsync(string key = DashboardFixture.ApiKey)
    {
        await Page.GotoAsync(BaseUrl + "/dashboard");
        await Page.GetByLabel("API key").FillAsync(key);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    /// <summary>Saves a full-page screenshot as a test artifact and returns its path.</summary>
    public async Task<string> ScreenshotAsync(string name)
    {
        var path = Path.Combine(DashboardFixture.Screenshots, name + ".png");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        return path;
    }

    /// <summary>Sets a marker on the page's window: it survives live updates and disappears on any reload or navigation.</summary>
    public Task MarkAsync() => Page.EvaluateAsync("() => { window.__notReloaded = true; }");

    public async Task<bool> StillMarkedAsync() => await Page.EvaluateAsync<bool>("() => window.__notReloaded === true");

    public async ValueTask DisposeAsync()
    {
        // The page first: it holds the event stream open; then the context.
        await Page.CloseAsync();
        await _context.CloseAsync();
    }

    /// <summary>Starts a delegation through the customer's HTTP API; returns its instance id.</summary>
    public static async Task<string> StartAsync(DashboardFixture fixture, DashboardNode provider, string service, string input, string id)
    {
        using var client = fixture.Customer.Client(DashboardFixture.ApiKey);
        var body = new JsonObject
        {
            ["id"] = id, ["providerUrl"] = provider.Url, ["service"] = service, ["input"] = new JsonObject { ["text"] = input },
            ["sla"] = new JsonObject { ["kind"] = "max-bytes", ["maxBytes"] = 4096 }, ["wageWei"] = "1000",
        };
        var response = await client.PostAsJsonAsync("/api/delegations", body);
        response.StatusCode.Should().Be(HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
    }
}
