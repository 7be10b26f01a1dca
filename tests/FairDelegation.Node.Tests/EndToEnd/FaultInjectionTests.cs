using System.Numerics;
using System.Text.Json;
using FairDelegation.Chain.Crypto;
using FairDelegation.Protocol.Sla;
using FairDelegation.Testing;
using Xunit.Abstractions;

namespace FairDelegation.Node.Tests.EndToEnd;

/// <summary>
/// Issue 11's fault injection, first case: the customer node (a real process) is killed with SIGKILL right after its
/// escrow opening is mined, before the activity's result is saved; it is restarted on the same data. It must find its
/// opening on chain, go on to (10)/(11) and decrypt, and the money on chain must be exact.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class FaultInjectionTests(ChainAndBlobsFixture chain, ITestOutputHelper output) : IAsyncLifetime
{
    private readonly Delegations _d = new(chain);

    public Task InitializeAsync() => Task.CompletedTask;
    public Task DisposeAsync() => _d.DisposeAsync().AsTask();

    private static async Task<JsonElement> UntilAsync(Func<Task<JsonElement?>> poll, string what, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until)
        {
            try
            {
                if (await poll() is { } found) return found;
            }
            catch (HttpRequestException) { } // the node is down or restarting
            catch (InvalidOperationException) { }
            await Task.Delay(200);
        }
        throw new TimeoutException(what);
    }

    [Fact]
    public async Task Customer_killed_after_its_opening_is_mined_resumes_decrypts_and_pays_exactly_once()
    {
        var provider = await _d.StartProviderAsync(new Dictionary<string, string?>
        {
            ["FairDelegation:Provider:Services:copy:Kind"] = "external-command",
            ["FairDelegation:Provider:Services:copy:Command"] = "/bin/cp",
            ["FairDelegation:Provider:Services:copy:Arguments:0"] = "{input}",
            ["FairDelegation:Provider:Services:copy:Arguments:1"] = "{output}",
            ["FairDelegation:Provider:Services:copy:WageWei"] = Delegations.Wage.ToString(),
        });
        var wallet = await _d.CustomerWalletAsync();
        var port = FreePort.Next();
        var settings = _d.Settings("customer", wallet, new Dictionary<string, string?>
        {
            ["FairDelegation:Database:LeaseDuration"] = "00:00:02",
            ["FAIRDELEGATION_TEST_KILL_AT"] = "OpenEscrow:after-mined",
        });
        var before = await chain.Rpc.GetBalanceAsync(wallet.Address);
        var customer = await NodeProcess.StartAsync(settings, port);
        try
        {
            var started = await customer.PostAsync("/test/delegations", new
            {
                providerUrl = provider.Url, service = "copy", sla = new MinBytesSla(1).ToJson(), maxWage = Delegations.Wage.ToString(),
                inputBase64 = Convert.ToBase64String(Datasets.Training), delegationId = (string?)null,
            });
            var id = started.GetProperty("instanceId").GetString()!;

            // The node kills itself at the fault point; the provider sees the opening and claims meanwhile.
            await UntilAsync(async () => customer.HasExited ? JsonDocument.Parse("{}").RootElement : null,
                "the customer never reached OpenEscrow:after-mined", TimeSpan.FromSeconds(120));
            output.WriteLine(customer.Output);
            await customer.DisposeAsync();
            settings["FAIRDELEGATION_TEST_KILL_AT"] = null;
            customer = await NodeProcess.StartAsync(settings, port);

            var done = await UntilAsync(async () =>
            {
                var d = await customer.GetAsync($"/test/delegations/{id}");
                return d.GetProperty("outcome").ValueKind == JsonValueKind.Object ? d : null;
            }, "the restarted customer never finished", TimeSpan.FromSeconds(150));
            var outcome = done.GetProperty("outcome");
            outcome.GetProperty("status").GetString().Should().Be("Completed", done.ToString());

            // Money, exactly: the customer paid the wage plus the gas of its transactions on chain, once; the payee got the wage.
            BigInteger gas = 0;
            foreach (var t in outcome.GetProperty("transactions").EnumerateArray())
            {
                var receipt = await chain.Rpc.GetTransactionReceiptAsync(t.GetProperty("hash").GetString()!);
                gas += receipt!.GasUsed * receipt.EffectiveGasPrice;
            }
            outcome.GetProperty("transactions").GetArrayLength().Should().Be(1, "one opening, found again after the restart");
            (before - await chain.Rpc.GetBalanceAsync(wallet.Address)).Should().Be(Delegations.Wage + gas);
            (await chain.Rpc.GetBalanceAsync(_d.Payee)).Should().Be(Delegations.Wage);
            output.WriteLine($"| customer SIGKILL at OpenEscrow:after-mined | Completed, result decrypted | customer -(wage + {gas} gas), payee +wage |");
        }
        finally
        {
            await customer.DisposeAsync();
        }
    }
}
