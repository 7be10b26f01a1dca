using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace FairDelegation.Node.Api;

/// <summary>
/// Refuses callers without the node's API key: presented as <c>X-Api-Key: KEY</c> or <c>Authorization: Bearer KEY</c>.
/// A missing or wrong key is a 401 ProblemDetails naming the header to send.
/// </summary>
public static class ApiKeyAuthentication
{
    /// <summary>The API key header.</summary>
    public const string HeaderName = "X-Api-Key";

    /// <summary>Requires the API key on every endpoint of the group (runs before the handler reads the body).</summary>
    public static TBuilder RequireApiKey<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
            Refuse(context.HttpContext.Request, context.HttpContext.RequestServices.GetRequiredService<ApiKey>()) ?? await next(context));

    /// <summary>
    /// The rule every host applies (the node's endpoint filter, the Functions app's HTTP functions): null when the
    /// request presents the key, else the 401 ProblemDetails to answer (and the WWW-Authenticate header set).
    /// </summary>
    public static IResult? Refuse(HttpRequest request, ApiKey key)
    {
        var presented = Presented(request);
        if (key.Matches(presented)) return null;
        request.HttpContext.Response.Headers.WWWAuthenticate = "Bearer, ApiKey header=\"X-Api-Key\"";
        return ApiProblems.Problem(StatusCodes.Status401Unauthorized, "unauthenticated",
            presented is null
                ? $"send the node's API key in the {HeaderName} header or as Authorization: Bearer <key>"
                : "the API key is not valid");
    }

    /// <summary>The key the caller presented, or null.</summary>
    public static string? Presented(HttpRequest request)
    {
        if (request.Headers.TryGetValue(HeaderName, out var header) && !string.IsNullOrEmpty(header.ToString())) return header.ToString();
        var authorization = request.Headers.Authorization.ToString();
        const string bearer = "Bearer ";
        return authorization.StartsWith(bearer, StringComparison.OrdinalIgnoreCase) && authorization.Length > bearer.Length
            ? authorization[bearer.Length..].Trim()
            : null;
    }
}
