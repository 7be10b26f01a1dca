using FairDelegation.Workflows;
using Microsoft.DurableTask.Client;
using FairDelegation.Node.Customer;
using FairDelegation.Node.Hosting;
using FairDelegation.Node.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

// A whole node in a process of its own, so a test can kill it (SIGKILL) and start it again on the same data.
var builder = FairDelegationNode.CreateBuilder(args);
if (Environment.GetEnvironmentVariable(KillAtFaultPoint.Variable) is { Length: > 0 } killAt)
    builder.Services.AddSingleton<IFaultPoints>(new KillAtFaultPoint(killAt));
var app = FairDelegationNode.Build(builder);

// Test-only routes (the customer HTTP API of issue 7 replaces these): start a delegation with an inline input, read it.
app.MapPost("/test/delegations", async (StartRequest body, CustomerNode customer, CancellationToken ct) =>
{
    var input = await customer.StoreAsync(new MemoryStream(Convert.FromBase64String(body.InputBase64)), "input", ct);
    var id = await customer.StartAsync(new DelegationRequest
    {
        ProviderUrl = body.ProviderUrl, Service = body.Service, InputBlob = input.Name, Sla = body.Sla, MaxWage = body.MaxWage,
    }, body.DelegationId, ct);
    return Results.Ok(new { instanceId = id });
});
app.MapGet("/test/delegations/{id}", async (string id, DurableTaskClient durable, CancellationToken ct) =>
{
    var meta = await durable.GetInstanceAsync(id, getInputsAndOutputs: true, ct);
    return meta is null ? Results.NotFound() : Results.Ok(new
    {
        runtimeStatus = meta.RuntimeStatus.ToString(),
        step = meta.ReadCustomStatusAs<StepStatus>(),
        outcome = meta.IsCompleted ? meta.ReadOutputAs<DelegationOutcome>() : null,
    });
});

await app.RunAsync();

internal sealed record StartRequest(string ProviderUrl, string Service, string Sla, System.Numerics.BigInteger MaxWage, string InputBase64, string? DelegationId);
