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
using FairDelegation.Testing;
using Microsoft.Extensions.Options;
using Nethereum.Contracts;

namespace FairDelegation.Node.Tests.EndToEnd;

/// <summary>
/// Batched openings (Customer:OpenBatchWindow) through the customer's <see cref="EscrowGateway"/> on anvil: the openings
/// waiting together go out in one openBatch / openTokenBatch transaction; one that would revert (its work key taken by a
/// griefer after it joined) leaves the batch and the others still open; a re-run of a batched opening returns the batch's
/// transaction and sends nothing. The node-level test (five delegations, real processes) is <see cref="BatchedOpeningTests"/>.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class OpeningBatchTests(ChainAndBlobsFixture chain)
{
    private static readonly BigInteger Wage = BigInteger.Pow(10, 15);

    private EscrowGateway Gateway(EthAccount account, int maxSize)
    {
        var o = new NodeOptions();
        o.Chain.EscrowAddress = chain.EscrowAddress;
        o.Chain.WatchFromBlock = chain.DeployBlock;
        // A window no test waits for: every batch here is sent because it is full.
        o.Customer.OpenBatchWindow = TimeSpan.FromMinutes(1);
        o.Customer.OpenBatchMaxSize = maxSize;
        return new EscrowGateway(chain.Rpc, new TransactionSender(chain.Rpc, account), Options.Create(o), TimeProvider.System, new NoFaultPoints());
    }

    private async Task<(Agreement Agreement, string WorkHash, EscrowTerms Terms)> AgreementAsync(EthAccount customer, EthereumAddress payee,
        EthereumAddress? token = null, BigInteger? wage = null)
    {
        var now = (await chain.Rpc.GetLatestBlockAsync()).Timestamp;
        var workSk = EthAccount.Generate().ExportPrivateKey();
        var terms = new AgreementTerms(31337, EthereumAddress.Parse(chain.EscrowAddress), customer.Address, payee,
            PublicKey.FromBytes(Secp256k1.PublicKeyFromPrivateKey(workSk)), EthAccount.Generate().Address, wage ?? Wage,
            now + 1800, now + 3600, "copy", new MinBytesSla(1), Bytes32.Random(), Bytes32.Random(), token);
        var workHash = Hex.Encode(Bytes32.Random().Bytes);
        return (new Agreement(terms.AgreementId.ToHex(), terms.ToJson(), "http://peer", EthAccount.Generate().Address.ToLowerHex()), workHash,
            EscrowGateway.TermsOf(terms, workHash));
    }

    private static async Task UntilWaitingAsync(EscrowGateway gateway, int count)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (gateway.OpeningsWaiting < count)
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"{gateway.OpeningsWaiting} openings waiting, expected {count}");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task Three_openings_waiting_together_are_one_openBatch_transaction_and_a_rerun_returns_it()
    {
        var account = await chain.FundedAccountAsync();
        var customer = Gateway(account, maxSize: 3);
        var payee = EthAccount.Generate().Address;
        var agreements = new List<(Agreement Agreement, string WorkHash, EscrowTerms Terms)>();
        for (var i = 0; i < 3; i++) agreements.Add(await AgreementAsync(account, payee));
        var before = await chain.Rpc.GetBalanceAsync(account.Address);

        var opened = await Task.WhenAll(agreements.Select(a => customer.OpenAsync(a.Agreement, a.WorkHash, CancellationToken.None)));

        opened.Should().OnlyContain(t => t.Succeeded && t.BatchSize == 3, string.Join("; ", opened.Select(t => t.FailureReason)));
        opened.Select(t => t.Hash).Distinct().Should().ContainSingle("one transaction opened the three escrows");
        var receipt = (await chain.Rpc.GetTransactionReceiptAsync(opened[0].Hash))!;
        customer.Contract.EventsOf(receipt).OfType<EscrowOpened>().Select(e => Hex.Encode(e.AgreementId))
            .Should().BeEquivalentTo(agreements.Select(a => a.Agreement.AgreementId.ToLowerInvariant()));
        foreach (var a in agreements) (await customer.Contract.IsOpenWithAsync(a.Terms)).Should().BeTrue();
        (await chain.Rpc.GetBalanceAsync(account.Address)).Should().Be(before - 3 * Wage - receipt.GasUsed * receipt.EffectiveGasPrice,
            "three wages and one transaction's fee");

        // The customer's node was killed after the batch was mined, before a result was saved: the step runs again.
        var nonce = await chain.Rpc.GetTransactionCountAsync(account.Address, "pending");
        var again = await Gateway(account, maxSize: 3).OpenAsync(agreements[1].Agreement, agreements[1].WorkHash, CancellationToken.None);
        again.Succeeded.Should().BeTrue(again.FailureReason);
        again.Hash.Should().Be(opened[0].Hash);
        again.BatchSize.Should().Be(3);
        (await chain.Rpc.GetTransactionCountAsync(account.Address, "pending")).Should().Be(nonce, "nothing was sent again");
    }

    [Fact]
    public async Task An_opening_griefed_after_it_joined_leaves_the_batch_and_the_others_still_open_together()
    {
        var account = await chain.FundedAccountAsync();
        var customer = Gateway(account, maxSize: 3);
        var payee = EthAccount.Generate().Address;
        var a = await AgreementAsync(account, payee);
        var b = await AgreementAsync(account, payee);
        var c = await AgreementAsync(account, payee);

        var openA = customer.OpenAsync(a.Agreement, a.WorkHash, CancellationToken.None);
        var openB = customer.OpenAsync(b.Agreement, b.WorkHash, CancellationToken.None);
        await UntilWaitingAsync(customer, 2);
        // B's work key is taken while B waits in the batch: openBatch with B would revert (WorkKeyAlreadyUsed) for all.
        var griefer = await chain.FundedAccountAsync();
        var now = (await chain.Rpc.GetLatestBlockAsync()).Timestamp;
        await customer.Contract.OpenAsync(new TransactionSender(chain.Rpc, griefer),
            new EscrowOpening(new byte[32], griefer.Address, b.Terms.WorkKey, new byte[32], 1, now + 3600));
        var openC = customer.OpenAsync(c.Agreement, c.WorkHash, CancellationToken.None); // fills the batch: it is sent

        var (ta, tb, tc) = (await openA, await openB, await openC);

        ta.Succeeded.Should().BeTrue(ta.FailureReason);
        tc.Succeeded.Should().BeTrue(tc.FailureReason);
        ta.Hash.Should().Be(tc.Hash, "A and C still share one transaction");
        ta.BatchSize.Should().Be(2);
        tb.Succeeded.Should().BeFalse("B did not pay");
        tb.FailureReason.Should().Contain("WorkKeyAlreadyUsed");
        (await customer.Contract.IsOpenWithAsync(b.Terms)).Should().BeFalse();
        (await customer.Contract.IsOpenWithAsync(a.Terms)).Should().BeTrue();
        (await customer.Contract.IsOpenWithAsync(c.Terms)).Should().BeTrue();
    }

    [Fact]
    public async Task A_batch_the_wallet_cannot_pay_as_a_whole_is_sent_as_single_openings_and_those_it_can_pay_open()
    {
        // 2.5 ETH pays each 1 ETH opening alone but not the three together: openBatch fails (insufficient funds for the
        // sum); each opening is then sent alone, and the first two open.
        var ether = BigInteger.Pow(10, 18);
        var account = EthAccount.Generate();
        await chain.Rpc.SetBalanceAsync(account.Address, 5 * ether / 2);
        var customer = Gateway(account, maxSize: 3);
        var payee = EthAccount.Generate().Address;
        var agreements = new List<(Agreement Agreement, string WorkHash, EscrowTerms Terms)>();
        for (var i = 0; i < 3; i++) agreements.Add(await AgreementAsync(account, payee, wage: ether));

        var runs = agreements.Select(a => customer.OpenAsync(a.Agreement, a.WorkHash, CancellationToken.None)).ToList();
        try { await Task.WhenAll(runs); }
        catch (Exception) { } // the one the wallet cannot pay fails its activity (it runs again later)

        var opened = runs.Where(r => r.IsCompletedSuccessfully && r.Result.Succeeded).Select(r => r.Result).ToList();
        opened.Should().HaveCount(2, string.Join("; ", runs.Select(r => r.IsCompletedSuccessfully ? r.Result.FailureReason : r.Exception!.InnerException!.Message)));
        opened.Should().OnlyContain(t => t.BatchSize == 1, "each was opened alone");
        opened.Select(t => t.Hash).Distinct().Should().HaveCount(2);
        var open = 0;
        foreach (var a in agreements) if (await customer.Contract.IsOpenWithAsync(a.Terms)) open++;
        open.Should().Be(2, "exactly the openings reported as opened are open");
    }

    [Fact]
    public async Task Token_openings_waiting_together_are_one_openTokenBatch_transaction()
    {
        var deployer = new TransactionSender(chain.Rpc, EthAccount.FromPrivateKey(AnvilProcess.DevPrivateKeys[0]));
        var token = await TestTokens.DeployAsync(deployer);
        var account = await chain.FundedAccountAsync();
        await TestTokens.MintAsync(deployer, token, account.Address, 2 * Wage);
        var customer = Gateway(account, maxSize: 2);
        var payee = EthAccount.Generate().Address;
        var a = await AgreementAsync(account, payee, token);
        var b = await AgreementAsync(account, payee, token);
        // Approve first (the gateway does it once when the allowance is short), so both join the same batch.
        var escrowAddress = EthereumAddress.Parse(chain.EscrowAddress);
        await new TransactionSender(chain.Rpc, account).SendAndWaitAsync(new TransactionRequest(token,
            new Nethereum.Contracts.Standards.ERC20.ContractDefinition.ApproveFunction { Spender = escrowAddress.ToLowerHex(), Value = BigInteger.Pow(2, 256) - 1 }.GetCallData()));

        var opened = await Task.WhenAll(customer.OpenAsync(a.Agreement, a.WorkHash, CancellationToken.None), customer.OpenAsync(b.Agreement, b.WorkHash, CancellationToken.None));

        opened.Should().OnlyContain(t => t.Succeeded && t.BatchSize == 2, string.Join("; ", opened.Select(t => t.FailureReason)));
        opened[0].Hash.Should().Be(opened[1].Hash);
        (await customer.Contract.IsOpenWithAsync(a.Terms)).Should().BeTrue();
        (await customer.Contract.IsOpenWithAsync(b.Terms)).Should().BeTrue();
        (await TestTokens.BalanceOfAsync(chain.Rpc, token, escrowAddress)).Should().Be(2 * Wage);
        (await TestTokens.BalanceOfAsync(chain.Rpc, token, account.Address)).Should().Be(BigInteger.Zero);
    }
}
