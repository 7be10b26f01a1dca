using System.Diagnostics;
using FairDelegation.Chain.Crypto;
using FairDelegation.Chain.Escrow;
using FairDelegation.Chain.Rpc;
using FairDelegation.Node.Chain;
using FairDelegation.Node.Configuration;
using FairDelegation.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace FairDelegation.Node.Api;

/// <summary>
/// GET /health: the process answers (liveness). GET /health/ready: the durable store, the chain's RPC (and that it is
/// the configured chain), the blob store and the escrow's code each answer; 503 naming what does not; Degraded (200) when
/// the wallet cannot pay for its role's transactions. Both are open (no API key).
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
        group.MapGet("/ready", async (DurableTaskClient durable, EthRpcClient rpc, IBlobStore blobs, WalletFunding funding, IOptions<NodeOptions> o, CancellationToken ct) =>
            {
                var checks = await Task.WhenAll(
                    Run("database", async c => { await durable.QueryInstancesAsync(new OrchestrationQuery { PageSize = 1 }, c); return null; }, ct),
                    Run("chain", async c =>
                    {
                        var id = await rpc.ChainIdAsync(c);
                        return id == o.Value.Chain.ChainId ? $"chain {id}"
                            : throw new InvalidOperationException($"the RPC serves chain {id}, configured is {o.Value.Chain.ChainId}");
                    }, ct),
                    Run("blobs", async c => { await blobs.ExistsAsync("health/probe", c); return null; }, ct),
                    // A wrong escrow address would take the wage (issue 11 #2): the code there must be this build's escrow.
                    Run("escrow", async c => await EscrowRuntimeCode.ProblemAsync(rpc, EthereumAddress.Parse(o.Value.Chain.EscrowAddress), c) is { } p
                        ? throw new InvalidOperationException($"{NodeOptions.SectionName}:Chain:EscrowAddress: {p}")
                        : $"{o.Value.Chain.EscrowAddress} holds this build's escrow code", ct),
                    // An unfunded wallet is degraded, not down (issue 11 #3): the node answers, but refuses new work it cannot pay for.
                    Run("wallet", async c => await funding.ProblemAsync(0, c) is { } p ? throw new InvalidOperationException(p) : null, ct, failure: "Degraded"));
                var status = checks.Any(c => c.Check.Status == "Unhealthy") ? "Unhealthy" : checks.Any(c => c.Check.Status == "Degraded") ? "Degraded" : "Healthy";
                var report = new Report(status, o.Value.Role.ToString().ToLowerInvariant(), checks.ToDictionary(c => c.Name, c => c.Check));
                return TypedResults.Json(report, statusCode: status != "Unhealthy" ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
            })
            .Produces<Report>()
            .Produces<Report>(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("Readiness: database, chain RPC, blob store, escrow code; Degraded (200) when the wallet cannot pay its transactions");
        return app;
    }

    private static async Task<(string Name, Check Check)> Run(string name, Func<CancellationToken, Task<string?>> probe, CancellationToken ct, string failure = "Unhealthy")
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
            return (name, new Check(failure, e is OperationCanceledException ? "no answer within 5 s" : e.Message, watch.ElapsedMilliseconds));
        }
    }
}
