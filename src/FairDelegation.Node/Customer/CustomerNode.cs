using FairDelegation.Node.Configuration;
using FairDelegation.Node.Model;
using FairDelegation.Storage;
using Microsoft.Extensions.Options;

namespace FairDelegation.Node.Customer;

/// <summary>
/// The customer node's entry point for starting and following delegations (what the customer HTTP API and the CLI
/// call): store the input, schedule <see cref="CustomerDelegation"/>, read its status and outcome.
/// </summary>
public sealed class CustomerNode(DurableTaskClient durable, IBlobStore store, IOptions<NodeOptions> options)
{
    /// <summary>The orchestration instance id of a delegation.</summary>
    public static string InstanceId(string delegationId) => "customer-" + delegationId;

    /// <summary>Stores a delegation's input (or test data) in the customer's blob store under a fresh name.</summary>
    public Task<StoredBlob> StoreAsync(Stream content, string kind, CancellationToken ct = default) => StoreAsync(store, content, kind, ct);

    /// <summary>Stores a delegation's input (or an asset) in <paramref name="store"/> under a fresh name (what every host's start does).</summary>
    public static async Task<StoredBlob> StoreAsync(IBlobStore store, Stream content, string kind, CancellationToken ct = default)
    {
        var name = $"inputs/{Guid.NewGuid():N}/{kind}";
        var written = await store.WriteAsync(name, content, ct);
        return new StoredBlob(written.Name, written.Length, written.Sha256Hex);
    }

    /// <summary>Starts a delegation; returns its instance id. The waits are this node's configured timeouts.</summary>
    public async Task<string> StartAsync(DelegationRequest request, string? delegationId = null, CancellationToken ct = default)
    {
        if (options.Value.Role != NodeRole.Customer) throw new InvalidOperationException("only a customer node starts delegations");
        if (request.ProviderUrl is null)
        {
            if (!options.Value.Market.Enabled) throw new ArgumentException("providerUrl is required: this node has no market registry configured (Market:RegistryAddress)");
        }
        else if (!Uri.TryCreate(request.ProviderUrl, UriKind.Absolute, out _)) throw new ArgumentException($"providerUrl '{request.ProviderUrl}' is not an absolute URL");
        if (request.Currency is { Length: > 0 } currency && !currency.Equals("ETH", StringComparison.OrdinalIgnoreCase) && !FairDelegation.Chain.Crypto.EthereumAddress.TryParse(currency, out _))
            throw new ArgumentException($"currency '{currency}' is neither ETH nor a token address");
        if (string.IsNullOrWhiteSpace(request.Service)) throw new ArgumentException("service is required");
        if (request.MaxWage.Sign <= 0) throw new ArgumentException("maxWage must be a positive amount of wei");
        foreach (var (field, reason) in RequestLimits.Check(request.ProviderUrl, request.Service, request.Assets.Keys, request.Sla))
            throw new ArgumentException($"{field} {reason}");
        if (!await store.ExistsAsync(request.InputBlob, ct)) throw new ArgumentException($"input blob '{request.InputBlob}' does not exist");
        foreach (var (asset, blob) in request.Assets)
        {
            if (!await store.ExistsAsync(blob, ct)) throw new ArgumentException($"asset '{asset}': blob '{blob}' does not exist");
        }
        try { FairDelegation.Protocol.Sla.ServiceLevelAgreement.FromJson(request.Sla); }
        catch (FormatException e) { throw new ArgumentException($"sla: {e.Message}"); }
        var id = InstanceId(delegationId ?? Guid.NewGuid().ToString("N"));
        return await durable.ScheduleNewOrchestrationInstanceAsync(nameof(CustomerDelegation),
            new CustomerDelegationInput(request, DelegationTimeouts.From(options.Value)), new StartOrchestrationOptions(id), ct);
    }

    /// <summary>The instance's metadata (status, custom status = current step, output = outcome), or null.</summary>
    public Task<OrchestrationMetadata?> GetAsync(string instanceId, CancellationToken ct = default) =>
        durable.GetInstanceAsync(instanceId, getInputsAndOutputs: true, ct);

    /// <summary>Opens the decrypted work of a completed delegation.</summary>
    public async Task<Stream> OpenResultAsync(DelegationOutcome outcome, CancellationToken ct = default) =>
        outcome is { Status: DelegationStatus.Completed, ResultBlob: { } blob }
            ? await store.OpenReadAsync(blob, ct)
            : throw new InvalidOperationException("the delegation has no result (not completed)");
}
