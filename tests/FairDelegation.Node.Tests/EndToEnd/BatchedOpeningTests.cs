using System.Globalization;
using System.Numerics;
using System.Text.Json;
using FairDelegation.Chain.Accounts;
using FairDelegation.Chain.Crypto;
using FairDelegation.Chain.Escrow;
using FairDelegation.Protocol.Sla;
using FairDelegation.Testing;

namespace FairDelegation.Node.Tests.EndToEnd;

/// <summary>
/// Batched openings with real node processes (issue 15): a customer node with Customer:OpenBatchWindow runs five
/// delegations started together; their escrows are opened by one openBatch transaction (read from the chain: one
/// transaction holds the five EscrowOpened events), and all five complete with exact money.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class BatchedOpeningTests(ChainAndBlobsFixture chain) : IAsyncLifetime
{
    private const string ApiKey = "batch-test-api-key-0123456789";
    private const int Count = 5;
    private static readonly BigInteger Wage = BigInteger.Pow(10, 15);

    private readonly Delegations _d = new(chain);
    private readonly List<NodeProcess> _processes = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var p in _processes) await p.DisposeAsync();
        await _d.DisposeAsync();
    }

    [Fact]
    public async Task Five_delegations_started_together_are_opened_in_one_openBatch_transaction_and_all_complete_with_exact_money()
    {
        var provider = await NodeProcess.StartAsync(_d.Settings("provider", await chain.FundedAccountAsync(), new Dictionary<string, string?>
        {
            ["FairDelegation:Provider:Services:copy:Kind"] = "external-command",
            ["FairDelegation:Provider:Services:copy:Command"] = "/bin/cp",
            ["FairDelegation:Provider:Services:copy:Arguments:0"] = "{input}",
            ["FairDelegation:Provider:Services:copy:Arguments:1"] = "{output}",
            ["FairDelegation:Provider:Services:copy:WageWei"] = Wage.ToString(CultureInfo.InvariantCulture),
        }), FreePort.Next());
        _processes.Add(provider);
        var customerWallet = await chain.FundedAccountAsync();
        // The batch goes out as soon as it holds five openings; the window only bounds the wait if fewer ever come.
        var customer = await NodeProcess.StartAsync(_d.Settings("customer", customerWallet, new Dictionary<string, string?>
        {
            ["FairDelegation:Api:ApiKey"] = ApiKey,
            ["FairDelegation:Customer:OpenBatchWindow"] = "00:01:00",
            ["FairDelegation:Customer:OpenBatchMaxSize"] = Count.ToString(CultureInfo.InvariantCulture),
            ["FairDelegation:Timeouts:WorkDelivery"] = "00:02:00",
            ["FairDelegation:Timeouts:Confirmation"] = "00:02:00",
        }), FreePort.Next(), ApiKey);
        _processes.Add(customer);
        var ethBefore = await chain.Rpc.GetBalanceAsync(customerWallet.Address);
        var nonceBefore = await chain.Rpc.GetTransactionCountAsync(customerWallet.Address, "latest");

        var ids = await Task.WhenAll(Enumerable.Range(0, Count).Select(async i => (await customer.PostAsync("/api/delegations", new
        {
            providerUrl = provider.Url,
            service = "copy",
            input = new { base64 = Convert.ToBase64String(Datasets.Training.Append((byte)i).ToArray()) },
            sla = JsonDocument.Parse(new MinBytesSla(1).ToJson()).RootElement,
            wageWei = Wage.ToString(CultureInfo.InvariantCulture),
        })).GetProperty("id").GetString()!));
        var views = await Task.WhenAll(ids.Select(id => EndedAsync(customer, id)));

        foreach (var v in views) v.GetProperty("outcome").GetString().Should().Be("Completed", v.ToString());
        var opens = views.Select(v => v.GetProperty("transactions").EnumerateArray().Single(t => t.GetProperty("step").GetString() == "OpenEscrow")).ToList();
        opens.Select(t => t.GetProperty("hash").GetString()).Distinct().Should().ContainSingle("the five escrows were opened by one transaction");
        opens.Should().OnlyContain(t => t.GetProperty("batchSize").GetInt32() == Count);

        // From the chain: that one transaction holds all five EscrowOpened events, one per agreement.
        var hash = opens[0].GetProperty("hash").GetString()!;
        var receipt = (await chain.Rpc.GetTransactionReceiptAsync(hash))!;
        receipt.Succeeded.Should().BeTrue();
        var escrow = new EscrowContract(chain.Rpc, EthereumAddress.Parse(chain.EscrowAddress));
        var opened = escrow.EventsOf(receipt).OfType<EscrowOpened>().ToList();
        opened.Select(e => Hex.Encode(e.AgreementId)).Should().BeEquivalentTo(views.Select(v => v.GetProperty("agreementId").GetString()!.ToLowerInvariant()));
        opened.Should().OnlyContain(e => e.Terms.Customer == customerWallet.Address && e.Terms.Payee == _d.Payee && e.Terms.Amount == Wage);
        var tx = await chain.Rpc.RequestAsync("eth_getTransactionByHash", [hash]);
        Hex.Decode(tx.GetProperty("input").GetString()!).AsSpan(0, 4).ToArray().Should().Equal(
            Keccak256.HashUtf8("openBatch((bytes32,address,address,bytes32,uint256,uint256)[])").AsSpan(0, 4).ToArray());

        // Exact money: the payee got five wages (each claimed); the customer paid five wages and one transaction's fee,
        // and sent exactly that one transaction.
        (await chain.Rpc.GetBalanceAsync(_d.Payee)).Should().Be(Count * Wage);
        (await chain.Rpc.GetTransactionCountAsync(customerWallet.Address, "latest")).Should().Be(nonceBefore + 1);
        (await chain.Rpc.GetBalanceAsync(customerWallet.Address)).Should().Be(ethBefore - Count * Wage - receipt.GasUsed * receipt.EffectiveGasPrice);
        (await escrow.GetStateAsync(opened[0].Terms.WorkKey)).Should().Be(EscrowState.Claimed);
    }

    private static async Task<JsonElement> EndedAsync(NodeProcess customer, string id)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(240);
        while (DateTime.UtcNow < until)
        {
            var view = await customer.GetAsync($"/api/delegations/{id}");
            if (view.TryGetProperty("outcome", out var o) && o.ValueKind == JsonValueKind.String) return view;
            await Task.Delay(200);
        }
        throw new TimeoutException($"delegation {id} did not end: {await customer.GetAsync($"/api/delegations/{id}")}");
    }
}
