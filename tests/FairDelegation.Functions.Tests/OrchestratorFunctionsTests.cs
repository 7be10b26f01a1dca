using FairDelegation.Functions.Workflows;
using FairDelegation.Node.Configuration;
using FairDelegation.Node.Customer;
using FairDelegation.Node.Hosting;
using FairDelegation.Node.Model;
using FairDelegation.Testing;
using FairDelegation.Workflows;
using Microsoft.AspNetCore.Builder;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FairDelegation.Functions.Tests;

/// <summary>
/// The orchestrator and activity functions run the node's own classes: the CustomerDelegation function's body and the
/// FixTerms function (made from the Functions app's services) run in the Durable Task Framework harness the node uses
/// (in-memory backend), against a real provider node over HTTP that offers no such service. The delegation ends the way
/// the node's CustomerDelegation ends it: Cancelled at step (0) with the provider's reason.
/// </summary>
public sealed class OrchestratorFunctionsTests : IAsyncLifetime
{
    private readonly FunctionsApp _app = new();
    private readonly string _providerData = Directory.CreateTempSubdirectory("fd-functions-provider-").FullName;
    private WebApplication _provider = null!;
    private string _providerUrl = null!;
    private IHost _harness = null!;

    public async Task InitializeAsync()
    {
        _providerUrl = $"http://127.0.0.1:{FreePort.Next()}";
        var settings = new Dictionary<string, string?>(_app.Settings)
        {
            ["Urls"] = _providerUrl, ["FairDelegation:Role"] = "Provider", ["FairDelegation:Name"] = "provider",
            ["FairDelegation:PublicUrl"] = _providerUrl, ["FairDelegation:DataDirectory"] = _providerData,
            ["FairDelegation:Wallet:PrivateKey"] = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
        };
        var builder = FairDelegationNode.CreateBuilder([], c => c.AddInMemoryCollection(settings));
        builder.Logging.ClearProviders();
        _provider = FairDelegationNode.Build(builder);
        await _provider.StartAsync();

        var activities = _app.Function<ActivityFunctions>();
        var harness = Host.CreateApplicationBuilder();
        harness.Logging.ClearProviders();
        harness.Services.AddDurableWorkflows(new DurableOptions { Backend = DurableBackend.InMemory }, r => r
            .AddOrchestratorFunc<CustomerDelegationInput?, DelegationOutcome>(nameof(CustomerDelegation), (context, _) => OrchestratorFunctions.RunCustomerDelegation(context))
            .AddActivityFunc<DelegationRequest, FixTermsResult>(nameof(FixTerms), (context, input) => activities.RunFixTerms(input, context.InstanceId)));
        _harness = harness.Build();
        await _harness.StartAsync();
    }

    [Fact]
    public async Task The_customer_orchestrator_function_runs_CustomerDelegation_and_its_step_functions_run_the_nodes_activities()
    {
        var client = _harness.Services.GetRequiredService<DurableTaskClient>();
        var request = new DelegationRequest
        {
            ProviderUrl = _providerUrl, Service = "not-offered-here", InputBlob = "inputs/none/input", InputSha256 = new string('a', 64),
            Sla = """{"kind":"max-bytes","maxBytes":1024}""", Assets = new Dictionary<string, string>(), MaxWage = 1000,
        };
        var id = await client.ScheduleNewOrchestrationInstanceAsync(nameof(CustomerDelegation),
            new CustomerDelegationInput(request, DelegationTimeouts.From(new NodeOptions())), new StartOrchestrationOptions("customer-fn-harness"));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var meta = await client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, cts.Token);

        meta.RuntimeStatus.Should().Be(OrchestrationRuntimeStatus.Completed, meta.FailureDetails?.ErrorMessage);
        var outcome = meta.ReadOutputAs<DelegationOutcome>()!;
        outcome.Status.Should().Be(DelegationStatus.Cancelled);
        outcome.Role.Should().Be(NodeRole.Customer);
        // The provider node's Quote answered, through the FixTerms activity function: the request reached a real node.
        outcome.Reason.Should().Contain("the provider declined to quote").And.Contain("not-offered-here");
        meta.ReadCustomStatusAs<StepStatus>()!.Step.Should().Be("end");
    }

    public async Task DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try { await _harness.StopAsync(cts.Token); } catch (OperationCanceledException) { }
        await ((IAsyncDisposable)_harness).DisposeAsync();
        await _provider.StopAsync();
        await _provider.DisposeAsync();
        _app.Dispose();
        try { Directory.Delete(_providerData, recursive: true); } catch (IOException) { }
    }
}
