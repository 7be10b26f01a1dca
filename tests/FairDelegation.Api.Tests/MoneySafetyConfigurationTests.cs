using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FairDelegation.Chain.Accounts;
using FairDelegation.Chain.Crypto;
using FairDelegation.Testing;
using Microsoft.Extensions.Options;

namespace FairDelegation.Api.Tests;

/// <summary>Configuration that would lose money is caught before any money moves (issue 11 #2, #3).</summary>
[Collection(ApiCollection.Name)]
public sealed class MoneySafetyConfigurationTests(ApiFixture fixture)
{
    [Fact]
    public async Task A_node_whose_escrow_address_is_an_ordinary_account_refuses_to_start_naming_the_setting()
    {
        var ordinaryAccount = EthAccount.FromPrivateKey(AnvilProcess.DevPrivateKeys[7]).Address.ToLowerHex();
        var start = () => fixture.StartNodeAsync("customer", AnvilProcess.DevPrivateKeys[8], testServer: true, ("Chain:EscrowAddress", ordinaryAccount));
        (await start.Should().ThrowAsync<OptionsValidationException>())
            .Which.Message.Should().Contain("FairDelegation:Chain:EscrowAddress").And.Contain("holds no contract code");
    }

    [Fact]
    public async Task A_node_whose_escrow_address_holds_another_contract_refuses_to_start()
    {
        // The chain's first contract besides ours: deploy any code (a single STOP) and point the node at it.
        using var rpc = new FairDelegation.Chain.Rpc.EthRpcClient(fixture.Anvil.RpcUrl);
        var deployer = new FairDelegation.Chain.Transactions.TransactionSender(rpc, EthAccount.FromPrivateKey(AnvilProcess.DevPrivateKeys[9]));
        // init code: return the one-byte runtime 0x00 (PUSH1 1 PUSH1 0 RETURN after storing 0 at 0: MSTORE8 is implied zero)
        var receipt = await deployer.SendAndWaitAsync(new FairDelegation.Chain.Transactions.TransactionRequest(null, Hex.Decode("0x60016000f3")));
        var other = receipt.ContractAddress!.ToLowerHex();
        var start = () => fixture.StartNodeAsync("customer", AnvilProcess.DevPrivateKeys[8], testServer: true, ("Chain:EscrowAddress", other));
        (await start.Should().ThrowAsync<OptionsValidationException>())
            .Which.Message.Should().Contain("FairDelegation:Chain:EscrowAddress").And.Contain("is not this build's FairDelegationEscrow");
    }

    [Fact]
    public async Task A_payee_address_with_a_wrong_checksum_is_refused_saying_it_is_the_EIP55_checksum()
    {
        // The right address with one letter's case flipped: 40 hex digits, so only the checksum can be wrong.
        var right = EthAccount.FromPrivateKey(AnvilProcess.DevPrivateKeys[7]).Address.ToString();
        var i = right.IndexOfAny("abcdef".ToCharArray(), 2);
        var typo = right[..i] + char.ToUpperInvariant(right[i]) + right[(i + 1)..];
        var start = () => fixture.StartNodeAsync("provider", AnvilProcess.DevPrivateKeys[8], testServer: true, ("Wallet:PayeeAddress", typo));
        (await start.Should().ThrowAsync<OptionsValidationException>())
            .Which.Message.Should().Contain("FairDelegation:Wallet:PayeeAddress").And.Contain("EIP-55 checksum").And.NotContain("is not an address");
    }

    [Fact]
    public async Task A_provider_with_command_SLAs_on_and_no_bubblewrap_refuses_to_start_naming_the_setting()
    {
        // bubblewrap missing, simulated by pointing the setting at a path that does not exist: the node must not run
        // customers' checkers unsandboxed (issue 11 #5), so it does not start.
        var start = () => fixture.StartNodeAsync("provider", AnvilProcess.DevPrivateKeys[8], testServer: true,
            ("Provider:CommandSlas:Enabled", "true"), ("Provider:CommandSlas:BubblewrapPath", "/nonexistent/bwrap"));
        (await start.Should().ThrowAsync<OptionsValidationException>())
            .Which.Message.Should().Contain("FairDelegation:Provider:CommandSlas:Enabled is true but the sandbox cannot run")
            .And.Contain("bubblewrap is not at /nonexistent/bwrap (Provider:CommandSlas:BubblewrapPath)");

        // With the real one (infra/test.sh installs it) the same provider starts.
        await using var provider = await fixture.StartNodeAsync("provider", AnvilProcess.DevPrivateKeys[8], testServer: true,
            ("Provider:CommandSlas:Enabled", "true"));
    }

    [Fact]
    public async Task An_unfunded_provider_is_degraded_in_readiness_and_refuses_to_quote()
    {
        var empty = Hex.Encode(EthAccount.Generate().ExportPrivateKey());
        await using var provider = await fixture.StartNodeAsync("provider", empty, testServer: false);
        using var anonymous = provider.Client();
        var response = await anonymous.GetAsync("/health/ready");
        response.StatusCode.Should().Be(HttpStatusCode.OK, "degraded is not down");
        var report = await response.Content.ReadFromJsonAsync<JsonElement>();
        report.GetProperty("status").GetString().Should().Be("Degraded", report.ToString());
        report.GetProperty("checks").GetProperty("wallet").GetProperty("status").GetString().Should().Be("Degraded");
        report.GetProperty("checks").GetProperty("wallet").GetProperty("detail").GetString().Should().Contain("holds 0 wei");
        report.GetProperty("checks").GetProperty("escrow").GetProperty("status").GetString().Should().Be("Healthy");

        using var client = fixture.Customer.Client(ApiFixture.ApiKey);
        var started = await client.PostAsync("/api/delegations", Bodies.Json(Bodies.Delegation(provider.Url)));
        started.StatusCode.Should().Be(HttpStatusCode.Accepted, await started.Content.ReadAsStringAsync());
        var until = DateTime.UtcNow.AddSeconds(120);
        JsonElement view;
        do
        {
            await Task.Delay(200);
            view = await client.GetFromJsonAsync<JsonElement>(started.Headers.Location!);
        } while (view.GetProperty("runtimeStatus").GetString() is "Pending" or "Running" && DateTime.UtcNow < until);
        view.GetProperty("outcome").GetString().Should().Be("Cancelled", view.ToString());
        view.ToString().Should().Contain("cannot pay for its claim transaction");

        // Why, as Durable Functions shows it (issue 11 #3): the step that stopped it and the refusal, in the view and the list.
        var failure = view.GetProperty("failureDetails");
        failure.GetProperty("step").GetString().Should().Be("FixTerms");
        failure.GetProperty("errorType").GetString().Should().Be("Cancelled");
        failure.GetProperty("message").GetString().Should().Contain("declined to quote").And.Contain("cannot pay for its claim transaction");
        var id = view.GetProperty("id").GetString()!;
        var list = await client.GetFromJsonAsync<JsonElement>("/api/delegations?pageSize=100");
        list.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("id").GetString() == id)
            .GetProperty("failureDetails").GetProperty("step").GetString().Should().Be("FixTerms");

        // And in the logs, at Error, with the instance id and the step; the provider logs its refusal.
        fixture.Customer.Logs.Lines.Should().Contain(l => l.Level == Microsoft.Extensions.Logging.LogLevel.Error
            && l.Message.Contains(id) && l.Message.Contains("FixTerms") && l.Message.Contains("cannot pay for its claim transaction"));
        provider.Logs.Lines.Should().Contain(l => l.Level == Microsoft.Extensions.Logging.LogLevel.Warning && l.Message.Contains("Refusing to quote"));
    }
}
