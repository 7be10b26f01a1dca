using System.Diagnostics;
using FairDelegation.Chain.Rpc;
using FairDelegation.Node.Configuration;
using FairDelegation.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace FairDelegation.Node.Api;

/// <summary>
/// GET /health: the process answers (liveness). GET /health/ready: the durable store, the chain's RPC (and that it is
/// the configured chain) and the blob store each answer; 503 naming what does not. Both are open (no API key).
/// </summary>
public static class HealthApi
{
    /// <summary>One dependency's state.</summary>
    public sealed record Check(string Status, string? Detail, long Milliseconds);

    /// <summary>The liveness answer.</summary>
    public sealed record Liveness(string Status, string Role);

    /// <summary>The readiness report.</summary>
    public sealed record Report(string Status, string Role, IReadOnlyDictionary<string, Check> Checks);

    /// <summary>Maps /health and /health/ready.</summary>
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/health").WithTags("health");
        group.MapGet("/", (IOptions<NodeOptions> o) => TypedResults.Ok(new Liveness("Healthy", o.Value.Role.ToString().ToLowerInvariant())))
            .WithSummary("Liveness");
        group.MapGet("/ready", async (DurableTaskClient durable, EthRpcClient rpc, IBlobStore blobs, IOptions<NodeOptions> o, CancellationToken ct) =>
            {
                var checks = await Task.WhenAll(
                    Run("database", async c => { await durable.QueryInstancesAsync(new OrchestrationQuery { PageSize = 1 }, c); return null; }, ct),
                    Run("chain", async c =>
                    {
                        var id = await rpc.ChainIdAsync(c);
                        return id == o.Value.Chain.ChainId ? $"chain {id}"
                            : throw new InvalidOperationException($"the RPC serves chain {id}, configured is {o.Value.Chain.ChainId}");
                    }, ct),
                    Run("blobs", async c => { await blobs.ExistsAsync("health/probe", c); return null; }, ct));
                var healthy = checks.All(c => c.Check.Status == "Healthy");
                var report = new Report(healthy ? "Healthy" : "Unhealthy", o.Value.Role.ToString().ToLowerInvariant(), checks.ToDictionary(c => c.Name, c => c.Check));
                return TypedResults.Json(report, statusCode: healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
            })
            .Produces<Report>()
            .Produces<Report>(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("Readiness: database, chain RPC and blob store");
        return app;
    }

    private static async Task<(string Name, Check Check)> Run(string name, Func<CancellationToken, Task<string?>> probe, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            var detail = await probe(timeout.Token);
            return (name, new Check("Healthy", detail, watch.ElapsedMilliseconds));
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return (name, new Check("Unhealthy", e is OperationCanceledException ? "no answer within 5 s" : e.Message, watch.ElapsedMilliseconds));
        }
    }
}
