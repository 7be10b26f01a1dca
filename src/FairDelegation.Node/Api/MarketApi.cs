using FairDelegation.Node.Configuration;
using FairDelegation.Node.Market;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FairDelegation.Node.Api;

/// <summary>
/// The market's public route on a provider node: POST /api/market/quote answers a customer's price request with an
/// EIP-712 quote signed by the node identity (200), a refusal with its reason (409 ProblemDetails), or names the bad
/// field (400). Public like the peer routes: a quote binds only the provider, and only to the customer it names.
/// </summary>
public static class MarketApi
{
    public static IEndpointRouteBuilder MapFairDelegationMarketApi(this IEndpointRouteBuilder app)
    {
        var options = app.ServiceProvider.GetRequiredService<IOptions<NodeOptions>>().Value;
        if (options.Role != NodeRole.Provider) return app;
        app.MapPost("/api/market/quote", (HttpRequest http, PriceQuotes quotes, CancellationToken ct) => QuoteAsync(http, quotes, ct))
            .WithTags("market")
            .Accepts<PriceQuoteRequest>("application/json")
            .Produces<PriceQuoteView>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithName("MarketQuote")
            .WithSummary("A signed, expiring price quote for a service (docs/market.md)");
        return app;
    }

    /// <summary>POST /api/market/quote (every host answers it with this).</summary>
    public static async Task<IResult> QuoteAsync(HttpRequest http, PriceQuotes quotes, CancellationToken ct)
    {
        var (body, problem) = await ApiProblems.ReadJsonAsync<PriceQuoteRequest>(http, 16 * 1024, DelegationsApi.RequestJson, ct);
        if (problem is not null) return problem;
        var answer = await quotes.AnswerAsync(body!, ct);
        if (answer.Errors is { } errors) return ApiProblems.Validation(errors);
        if (answer.Refusal is { } why) return ApiProblems.Problem(StatusCodes.Status409Conflict, "no quote", why);
        return TypedResults.Ok(answer.Quote);
    }
}
