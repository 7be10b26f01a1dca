using FairDelegation.Chain.Crypto;
using FairDelegation.Chain.Escrow;
using FairDelegation.Chain.Rpc;
using FairDelegation.Node.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FairDelegation.Node.Chain;

/// <summary>
/// Checks at start what configuration validation cannot see without the chain (issue 11 #2, #3): the configured escrow
/// address must hold this build's escrow runtime code, else the node refuses to start naming the setting (a wrong address
/// would take the wage); a wallet that cannot pay for its role's transactions is a warning. When the chain does not answer
/// yet, the node starts and /health/ready reports the same checks once it does.
/// </summary>
public sealed class StartupChecks(EthRpcClient rpc, WalletFunding funding, IOptions<NodeOptions> options, ILogger<StartupChecks> log) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        string? problem;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(15));
        try
        {
            problem = await EscrowRuntimeCode.ProblemAsync(rpc, EthereumAddress.Parse(o.Chain.EscrowAddress), timeout.Token);
        }
        catch (Exception e) when (e is RpcException or HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            log.LogWarning("The chain at {RpcUrl} does not answer ({Reason}); the escrow's code is checked by /health/ready and before the first deposit", o.Chain.RpcUrl, e.Message);
            return;
        }
        if (problem is not null)
            throw new OptionsValidationException(NodeOptions.SectionName, typeof(NodeOptions), [$"{NodeOptions.SectionName}:Chain:EscrowAddress: {problem}"]);
        try
        {
            if (await funding.ProblemAsync(0, timeout.Token) is { } poor)
                log.LogWarning("The wallet cannot pay for this node's transactions: {Problem}. {Consequence}", poor,
                    o.Role == NodeRole.Provider ? "The node refuses to quote until it is funded." : "Delegations will be refused until it is funded.");
        }
        catch (Exception e) when (e is RpcException or HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            log.LogWarning("Could not read the wallet's balance: {Reason}", e.Message);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
