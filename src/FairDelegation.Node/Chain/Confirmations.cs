using FairDelegation.Node.Model;

namespace FairDelegation.Node.Chain;

/// <summary>
/// Waits until a transaction has the configured confirmations on the canonical chain: each check wakes on pushed blocks
/// inside the activity (<see cref="ReadConfirmations"/>); a durable timer paces the checks only when that is not enough.
/// </summary>
public static class Confirmations
{
    /// <summary>
    /// The transaction as mined once confirmed, or null when it was not confirmed within the confirmation timeout
    /// (the caller decides what that means; the chain state stays authoritative).
    /// </summary>
    public static async Task<ChainTransaction?> WaitAsync(TaskOrchestrationContext context, ChainTransaction transaction, DelegationTimeouts timeouts)
    {
        var giveUpAt = context.CurrentUtcDateTime + timeouts.Confirmation;
        while (true)
        {
            var state = await context.CallActivityAsync<ConfirmationState>(nameof(ReadConfirmations),
                new ReadConfirmationsInput(transaction.Hash, transaction.Step, timeouts.Confirmations) { Transaction = transaction }, StepRetry.Chain);
            if (state.Confirmed) return state.Transaction;
            if (context.CurrentUtcDateTime >= giveUpAt) return null;
            await context.CreateTimer(timeouts.PollInterval, CancellationToken.None);
        }
    }
}

/// <summary>Input of <see cref="ReadConfirmations"/>.</summary>
public sealed record ReadConfirmationsInput(string TransactionHash, string Step, int Required)
{
    /// <summary>The transaction as the step that sent it saw it mined (block number and hash): lets the check skip the node.</summary>
    public ChainTransaction? Transaction { get; init; }
}

/// <summary>Whether a transaction is mined on the canonical chain with enough blocks on top.</summary>
public sealed record ConfirmationState(bool Confirmed, int Confirmations, ChainTransaction? Transaction);
