using System.Numerics;
using FairDelegation.Chain.Accounts;
using FairDelegation.Chain.Crypto;
using FairDelegation.Chain.Escrow;
using FairDelegation.Chain.Rpc;
using FairDelegation.Chain.Transactions;
using FairDelegation.Node.Chain;
using FairDelegation.Node.Configuration;
using FairDelegation.Node.Hosting;
using FairDelegation.Node.Model;
using FairDelegation.Protocol.Agreements;
using FairDelegation.Protocol.Keys;
using FairDelegation.Protocol.Serialization;
using FairDelegation.Protocol.Sla;
using Microsoft.Extensions.Options;

namespace FairDelegation.Node.Tests.EndToEnd;

/// <summary>
/// The chain-writing steps run again after a crash at any point (issue 11 #1) and never leak the work key in a claim that
/// cannot land (#6). Against anvil: each case builds the chain state a crash leaves behind, then runs the step again.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class EscrowGatewayTests(ChainAndBlobsFixture chain)
{
    private static readonly BigInteger Wage = BigInteger.Pow(10, 15);

    private sealed record Setup(EscrowGateway Customer, EscrowGateway Provider, EthAccount CustomerAccount, EthAccount Payee,
        byte[] WorkSk, Agreement Agreement, EscrowTerms Terms, string WorkHash, EscrowContract Contract);

    private async Task<Setup> SetUpAsync(long deadlineFromNow = 3600)
    {
        var customer = await chain.FundedAccountAsync();
        var provider = await chain.FundedAccountAsync();
        var payee = EthAccount.Generate();
        var workSk = EthAccount.Generate().ExportPrivateKey();
        var now = await Gateway(provider).ChainTimeAsync(CancellationToken.None);
        var terms = new AgreementTerms(31337, EthereumAddress.Parse(chain.EscrowAddress), customer.Address, payee.Address,
            PublicKey.FromBytes(Secp256k1.PublicKeyFromPrivateKey(workSk)), EthAccount.Generate().Address, Wage,
            now + deadlineFromNow / 2, now + deadlineFromNow, "copy", new MinBytesSla(1), Bytes32.Random(), Bytes32.Random());
        var agreement = new Agreement(terms.AgreementId.ToHex(), terms.ToJson(), "http://peer", provider.Address.ToLowerHex());
        var workHash = Hex.Encode(Bytes32.Random().Bytes);
        return new Setup(Gateway(customer), Gateway(provider), customer, payee, workSk, agreement, EscrowGateway.TermsOf(terms, workHash), workHash,
            new EscrowContract(chain.Rpc, EthereumAddress.Parse(chain.EscrowAddress)));
    }

    private EscrowGateway Gateway(EthAccount account)
    {
        var o = new NodeOptions();
        o.Chain.EscrowAddress = chain.EscrowAddress;
        o.Chain.WatchFromBlock = chain.DeployBlock;
        return new EscrowGateway(chain.Rpc, new TransactionSender(chain.Rpc, account), Options.Create(o), TimeProvider.System, new NoFaultPoints());
    }

    /// <summary>
    /// Waits until the chain's time (as the nodes read it) reaches <paramref name="deadline"/>. The shared anvil's clock is
    /// never moved (evm_increaseTime would shift every later test's chain time).
    /// </summary>
    private async Task UntilChainTimeAsync(EscrowGateway gateway, long deadline)
    {
        var until = DateTime.UtcNow.AddSeconds(120);
        while (await gateway.ChainTimeAsync(CancellationToken.None) < deadline || (await chain.Rpc.GetLatestBlockAsync()).Timestamp < deadline)
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"chain time never reached {deadline}");
            await Task.Delay(500);
            await chain.Rpc.MineAsync(); // an automining chain makes blocks only for transactions: one at the current time
        }
    }

    [Fact]
    public async Task OpenEscrow_run_again_after_the_provider_claimed_returns_the_earlier_opening()
    {
        // The customer's node was killed after its opening was mined, before the result was saved; the provider claimed meanwhile.
        var s = await SetUpAsync();
        var first = await s.Customer.OpenAsync(s.Agreement, s.WorkHash, CancellationToken.None);
        first.Succeeded.Should().BeTrue(first.FailureReason);
        (await s.Provider.ClaimAsync(s.Terms, s.WorkSk, TimeSpan.FromSeconds(60), CancellationToken.None)).Succeeded.Should().BeTrue();
        var balance = await chain.Rpc.GetBalanceAsync(s.CustomerAccount.Address);

        var again = await s.Customer.OpenAsync(s.Agreement, s.WorkHash, CancellationToken.None);

        again.Succeeded.Should().BeTrue("the chain shows our deposit (claimed since): never report 'nothing deposited'; got {0}", again.FailureReason);
        again.Hash.Should().Be(first.Hash, "the earlier opening is returned");
        (await chain.Rpc.GetBalanceAsync(s.CustomerAccount.Address)).Should().Be(balance, "nothing was sent again");
    }

    [Fact]
    public async Task OpenEscrow_run_again_after_a_refund_returns_the_earlier_opening()
    {
        var s = await SetUpAsync(deadlineFromNow: 6);
        var first = await s.Customer.OpenAsync(s.Agreement, s.WorkHash, CancellationToken.None);
        first.Succeeded.Should().BeTrue(first.FailureReason);
        await UntilChainTimeAsync(s.Customer, s.Terms.Deadline);
        (await s.Provider.RefundAsync(s.Terms, CancellationToken.None)).Transaction!.Succeeded.Should().BeTrue("anyone may refund for the customer");

        var again = await s.Customer.OpenAsync(s.Agreement, s.WorkHash, CancellationToken.None);

        again.Succeeded.Should().BeTrue(again.FailureReason);
        again.Hash.Should().Be(first.Hash);
    }

    [Fact]
    public async Task OpenEscrow_on_a_work_key_somebody_else_opened_sends_nothing_and_names_WorkKeyAlreadyUsed()
    {
        var s = await SetUpAsync();
        var griefer = await chain.FundedAccountAsync();
        var now = await s.Customer.ChainTimeAsync(CancellationToken.None);
        await s.Contract.OpenAsync(new TransactionSender(chain.Rpc, griefer),
            new EscrowOpening(new byte[32], griefer.Address, s.Terms.WorkKey, new byte[32], 1, now + 3600));
        var balance = await chain.Rpc.GetBalanceAsync(s.CustomerAccount.Address);

        var open = await s.Customer.OpenAsync(s.Agreement, s.WorkHash, CancellationToken.None);

        open.Succeeded.Should().BeFalse();
        open.Hash.Should().BeEmpty("nothing is broadcast when the slot is somebody else's");
        open.FailureReason.Should().StartWith("WorkKeyAlreadyUsed");
        (await chain.Rpc.GetBalanceAsync(s.CustomerAccount.Address)).Should().Be(balance, "not even gas was spent");
    }

    [Fact]
    public async Task RevealKey_too_close_to_the_deadline_broadcasts_nothing_and_the_key_stays_secret()
    {
        // Issue 11 #6: a claim mined at or after the deadline reverts, yet its calldata holds sk_sp.
        var s = await SetUpAsync(deadlineFromNow: 40);
        (await s.Customer.OpenAsync(s.Agreement, s.WorkHash, CancellationToken.None)).Succeeded.Should().BeTrue();
        var providerAccount = EthereumAddress.Parse(s.Agreement.PeerIdentity);
        var nonce = await chain.Rpc.GetTransactionCountAsync(providerAccount, "pending");

        var claim = await s.Provider.ClaimAsync(s.Terms, s.WorkSk, TimeSpan.FromSeconds(120), CancellationToken.None);

        claim.Succeeded.Should().BeFalse();
        claim.Hash.Should().BeEmpty();
        claim.FailureReason.Should().Contain("too close to the deadline");
        (await chain.Rpc.GetTransactionCountAsync(providerAccount, "pending")).Should().Be(nonce, "no claim transaction was signed and sent");
        (await s.Contract.GetStateAsync(s.Terms.WorkKey)).Should().Be(EscrowState.Open);
    }

    [Fact]
    public async Task RevealKey_run_again_after_the_claim_was_mined_returns_it_and_after_a_refund_sends_nothing()
    {
        var s = await SetUpAsync();
        (await s.Customer.OpenAsync(s.Agreement, s.WorkHash, CancellationToken.None)).Succeeded.Should().BeTrue();
        var first = await s.Provider.ClaimAsync(s.Terms, s.WorkSk, TimeSpan.FromSeconds(60), CancellationToken.None);
        first.Succeeded.Should().BeTrue(first.FailureReason);
        var again = await s.Provider.ClaimAsync(s.Terms, s.WorkSk, TimeSpan.FromSeconds(60), CancellationToken.None);
        again.Hash.Should().Be(first.Hash);
        (await chain.Rpc.GetBalanceAsync(s.Payee.Address)).Should().Be(Wage, "paid once");

        var r = await SetUpAsync(deadlineFromNow: 6);
        (await r.Customer.OpenAsync(r.Agreement, r.WorkHash, CancellationToken.None)).Succeeded.Should().BeTrue();
        await UntilChainTimeAsync(r.Customer, r.Terms.Deadline);
        (await r.Customer.RefundAsync(r.Terms, CancellationToken.None)).Transaction!.Succeeded.Should().BeTrue();
        var late = await r.Provider.ClaimAsync(r.Terms, r.WorkSk, TimeSpan.FromSeconds(1), CancellationToken.None);
        late.Hash.Should().BeEmpty("the escrow is gone: a claim would only publish the key");
        late.FailureReason.Should().StartWith("NoSuchEscrow");
    }
}
