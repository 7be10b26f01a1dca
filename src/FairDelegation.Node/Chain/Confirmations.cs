using FairDelegation.Durable;
using FairDelegation.Node.Model;

namespace FairDelegation.Node.Chain;

/// <summary>Waits, with durable timers, until a transaction has the configured confirmations on the canonical chain.</summary>
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
                new ReadConfirmationsInput(transaction.Hash, transaction.Step, timeouts.Confirmations), StepRetry.Chain);
            if (state.Confirmed) return state.Transaction;
            if (context.CurrentUtcDateTime >= giveUpAt) return null;
            await context.CreateTimer(timeouts.PollInterval, CancellationToken.None);
        }
    }
}

/// <summary>Input of <see cref="ReadConfirmations"/>.</summary>
public sealed record ReadConfirmationsInput(string TransactionHash, string Step, int Required);

/// <summary>Whether a transaction is mined on the canonical chain with enough blocks on top.</summary>
public sealed record ConfirmationState(bool Confirmed, int Confirmations, ChainTransaction? Transaction);
