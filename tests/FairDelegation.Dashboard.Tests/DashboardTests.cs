using System.Net;
using System.Net.Http.Json;
using FairDelegation.Chain.Rpc;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace FairDelegation.Dashboard.Tests;

/// <summary>The dashboard in headless chromium against real nodes on anvil: sign-in, live list, timeline and history, refund, refusal, directory.</summary>
[Collection(DashboardCollection.Name)]
public sealed class DashboardTests(DashboardFixture fixture, ITestOutputHelper output)
{
    private static readonly LocatorAssertionsToHaveTextOptions Long = new() { Timeout = 120_000 };

    [Fact]
    public async Task Signing_in_takes_the_api_key_in_a_form_keeps_it_out_of_urls_and_refuses_a_wrong_key()
    {
        await using var browser = await BrowserSession.OpenAsync(fixture);
        var page = browser.Page;

        // Not signed in: the dashboard sends the browser to the form.
        await page.GotoAsync(fixture.Customer.Url + "/dashboard");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/dashboard/signin"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();

        // A wrong key: refused, with a message, and no session cookie.
        var refused = await page.RunAndWaitForResponseAsync(
            () => browser.SignInAsync("not-the-key-0123456789"), r => r.Request.Method == "POST" && r.Url.Contains("/dashboard/signin"));
        refused.Status.Should().Be(401);
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("That is not this node's API key.");
        (await browser.Context.CookiesAsync()).Should().NotContain(c => c.Name == "fairdelegation-dashboard");
        await browser.ScreenshotAsync("signin-refused");

        // The right key: the delegations page, an HTTP-only same-site cookie, and the key in no URL.
        await browser.SignInAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Delegations", Exact = true })).ToBeVisibleAsync();
        page.Url.Should().NotContain(DashboardFixture.ApiKey);
        var cookie = (await browser.Context.CookiesAsync()).Single(c => c.Name == "fairdelegation-dashboard");
        cookie.HttpOnly.Should().BeTrue();
        cookie.SameSite.Should().Be(SameSiteAttribute.Strict);
        cookie.Path.Should().Be("/dashboard");
        cookie.Value.Should().NotContain(DashboardFixture.ApiKey);
        (await page.EvaluateAsync<string>("() => document.cookie")).Should().NotContain("fairdelegation-dashboard");

        // The cookie opens the dashboard only: the API still wants the key.
        using var cookieOnly = new HttpClient { BaseAddress = new Uri(fixture.Customer.Url) };
        cookieOnly.DefaultRequestHeaders.Add("Cookie", $"{cookie.Name}={cookie.Value}");
        (await cookieOnly.GetAsync("/api/delegations")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        await browser.ScreenshotAsync("signed-in");

        // Signing out ends the session.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await page.GotoAsync(fixture.Customer.Url + "/dashboard");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/dashboard/signin"));
    }

    [Fact]
    public async Task A_delegation_started_through_the_api_appears_and_its_timeline_advances_to_completed_without_a_reload()
    {
        await using var browser = await BrowserSession.OpenAsync(fixture);
        var page = browser.Page;
        await browser.SignInAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Delegations", Exact = true })).ToBeVisibleAsync();
        await browser.MarkAsync();

        // Started through the API while the list is open: its row appears by itself.
        var gate = "gate-" + Guid.NewGuid().ToString("N");
        var id = await BrowserSession.StartAsync(fixture, fixture.Provider, "gated-echo", gate + "\nwork to copy", "live-" + Guid.NewGuid().ToString("N")[..12]);
        var row = page.Locator($"tr[data-id='{id}']");
        await Expect(row).ToBeVisibleAsync(new() { Timeout = 60_000 });
        (await browser.StillMarkedAsync()).Should().BeTrue("the row arrived by a live update, not a reload");
        await browser.ScreenshotAsync("delegations-list-live");

        // Its page: the provider holds the work until the gate opens, so the delegation is seen waiting at (6).
        await row.GetByRole(AriaRole.Link).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync(id);
        await Expect(page.Locator("#current-step")).ToContainTextAsync("(6) WaitForWork", new() { Timeout = 60_000 });
        await Expect(page.Locator("#outcome")).ToHaveTextAsync("Running");
        await browser.MarkAsync();
        await browser.ScreenshotAsync("delegation-waiting");

        File.WriteAllText(Path.Combine(fixture.Gates, gate), "open");
        await Expect(page.Locator("#outcome")).ToHaveTextAsync("Completed", Long);
        (await browser.StillMarkedAsync()).Should().BeTrue("the timeline advanced by live updates, not a reload");

        var timeline = page.Locator("#timeline");
        foreach (var step in new[] { "(0) FixTerms", "(2) SendRequest", "(6) WaitForWork", "(7) CheckStamp", "(8) OpenEscrow", "(10) WaitForKey", "(11) DecryptWork", "Ended: Completed" })
            await Expect(timeline).ToContainTextAsync(step);
        await Expect(timeline.Locator("time")).ToHaveCountAsync(await timeline.Locator("li").CountAsync());
        await Expect(page.Locator("#transactions")).ToContainTextAsync("OpenEscrow");
        var hash = await page.Locator("#transactions tbody tr td.mono").First.TextContentAsync();
        hash.Should().MatchRegex("^0x[0-9a-f]{64}$");
        (await page.Locator("#work-hash").TextContentAsync()).Should().MatchRegex("^0x[0-9a-f]{64}$");
        await Expect(page.Locator("#stamp")).ToBeVisibleAsync();
        await Expect(page.Locator("#money")).ToContainTextAsync("−1000 wei");
        await Expect(page.Locator("#money")).ToContainTextAsync("+1000 wei");

        // The orchestration's history as the Durable route returns it: each activity by name with its time, the
        // external events, the end; no activity's input or result (the input's text, the gate's name) on the page.
        var history = page.Locator("#history");
        await Expect(history.Locator("tr[data-event='ExecutionCompleted']")).ToContainTextAsync("Completed");
        await Expect(history.Locator("tr[data-event='ExecutionStarted']")).ToContainTextAsync("CustomerDelegation");
        foreach (var activity in new[] { "FixTerms", "CreateVerifier", "SendRequest", "CheckStamp", "OpenEscrow", "DecryptWork" })
            await Expect(history.Locator("tr[data-event='TaskCompleted']", new() { HasText = activity })).Not.ToHaveCountAsync(0);
        await Expect(history.Locator("tr[data-event='EventRaised']", new() { HasText = "WorkDelivered" })).ToHaveCountAsync(1);
        await Expect(history.Locator("tr[data-event='EventRaised']", new() { HasText = "KeyRevealed" })).ToHaveCountAsync(1);
        await Expect(history.Locator("time").First).ToHaveAttributeAsync("datetime", new System.Text.RegularExpressions.Regex(@"^\d{4}-\d\d-\d\dT"));
        (await page.Locator("#live").InnerTextAsync()).Should().NotContain("work to copy").And.NotContain(gate);
        output.WriteLine("screenshot: " + await browser.ScreenshotAsync("delegation-completed"));

        // The charts show the escrow's gas; and the page reads on a phone without sideways scrolling.
        await page.GotoAsync(fixture.Customer.Url + "/dashboard/charts");
        await Expect(page.Locator("svg[role=img]").First).ToContainTextAsync("OpenEscrow");
        await browser.ScreenshotAsync("charts");
        await page.SetViewportSizeAsync(390, 844);
        await page.GotoAsync(fixture.Customer.Url + "/dashboard/delegations/" + id);
        (await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth + 1")).Should().BeTrue("nothing overflows a phone's width");
        await browser.ScreenshotAsync("delegation-phone");
    }

    [Fact]
    public async Task A_refunded_delegation_shows_the_refund()
    {
        await using var browser = await BrowserSession.OpenAsync(fixture);
        var page = browser.Page;
        await browser.SignInAsync();
        var id = await BrowserSession.StartAsync(fixture, fixture.NeverClaims, "slow-echo", "never claimed", "refund-" + Guid.NewGuid().ToString("N")[..12]);
        await page.GotoAsync(fixture.Customer.Url + "/dashboard/delegations/" + id);
        await Expect(page.Locator("#current-step")).ToContainTextAsync("(10) WaitForKey", new() { Timeout = 120_000 });
        await browser.MarkAsync();

        // The provider never claims; past the deadline the customer takes its deposit back.
        await fixture.Rpc.IncreaseTimeAsync(70);
        await fixture.Rpc.MineAsync();
        await Expect(page.Locator("#outcome")).ToHaveTextAsync("Refunded", Long);
        (await browser.StillMarkedAsync()).Should().BeTrue();
        await Expect(page.Locator("#transactions")).ToContainTextAsync("RefundEscrow");
        await Expect(page.Locator("#money")).ToContainTextAsync("1000 wei deposited, 1000 wei refunded");
        await Expect(page.Locator("#reason")).ToContainTextAsync("refunded");
        await Expect(page.Locator("#timeline")).ToContainTextAsync("(11) RefundEscrow");
        output.WriteLine("screenshot: " + await browser.ScreenshotAsync("delegation-refunded"));

        // The list filtered to Completed (runtime status) with role customer still shows it, with its outcome.
        await page.GotoAsync(fixture.Customer.Url + "/dashboard");
        await Expect(page.Locator($"tr[data-id='{id}']")).ToContainTextAsync("Refunded");
        await browser.ScreenshotAsync("delegations-list");
        await page.GetByLabel("Role").SelectOptionAsync("customer");
        await page.GetByLabel("Status").SelectOptionAsync("Completed");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Expect(page.Locator($"tr[data-id='{id}']")).ToContainTextAsync("Refunded");
        await page.GetByLabel("Status").SelectOptionAsync("Running");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Expect(page.Locator($"tr[data-id='{id}']")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task A_refused_delegation_shows_why_on_its_page_and_in_the_list()
    {
        await using var browser = await BrowserSession.OpenAsync(fixture);
        var page = browser.Page;
        await browser.SignInAsync();
        // The provider offers no such service: it declines to quote at (0), and the delegation ends without completing.
        var id = await BrowserSession.StartAsync(fixture, fixture.Provider, "no-such-service", "refused", "refused-" + Guid.NewGuid().ToString("N")[..12]);
        await page.GotoAsync(fixture.Customer.Url + "/dashboard/delegations/" + id);
        await Expect(page.Locator("#outcome")).ToHaveTextAsync("Cancelled", Long);

        // failureDetails as GET /api/delegations/{id} gives them: message, step, error type.
        using var api = fixture.Customer.Client(DashboardFixture.ApiKey);
        var view = await api.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/delegations/{id}");
        var failure = view.GetProperty("failureDetails");
        var message = failure.GetProperty("message").GetString()!;
        message.Should().Contain("declined");
        await Expect(page.Locator("#reason")).ToHaveTextAsync(message);
        await Expect(page.Locator("#failure-step")).ToHaveTextAsync(
            failure.TryGetProperty("step", out var step) && step.ValueKind == System.Text.Json.JsonValueKind.String ? step.GetString()! : "–");
        await Expect(page.Locator("#failure-type")).ToHaveTextAsync(failure.GetProperty("errorType").GetString()!);
        await Expect(page.Locator("#history tr[data-event='ExecutionCompleted']")).ToBeVisibleAsync();
        await browser.ScreenshotAsync("delegation-refused");

        // The list gives the reason under the delegation's step.
        await page.GotoAsync(fixture.Customer.Url + "/dashboard?role=customer&status=Completed&pageSize=100");
        var row = page.Locator($"tr[data-id='{id}']");
        await Expect(row).ToContainTextAsync("Cancelled");
        await Expect(row.Locator(".reason")).ToContainTextAsync(message);
        await browser.ScreenshotAsync("delegations-list-refused");
    }

    [Fact]
    public async Task The_directory_lists_the_registered_providers_with_their_offers_stake_and_reputation()
    {
        await using var browser = await BrowserSession.OpenAsync(fixture);
        var page = browser.Page;
        await browser.SignInAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Providers" }).ClickAsync();
        var row = page.Locator($"#providers tr[data-provider='{DashboardFixture.ProviderIdentity}']");
        await Expect(row).ToContainTextAsync(fixture.Provider.Url);
        await Expect(row).ToContainTextAsync("gated-echo: 1000 wei per task, 4 at once");
        await Expect(row).ToContainTextAsync("0.1 ETH");
        await Expect(row).ToContainTextAsync(new System.Text.RegularExpressions.Regex(@"\d+ claimed of \d+ opened"));
        await Expect(row).ToContainTextAsync("reliability");
        await browser.ScreenshotAsync("providers");

        await page.GetByLabel("Service").FillAsync("no-such-service");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("No registered provider is serving no-such-service");
    }

    [Fact]
    public async Task A_node_without_a_registry_says_so_on_its_provider_page()
    {
        // The provider nodes follow no registry: the page must say so, not show an empty directory.
        await using var browser = await BrowserSession.OpenAsync(fixture, node: fixture.Provider);
        var page = browser.Page;
        await browser.SignInAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Providers" }).ClickAsync();
        await Expect(page.Locator("#no-registry")).ToContainTextAsync("No provider registry is configured on this node.");
        await browser.ScreenshotAsync("providers-no-registry");
    }
}
