using FairDelegation.Chain.Crypto;
using FairDelegation.Node.Chain;
using FairDelegation.Node.Model;

namespace FairDelegation.Node.Provider;

/// <summary>
/// Step (9): before revealing anything, check the escrow on chain against the agreement: the work key is address(pk_sp),
/// the agreement id the contract derived is ours, the customer and the deadline are the agreed ones, the wage is at least wage_sp, the payee and H(w') are ours, the escrow holds exactly these terms now, its opening
/// has the configured confirmations on the canonical chain, and the deadline (chain time) leaves the safety margin.
/// </summary>
public sealed class CheckEscrow(EscrowGateway escrow) : TaskActivity<CheckEscrowInput, CheckEscrowResult>
{
    public override async Task<CheckEscrowResult> RunAsync(TaskActivityContext context, CheckEscrowInput input)
    {
        var ct = CancellationToken.None;
        var t = input.Agreement.ParseTerms();
        var e = input.Opened;
        CheckEscrowResult Refuse(string reason) => new(EscrowVerdict.Refused, reason);

        if (EthereumAddress.Parse(e.WorkKey) != t.WorkKey)
            return Refuse($"the escrow is for work key {e.WorkKey}, not ours ({t.WorkKey})");
        // The contract derives the id from the details hash and the work key: the same id means the same agreement.
        if (!string.Equals(e.AgreementId, input.Agreement.AgreementId, StringComparison.OrdinalIgnoreCase))
            return Refuse($"the escrow names agreement {e.AgreementId}, not {input.Agreement.AgreementId}");
        if (EthereumAddress.Parse(e.Customer) != t.Customer)
            return Refuse($"the escrow was opened by {e.Customer}, not by the agreed customer {t.Customer}");
        // The token is the customer's argument to openToken, not part of the id: an escrow in another currency (a worthless
        // token, or ETH for a token wage) is refused like a short amount.
        var currency = e.Token is null ? "ETH" : e.Token.ToLowerInvariant();
        if (currency != t.CurrencyName) return Refuse($"the escrow holds {currency}, not the agreed currency {t.CurrencyName}");
        if (e.Amount < t.Wage) return Refuse($"the escrow holds {e.Amount} {(t.IsToken ? "token units" : "wei")}, less than the agreed wage of {t.Wage}");
        if (EthereumAddress.Parse(e.Payee) != t.Payee) return Refuse($"the escrow pays {e.Payee}, not our payee {t.Payee}");
        if (!string.Equals(e.WorkHash, input.WorkHash, StringComparison.OrdinalIgnoreCase))
            return Refuse($"the escrow's work hash {e.WorkHash} is not H(w') {input.WorkHash}");
        if (e.Deadline != t.EscrowDeadline) return Refuse($"the escrow's deadline {e.Deadline} is not the agreed {t.EscrowDeadline}");

        var (confirmations, receipt) = await escrow.ConfirmationsAsync(e.TransactionHash, ct);
        if (receipt is null || !receipt.Succeeded || receipt.BlockHash != e.BlockHash)
        {
            // The opening we were told about is not (or no longer) on the canonical chain.
            return await escrow.Contract.IsOpenWithAsync(EscrowGateway.TermsOf(e), ct)
                ? new CheckEscrowResult(EscrowVerdict.Unconfirmed, "the opening was re-mined in another block")
                : new CheckEscrowResult(EscrowVerdict.Reorged, "the escrow's opening is no longer on the chain");
        }
        if (!await escrow.Contract.IsOpenWithAsync(EscrowGateway.TermsOf(e), ct))
        {
            // A reorganisation between the receipt read and this read also empties the slot: tell it apart from a
            // claim or refund by reading the receipt again, so a reorged opening is waited on rather than refused.
            var (_, again) = await escrow.ConfirmationsAsync(e.TransactionHash, ct);
            if (again is null || !again.Succeeded || again.BlockHash != e.BlockHash)
                return new CheckEscrowResult(EscrowVerdict.Reorged, "the escrow's opening is no longer on the chain");
            return Refuse("the escrow no longer holds these terms (claimed or refunded)");
        }
        if (confirmations < input.Confirmations)
            return new CheckEscrowResult(EscrowVerdict.Unconfirmed, $"{confirmations} of {input.Confirmations} confirmations");

        var chainNow = await escrow.ChainTimeAsync(ct);
        var left = TimeSpan.FromSeconds(e.Deadline - chainNow);
        if (left < input.DeadlineMargin)
            return Refuse($"only {left} left before the deadline, less than the safety margin of {input.DeadlineMargin}");
        return new CheckEscrowResult(EscrowVerdict.Accepted, null);
    }
}
