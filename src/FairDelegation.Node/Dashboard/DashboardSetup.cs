using System.Security.Claims;
using FairDelegation.Node.Api;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using FairDelegation.Node.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FairDelegation.Node.Dashboard;

/// <summary>
/// The dashboard at /dashboard: Razor Pages rendered on the server (Dashboard/Pages), behind the node's API key. The key
/// is typed once into a sign-in form; the session then lives in an HTTP-only, same-site cookie scoped to /dashboard
/// (ASP.NET Core's cookie authentication, encrypted by Data Protection), never in a URL. The API routes keep their own
/// key check: the cookie opens the dashboard only.
/// </summary>
public static class DashboardSetup
{
    /// <summary>The dashboard's authentication scheme (and authorization policy) name.</summary>
    public const string Scheme = "FairDelegation.Dashboard";

    /// <summary>Where the dashboard lives.</summary>
    public const string BasePath = "/dashboard";

    /// <summary>The claim holding <see cref="ApiKey.Fingerprint"/> at sign-in.</summary>
    public const string KeyClaim = "fairdelegation:api-key";

    public static IServiceCollection AddFairDelegationDashboard(this IServiceCollection services)
    {
        services.AddRazorPages(o =>
            {
                o.RootDirectory = "/Dashboard/Pages";
                o.Conventions.AuthorizeFolder("/", Scheme);
                o.Conventions.AllowAnonymousToPage("/SignIn");
            })
            .AddApplicationPart(typeof(DashboardSetup).Assembly);
        services.AddAuthentication()
            .AddCookie(Scheme, o =>
            {
                o.Cookie.Name = "fairdelegation-dashboard";
                o.Cookie.Path = BasePath;
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.LoginPath = BasePath + "/signin";
                o.LogoutPath = BasePath + "/signout";
                o.AccessDeniedPath = BasePath + "/signin";
                o.ExpireTimeSpan = TimeSpan.FromHours(12);
                o.SlidingExpiration = true;
                o.Events.OnValidatePrincipal = context =>
                {
                    // A session opened with another key (the node's key changed since) ends here.
                    var key = context.HttpContext.RequestServices.GetRequiredService<ApiKey>();
                    if (context.Principal?.FindFirst(KeyClaim)?.Value != key.Fingerprint) context.RejectPrincipal();
                    return Task.CompletedTask;
                };
            });
        services.AddAuthorizationBuilder()
            .AddPolicy(Scheme, p => p.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser());
        services.AddSingleton<DashboardData>();
        // The provider page reads the node's own market watcher (it says so when no registry is configured).
        services.TryAddSingleton<IProviderDirectoryView, MarketDirectoryView>();
        // The keys that encrypt the session cookie (and the forms' antiforgery tokens) live in the node's data
        // directory, not in the user's home: sessions survive a restart, and two nodes on one machine keep apart.
        services.AddDataProtection();
        services.AddOptions<KeyManagementOptions>().Configure<IOptions<NodeOptions>, ILoggerFactory>((k, node, logs) =>
        {
            var directory = node.Value.DataPath("dashboard-keys");
            if (!Directory.Exists(directory))
            {
                if (OperatingSystem.IsWindows()) Directory.CreateDirectory(directory);
                else Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
            k.XmlRepository = new FileSystemXmlRepository(new DirectoryInfo(directory), logs);
        });
        return services;
    }

    /// <summary>Maps the pages and the live-update stream (/dashboard/events).</summary>
    public static IEndpointRouteBuilder MapFairDelegationDashboard(this IEndpointRouteBuilder app)
    {
        app.MapRazorPages();
        app.MapGet(BasePath + "/events", DashboardEvents.StreamAsync).RequireAuthorization(Scheme).ExcludeFromDescription();
        return app;
    }

    /// <summary>Signs the browser in when <paramref name="presented"/> is the node's API key.</summary>
    public static async Task<bool> SignInAsync(HttpContext http, string? presented)
    {
        var key = http.RequestServices.GetRequiredService<ApiKey>();
        if (!key.Matches(presented)) return false;
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "operator"), new Claim(KeyClaim, key.Fingerprint)], Scheme);
        await http.SignInAsync(Scheme, new ClaimsPrincipal(identity));
        return true;
    }
}
