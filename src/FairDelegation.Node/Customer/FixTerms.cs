using FairDelegation.Chain.Crypto;
using FairDelegation.Node.Chain;
using FairDelegation.Node.Configuration;
using FairDelegation.Node.Hosting;
using FairDelegation.Node.Keys;
using FairDelegation.Node.Model;
using FairDelegation.Node.Peers;
using FairDelegation.Node.Storage;
using FairDelegation.Protocol.Agreements;
using FairDelegation.Protocol.Sla;
using FairDelegation.Storage;
using Microsoft.Extensions.Options;

namespace FairDelegation.Node.Customer;

/// <summary>
/// Step (0), customer side: make the verifier's disposable key sk_c, ask the provider for a quote (service, SLA, wage_c,
/// address(pk_c), the customer's wallet, H(input)), and accept the terms only if they are what was asked and wage_sp is
/// within wage_c. The provider's identity is pinned for the rest of the agreement.
/// </summary>
public sealed class FixTerms(IOptions<NodeOptions> options, KeyStore keys, PeerClient peers, AgreementStore agreements, Wallet wallet,
    NodeUrls urls, IBlobStore store, EscrowGateway escrow, TimeProvider time, WalletFunding funding) : TaskActivity<DelegationRequest, FixTermsResult>
{
    public override async Task<FixTermsResult> RunAsync(TaskActivityContext context, DelegationRequest request)
    {
        var o = options.Value;
        var ct = CancellationToken.None;
        // Each quote round is its own proposal (its own ids); round 0 keeps the ids delegations always had.
        var key = request.QuoteRound == 0 ? context.IdempotencyKey : $"{context.IdempotencyKey}:round-{request.QuoteRound}";
        var verifierKeyId = "verifier-" + MessageIds.For(key, "verifier-key");
        keys.GetOrCreateSecp256k1Key(verifierKeyId, "verifier-key");
        EthereumAddress verifierKey;
        using (var sk = keys.Open(verifierKeyId)) verifierKey = EthereumAddress.FromPrivateKey(sk.Bytes);
        FixTermsResult Refuse(string reason) => new(null, verifierKeyId, reason);

        // The provider's identity: the one configured for its URL if any, else the one it announces (pinned from now on).
        var providerUrl = request.ProviderUrl ?? throw new InvalidOperationException("(0) needs the provider's URL (the market step sets it)");
        var announced = await peers.GetIdentityAsync(providerUrl, ct);
        var configured = o.Peers.FirstOrDefault(p => SameUrl(p.Url, providerUrl) && !string.IsNullOrWhiteSpace(p.Identity));
        if (configured is not null && EthereumAddress.Parse(configured.Identity!) != announced)
            return Refuse($"the provider at {providerUrl} announces identity {announced}, configured is {configured.Identity}");
        // Chosen in the market: the provider is the registered identity that signed the chosen quote.
        if (request.ProviderIdentity is { } registered && EthereumAddress.Parse(registered) != announced)
            return Refuse($"the provider at {providerUrl} announces identity {announced}, the market's registered identity is {registered}");

        // H(input): as the store computed it at the write when the caller passed it on, else from the blob's properties.
        var inputHash = "0x" + (request.InputSha256 ?? (await store.GetPropertiesAsync(request.InputBlob, ct)).Sha256Hex)!.ToLowerInvariant();
        var sla = ServiceLevelAgreement.FromJson(request.Sla);
        var proposalId = MessageIds.Bytes32For(key, "proposal");
        var quoteRequest = new QuoteRequest
        {
            ProposalId = proposalId, Service = request.Service, Sla = sla.ToJson(), MaxWage = request.MaxWage,
            Currency = request.Currency, CustomerAddress = wallet.Address.ToLowerHex(), VerifierKey = verifierKey.ToLowerHex(), InputHash = inputHash, CustomerUrl = urls.PublicUrl,
        };
        QuoteReply reply;
        try
        {
            var body = await peers.SendAsync(providerUrl, PeerKinds.QuoteRoute, announced, PeerKinds.QuoteRequest, proposalId,
                MessageIds.For(key, "quote"), PeerJson.Serialize(quoteRequest), ct);
            reply = PeerJson.Deserialize<QuoteReply>(body, "quote");
        }
        catch (PeerCallException e) when (e.Refused)
        {
            return Refuse(e.Message);
        }
        if (!reply.Accepted || reply.Terms is null || reply.AgreementId is null) return Refuse($"the provider declined to quote: {reply.Reason}");

        AgreementTerms t;
        try { t = AgreementTerms.FromJson(reply.Terms); }
        catch (FormatException e) { return Refuse($"the provider's terms are malformed: {e.Message}"); }
        var chainNow = await escrow.ChainTimeAsync(ct);
        var mismatch =
            t.Service != request.Service ? $"service {t.Service} instead of {request.Service}" :
            t.Customer != wallet.Address ? "another customer wallet" :
            t.VerifierKey != verifierKey ? "another verifier key" :
            t.Sla.Hash() != sla.Hash() ? "another SLA" :
            t.InputHash.ToHex() != inputHash ? "another input hash" :
            t.CurrencyName != Currency(request) ? $"the wage in {t.CurrencyName} instead of {Currency(request)}" :
            t.Wage > request.MaxWage ? $"wage_sp {t.Wage} is above wage_c {request.MaxWage} ({t.CurrencyName})" :
            t.ChainId != o.Chain.ChainId ? $"chain {t.ChainId} instead of {o.Chain.ChainId}" :
            t.Escrow != EthereumAddress.Parse(o.Chain.EscrowAddress) ? $"escrow {t.Escrow} instead of {o.Chain.EscrowAddress}" :
            t.Nonce.ToHex() != proposalId ? "another proposal id" :
            t.EscrowDeadline <= chainNow + (long)o.Timeouts.DeadlineMargin.TotalSeconds ? "an escrow deadline too close to leave the provider its margin" :
            t.EscrowDeadline > chainNow + (long)FairDelegation.Chain.Escrow.EscrowLimits.MaxEscrowDuration.TotalSeconds ? "an escrow deadline beyond the contract's 30-day cap" :
            t.AgreementId.ToHex() != reply.AgreementId.ToLowerInvariant() ? "an agreement id that is not the hash of the terms" :
            null;
        if (mismatch is not null) return Refuse($"the quote does not match the request: {mismatch}");
        // The wage and the escrow's gas must be in the wallet before anything is delivered (issue 11 #3).
        if (await (t.IsToken ? funding.TokenProblemAsync(t.Token!, t.Wage, ct) : funding.ProblemAsync(t.Wage, ct)) is { } poor) return Refuse($"the customer's wallet cannot pay for this delegation: {poor}");

        var agreementId = t.AgreementId.ToHex();
        var termsJson = t.ToJson();
        agreements.Record(new AgreementRecord(agreementId, NodeRole.Customer, context.InstanceId, t.WorkKey.ToLowerHex(),
            providerUrl, announced.ToLowerHex(), termsJson, time.GetUtcNow()));
        return new FixTermsResult(new Agreement(agreementId, termsJson, providerUrl, announced.ToLowerHex()), verifierKeyId, null);
    }

    /// <summary>"ETH" or the token's lowercase address, as the terms name it.</summary>
    private static string Currency(DelegationRequest request) =>
        string.IsNullOrWhiteSpace(request.Currency) || request.Currency.Equals("ETH", StringComparison.OrdinalIgnoreCase) ? "ETH" : request.Currency.ToLowerInvariant();

    private static bool SameUrl(string a, string b) => string.Equals(a.TrimEnd('/'), b.TrimEnd('/'), StringComparison.OrdinalIgnoreCase);
}
