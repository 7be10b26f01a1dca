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
var killAt = Environment.GetEnvironmentVariable(KillAtFaultPoint.KillVariable);
var freezeAt = Environment.GetEnvironmentVariable(KillAtFaultPoint.FreezeVariable);
if (!string.IsNullOrEmpty(killAt) || !string.IsNullOrEmpty(freezeAt))
{
    var faults = new KillAtFaultPoint(killAt, freezeAt);
    builder.Services.AddSingleton<IFaultPoints>(faults);
    // "{activity}:before-save": the activity returned, its result not yet saved by the backend.
    builder.Services.AddSingleton(new ActivityMiddleware(async (context, next) =>
    {
        await next();
        if (context.GetProperty<DurableTask.Core.History.TaskScheduledEvent>() is { Name: { } name }) faults.Reach(FaultPoint.BeforeSave(name));
    }));
}
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
        outcome = meta.RuntimeStatus == OrchestrationRuntimeStatus.Completed ? meta.ReadOutputAs<DelegationOutcome>() : null,
        failure = meta.FailureDetails?.ErrorMessage, // a Failed instance's output is its error, not an outcome
    });
});

// The instances still Pending or Running (none may be left after recovery).
app.MapGet("/test/running", async (DurableTaskClient durable, CancellationToken ct) =>
{
    var ids = new List<string>();
    await foreach (var m in durable.GetAllInstancesAsync(new OrchestrationQuery
    {
        Statuses = [OrchestrationRuntimeStatus.Pending, OrchestrationRuntimeStatus.Running, OrchestrationRuntimeStatus.Suspended],
    }).WithCancellation(ct)) ids.Add(m.InstanceId);
    return Results.Ok(ids);
});

await app.RunAsync();

internal sealed record StartRequest(string ProviderUrl, string Service, string Sla, System.Numerics.BigInteger MaxWage, string InputBase64, string? DelegationId);
