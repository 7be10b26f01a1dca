using System.Security.Cryptography;
using System.Text;
using FairDelegation.Chain.Crypto;
using FairDelegation.Node.Chain;
using FairDelegation.Node.Configuration;
using FairDelegation.Node.Keys;
using FairDelegation.Node.Model;
using FairDelegation.Node.Peers;
using FairDelegation.Node.Services;
using FairDelegation.Node.Storage;
using FairDelegation.Protocol.Agreements;
using FairDelegation.Protocol.Keys;
using FairDelegation.Protocol.Serialization;
using FairDelegation.Protocol.Sla;
using Microsoft.Extensions.Options;

namespace FairDelegation.Node.Provider;

/// <summary>
/// Step (0) on the provider's side: make the disposable work key sk_sp/pk_sp, fix wage_sp and the deadlines, answer the
/// terms, and start the provider's orchestration (which then waits for the request). It runs inside the quote
/// request's handler because the customer needs pk_sp in the answer.
/// </summary>
public sealed class Quote(IOptions<NodeOptions> options, ServiceCatalog catalog, KeyStore keys, AgreementStore agreements,
    Wallet wallet, EscrowGateway escrow, TimeProvider time, WalletFunding funding,
    Microsoft.Extensions.Logging.ILogger<Quote> log)
{
    /// <summary>The provider orchestration's instance id for an agreement.</summary>
    public static string InstanceId(string agreementId) => "provider-" + agreementId.ToLowerInvariant();

    /// <summary>
    /// Answers a quote request; on acceptance starts the provider's orchestration with <paramref name="durable"/> (the
    /// host's client: the node's, or the one the Functions runtime binds).
    /// </summary>
    public async Task<QuoteReply> MakeAsync(QuoteRequest request, EthereumAddress customerIdentity, DurableTaskClient durable, CancellationToken ct)
    {
        var o = options.Value;
        if (catalog.Find(request.Service) is not { } offered)
            return new QuoteReply(false, $"service '{request.Service}' is not offered here (offered: {string.Join(", ", catalog.Names)})", null, null);
        // The currency is the service's: a customer paying in another one is refused before anything is made.
        var token = o.Provider.Services.TryGetValue(request.Service, out var configured) ? configured.Token : EthereumAddress.Zero;
        var currency = token == EthereumAddress.Zero ? "ETH" : token.ToLowerHex();
        var asked = string.IsNullOrWhiteSpace(request.Currency) || request.Currency.Equals("ETH", StringComparison.OrdinalIgnoreCase) ? "ETH" : request.Currency.ToLowerInvariant();
        if (asked != currency)
            return new QuoteReply(false, $"service '{request.Service}' is paid in {currency} here, not in {asked}", null, null);
        // (0) wage_c and wage_sp must match: the customer's most must cover the provider's price.
        if (request.MaxWage < offered.Wage)
            return new QuoteReply(false, $"wage_c {request.MaxWage} is below wage_sp {offered.Wage} ({currency})", null, null);
        EthereumAddress customer, verifierKey;
        ServiceLevelAgreement sla;
        Bytes32 inputHash, nonce;
        try
        {
            customer = EthereumAddress.Parse(request.CustomerAddress);
            verifierKey = EthereumAddress.Parse(request.VerifierKey);
            sla = ServiceLevelAgreement.FromJson(request.Sla);
            inputHash = Bytes32.Parse(request.InputHash);
            nonce = Bytes32.Parse(request.ProposalId);
            if (!Uri.TryCreate(request.CustomerUrl, UriKind.Absolute, out _)) throw new FormatException("customerUrl is not an absolute URL");
        }
        catch (FormatException e)
        {
            throw new FormatException($"quote request: {e.Message}");
        }

        // A command SLA runs the customer's program on the unpaid work: only in the sandbox, and only if enabled (issue 11 #5).
        if (CommandSandbox.IsNeededFor(sla))
        {
            if (!o.Provider.CommandSlas.Enabled)
                return new QuoteReply(false, "command SLAs are off at this provider: it does not run customers' programs on its work", null, null);
            if (BubblewrapSandbox.Problem(o.Provider.CommandSlas) is { } missing)
                return new QuoteReply(false, $"command SLAs cannot run here: {missing}", null, null);
        }

        // A provider that cannot pay for its claim would work for nothing and fail at (10): it refuses before any work.
        if (await funding.ProblemAsync(0, ct) is { } poor)
        {
            Microsoft.Extensions.Logging.LoggerExtensions.LogWarning(log, "Refusing to quote {Service}: {Problem}", request.Service, poor);
            return new QuoteReply(false, $"the provider cannot pay for its claim transaction: {poor}", null, null);
        }

        // A fresh work key per agreement (A8). A proposal is quoted once: a second quote would make a second agreement
        // with the same work key, and revealing it for one would give away the work of the other. (A replay of the
        // same message never gets here: the inbox answers it with the stored reply.)
        var keyId = "work-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(customerIdentity.ToLowerHex() + "|" + request.ProposalId)))[..32];
        if (keys.Contains(keyId))
            return new QuoteReply(false, $"proposal {request.ProposalId} was already quoted; ask again with a new proposal id", null, null);
        keys.GetOrCreateSecp256k1Key(keyId, "work-key");
        PublicKey workKey;
        using (var sk = keys.Open(keyId)) workKey = PublicKey.FromBytes(Secp256k1.PublicKeyFromPrivateKey(sk.Bytes));

        // Deadlines are chain time (block timestamps), which is what the contract enforces.
        var now = time.GetUtcNow();
        var chainNow = await escrow.ChainTimeAsync(ct);
        var terms = new AgreementTerms(
            ChainId: o.Chain.ChainId,
            Escrow: EthereumAddress.Parse(o.Chain.EscrowAddress),
            Customer: customer,
            Payee: wallet.Payee(o.Wallet),
            WorkPublicKey: workKey,
            VerifierKey: verifierKey,
            Wage: offered.Wage,
            DeliveryDeadline: chainNow + (long)o.Timeouts.WorkDelivery.TotalSeconds,
            EscrowDeadline: chainNow + (long)o.Timeouts.Deadline.TotalSeconds,
            Service: request.Service,
            Sla: sla,
            InputHash: inputHash,
            Nonce: nonce,
            Token: token == EthereumAddress.Zero ? null : token);
        terms.Validate();
        var agreementId = terms.AgreementId.ToHex();
        var termsJson = terms.ToJson();
        var instanceId = InstanceId(agreementId);
        agreements.Record(new AgreementRecord(agreementId, NodeRole.Provider, instanceId, terms.WorkKey.ToLowerHex(),
            request.CustomerUrl, customerIdentity.ToLowerHex(), termsJson, now));

        var input = new ProviderDelegationInput(agreementId, termsJson, keyId, request.CustomerUrl, customerIdentity.ToLowerHex(),
            o.Provider.VerifierRetryBudget, DelegationTimeouts.From(o));
        try
        {
            await durable.ScheduleNewOrchestrationInstanceAsync(nameof(ProviderDelegation), input, new StartOrchestrationOptions(instanceId), ct);
        }
        catch (DurableTask.Core.Exceptions.OrchestrationAlreadyExistsException)
        {
            // Same proposal quoted again (a retried message): the orchestration already runs.
        }
        return new QuoteReply(true, null, agreementId, termsJson);
    }
}
