using FairDelegation.Chain.Crypto;
using Microsoft.Extensions.Options;

namespace FairDelegation.Node.Configuration;

/// <summary>Names every unusable setting at startup, each with the configuration key to fix.</summary>
public sealed class NodeOptionsValidator : IValidateOptions<NodeOptions>
{
    public ValidateOptionsResult Validate(string? name, NodeOptions o)
    {
        var problems = Problems(o);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    /// <summary>Every problem, prefixed with its configuration key.</summary>
    public static List<string> Problems(NodeOptions o)
    {
        const string s = NodeOptions.SectionName;
        var p = new List<string>();
        if (!Uri.TryCreate(o.Chain.RpcUrl, UriKind.Absolute, out _)) p.Add($"{s}:Chain:RpcUrl '{o.Chain.RpcUrl}' is not an absolute URL");
        if (o.Chain.ChainId <= 0) p.Add($"{s}:Chain:ChainId must be positive");
        if (EthereumAddress.Problem(o.Chain.EscrowAddress) is { } escrowProblem) p.Add($"{s}:Chain:EscrowAddress: {escrowProblem}");
        else if (EthereumAddress.Parse(o.Chain.EscrowAddress) == EthereumAddress.Zero) p.Add($"{s}:Chain:EscrowAddress is the zero address, not a contract");
        if (o.Chain.Confirmations < 1) p.Add($"{s}:Chain:Confirmations must be at least 1");
        if (o.Chain.PollInterval <= TimeSpan.Zero) p.Add($"{s}:Chain:PollInterval must be positive");
        if (!string.IsNullOrWhiteSpace(o.Chain.WebSocketUrl) && !string.Equals(o.Chain.WebSocketUrl.Trim(), "none", StringComparison.OrdinalIgnoreCase)
            && !(Uri.TryCreate(o.Chain.WebSocketUrl.Trim(), UriKind.Absolute, out var ws) && ws.Scheme is "ws" or "wss"))
            p.Add($"{s}:Chain:WebSocketUrl must be a ws:// or wss:// URL, or \"none\"");
        if (o.Chain.WatchFromBlock < 0) p.Add($"{s}:Chain:WatchFromBlock must not be negative");
        if (o.Wallet.PayeeAddress is { Length: > 0 } payee && EthereumAddress.Problem(payee) is { } payeeProblem)
            p.Add($"{s}:Wallet:PayeeAddress: {payeeProblem}");
        if (o.PublicUrl is { Length: > 0 } url && !Uri.TryCreate(url, UriKind.Absolute, out _)) p.Add($"{s}:PublicUrl '{url}' is not an absolute URL");
        foreach (var (key, value) in new[]
                 {
                     ("WorkDelivery", o.Timeouts.WorkDelivery), ("EscrowOpen", o.Timeouts.EscrowOpen), ("Request", o.Timeouts.Request),
                     ("Deadline", o.Timeouts.Deadline), ("Confirmation", o.Timeouts.Confirmation), ("DeadlineCheck", o.Timeouts.DeadlineCheck), ("MessageClockSkew", o.Timeouts.MessageClockSkew),
                     ("Service", o.Timeouts.Service), ("Verifier", o.Timeouts.Verifier), ("PeerCall", o.Timeouts.PeerCall),
                 })
        {
            if (value <= TimeSpan.Zero) p.Add($"{s}:Timeouts:{key} must be positive");
        }
        if (o.Timeouts.DeadlineMargin < TimeSpan.Zero) p.Add($"{s}:Timeouts:DeadlineMargin must not be negative");
        if (o.Timeouts.WorkDelivery >= o.Timeouts.Deadline) p.Add($"{s}:Timeouts:Deadline must be longer than Timeouts:WorkDelivery (the escrow deadline comes after the delivery deadline)");
        if (o.Timeouts.DeadlineMargin >= o.Timeouts.Deadline) p.Add($"{s}:Timeouts:DeadlineMargin must be shorter than Timeouts:Deadline");
        if (o.Timeouts.Deadline > FairDelegation.Chain.Escrow.EscrowLimits.MaxEscrowDuration)
            p.Add($"{s}:Timeouts:Deadline must be at most {FairDelegation.Chain.Escrow.EscrowLimits.MaxEscrowDuration.TotalDays:0} days (the escrow contract rejects a later deadline: DeadlineTooFar)");
        if (o.Customer.OpenBatchWindow < TimeSpan.Zero || o.Customer.OpenBatchWindow > TimeSpan.FromMinutes(1))
            p.Add($"{s}:Customer:OpenBatchWindow must be between 00:00:00 (off) and 00:01:00 (each opening waits up to this long)");
        if (o.Customer.OpenBatchMaxSize is < 2 or > 100) p.Add($"{s}:Customer:OpenBatchMaxSize must be between 2 and 100");
        if (o.Provider.VerifierRetryBudget < 0) p.Add($"{s}:Provider:VerifierRetryBudget must not be negative");
        if (o.Provider.CommandSlas.Enabled && FairDelegation.Node.Services.BubblewrapSandbox.Problem(o.Provider.CommandSlas) is { } sandbox)
            p.Add($"{s}:Provider:CommandSlas:Enabled is true but the sandbox cannot run: {sandbox}");
        if (o.Provider.CommandSlas.MemoryBytes < 16 << 20) p.Add($"{s}:Provider:CommandSlas:MemoryBytes must be at least 16 MiB");
        if (o.Provider.CommandSlas.CpuTime < TimeSpan.FromSeconds(1)) p.Add($"{s}:Provider:CommandSlas:CpuTime must be at least 1 s");
        if (o.Provider.CommandSlas.MaxProcesses < 1) p.Add($"{s}:Provider:CommandSlas:MaxProcesses must be positive");
        foreach (var (svc, cfg) in o.Provider.Services)
        {
            try { _ = cfg.Wage; }
            catch (FormatException e) { p.Add($"{s}:Provider:Services:{svc}:WageWei: {e.Message}"); }
            try { _ = cfg.Token; }
            catch (FormatException e) { p.Add($"{s}:Provider:Services:{svc}:Currency: {e.Message}"); }
            if (cfg.Kind == "external-command" && string.IsNullOrWhiteSpace(cfg.Command)) p.Add($"{s}:Provider:Services:{svc}:Command is required for an external-command");
        }
        foreach (var peer in o.Peers)
        {
            if (!Uri.TryCreate(peer.Url, UriKind.Absolute, out _)) p.Add($"{s}:Peers: '{peer.Url}' is not an absolute URL");
            if (peer.Identity is { Length: > 0 } id && EthereumAddress.Problem(id) is { } idProblem) p.Add($"{s}:Peers: identity: {idProblem}");
        }
        if (o.Market.Enabled)
        {
            if (!EthereumAddress.TryParse(o.Market.RegistryAddress!, out var registry) || registry == EthereumAddress.Zero)
                p.Add($"{s}:Market:RegistryAddress '{o.Market.RegistryAddress}' is not a contract address (0x + 40 hex digits)");
            if (o.Market.WatchFromBlock is < 0) p.Add($"{s}:Market:WatchFromBlock must not be negative");
            try { _ = o.Market.Stake; }
            catch (FormatException e) { p.Add($"{s}:Market:StakeWei: {e.Message}"); }
            if (o.Market.Endpoint is { Length: > 0 } endpoint && !Uri.TryCreate(endpoint, UriKind.Absolute, out _))
                p.Add($"{s}:Market:Endpoint '{endpoint}' is not an absolute URL");
            if (o.Market.QuoteLifetime < TimeSpan.FromSeconds(10)) p.Add($"{s}:Market:QuoteLifetime must be at least 10 s");
            if (o.Market.QuoteBatchSize < 1) p.Add($"{s}:Market:QuoteBatchSize must be at least 1");
            if (o.Market.QuoteSilence <= TimeSpan.Zero) p.Add($"{s}:Market:QuoteSilence must be positive");
            if (o.Market.DirectoryCatchUp <= TimeSpan.Zero) p.Add($"{s}:Market:DirectoryCatchUp must be positive");
        }
        else if (o.Market.Register) p.Add($"{s}:Market:Register needs {s}:Market:RegistryAddress");
        if (o.PeerApi.MaxInlineBytes < 0 || o.PeerApi.MaxReferencedBytes < 0) p.Add($"{s}:PeerApi limits must not be negative");
        return p;
    }
}
