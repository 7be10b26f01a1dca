using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using FairDelegation.Chain.Rpc;
using FairDelegation.Protocol.Sla;
using FairDelegation.Testing;
using Xunit.Abstractions;

namespace FairDelegation.Node.Tests.EndToEnd;

/// <summary>
/// Issue 11's fault-injection suite: real node processes (tests/FairDelegation.Node.TestHost), a real anvil and Azurite.
/// A node is killed (SIGKILL) at each named point of its chain-writing steps (<c>FAIRDELEGATION_TEST_KILL_AT</c>,
/// FaultPoints.cs; "{activity}:before-save" is reached by the worker's activity middleware after the activity returned,
/// before the backend saved its result) and restarted on its data; the outcome and the money are then read from the
/// chain: the customer's balance moved by exactly −(wage + gas) with the decrypted result present, or −gas with a refund;
/// the payee got the wage only when the customer got the key; the customer's nonce equals the transactions it reports
/// (nothing sent that it does not know of); neither node has an instance left Running. Every test adds a row to the
/// fault table and prints the table so far (docs/reliability.md keeps the last one).
/// </summary>
[Collection(FaultInjectionCollection.Name)]
public sealed partial class FaultInjectionTests(FaultFixture chain, ITestOutputHelper output) : IAsyncLifetime
{
    private const string ApiKey = "fault-suite-api-key-0123456789";
    private const string KillAt = "FAIRDELEGATION_TEST_KILL_AT";
    private const string FreezeAt = "FAIRDELEGATION_TEST_FREEZE_AT";

    private readonly Delegations _d = new(chain);
    private readonly List<RestartableNode> _nodes = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var n in _nodes) await n.DisposeAsync();
        await _d.DisposeAsync();
    }

    // ---- kill -9 at each named point ----------------------------------------------------------------------------

    [Theory]
    [InlineData("OpenEscrow:before-send")]
    [InlineData("OpenEscrow:after-mined")]
    [InlineData("OpenEscrow:before-save")]
    public async Task Customer_killed_at_its_opening_resumes_decrypts_and_pays_exactly_once(string point)
    {
        var (customer, provider) = await StartPairAsync(customerFault: (KillAt, point));
        var id = await StartDelegationAsync(customer, provider);

        await customer.UntilExitedAsync(point);
        await customer.RestartAsync();

        var outcome = await CustomerOutcomeAsync(customer, id);
        await RecordAsync($"customer SIGKILL at `{point}`, restarted", outcome, provider, expectPaid: true);
    }

    [Theory]
    [InlineData("RevealKey:before-send")]
    [InlineData("RevealKey:after-mined")]
    [InlineData("RevealKey:before-save")]
    public async Task Provider_killed_at_its_claim_resumes_and_is_paid_exactly_once(string point)
    {
        var (customer, provider) = await StartPairAsync(providerFault: (KillAt, point));
        var id = await StartDelegationAsync(customer, provider);

        await provider.UntilExitedAsync(point);
        await provider.RestartAsync();

        var outcome = await CustomerOutcomeAsync(customer, id);
        await RecordAsync($"provider SIGKILL at `{point}`, restarted", outcome, provider, expectPaid: true);
    }

    [Theory]
    [InlineData("RefundEscrow:before-send")]
    [InlineData("RefundEscrow:after-mined")]
    [InlineData("RefundEscrow:before-save")]
    public async Task Customer_killed_at_its_refund_resumes_and_gets_the_wage_back_exactly_once(string point)
    {
        // The provider never claims: it wants more time before the deadline than any escrow can leave it.
        var (customer, provider) = await StartPairAsync(customerFault: (KillAt, point), provider: NeverClaims);
        var id = await StartDelegationAsync(customer, provider);

        await PassTheDeadlineOnceWaitingForKeyAsync(customer, id);
        await customer.UntilExitedAsync(point);
        await customer.RestartAsync();

        var outcome = await CustomerOutcomeAsync(customer, id);
        await RecordAsync($"customer SIGKILL at `{point}`, restarted", outcome, provider, expectPaid: false);
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    /// <summary>Provider settings under which it never claims: a margin (9:59) no escrow of a 10-minute deadline can leave.</summary>
    private static Dictionary<string, string?> NeverClaims => new() { ["FairDelegation:Timeouts:DeadlineMargin"] = "00:09:59" };

    /// <summary>A provider service that copies its input (cheap, deterministic).</summary>
    private static Dictionary<string, string?> CopyService => new()
    {
        ["FairDelegation:Provider:Services:copy:Kind"] = "external-command",
        ["FairDelegation:Provider:Services:copy:Command"] = "/bin/cp",
        ["FairDelegation:Provider:Services:copy:Arguments:0"] = "{input}",
        ["FairDelegation:Provider:Services:copy:Arguments:1"] = "{output}",
        ["FairDelegation:Provider:Services:copy:WageWei"] = Delegations.Wage.ToString(CultureInfo.InvariantCulture),
    };

    private BigInteger _customerBefore;

    /// <summary>Starts a provider and a customer node process (at the same time), each with its fault variable if any.</summary>
    private async Task<(RestartableNode Customer, RestartableNode Provider)> StartPairAsync(
        (string Variable, string Point)? customerFault = null, (string Variable, string Point)? providerFault = null,
        Dictionary<string, string?>? customer = null, Dictionary<string, string?>? provider = null)
    {
        var p = CopyService;
        p["FairDelegation:Database:LeaseDuration"] = "00:00:02";
        if (providerFault is { } pf) p[pf.Variable] = pf.Point;
        if (provider is not null) foreach (var (k, v) in provider) p[k] = v;
        var c = new Dictionary<string, string?> { ["FairDelegation:Api:ApiKey"] = ApiKey, ["FairDelegation:Database:LeaseDuration"] = "00:00:02" };
        if (customerFault is { } cf) c[cf.Variable] = cf.Point;
        if (customer is not null) foreach (var (k, v) in customer) c[k] = v;

        var providerNode = new RestartableNode(_d.Settings("provider", await _d.ProviderWalletAsync(), p), output);
        var customerNode = new RestartableNode(_d.Settings("customer", await _d.CustomerWalletAsync(), c), output);
        _nodes.Add(providerNode);
        _nodes.Add(customerNode);
        await Task.WhenAll(providerNode.StartAsync(), customerNode.StartAsync());
        _customerBefore = await chain.Rpc.GetBalanceAsync(_d.CustomerWallet.Address);
        return (customerNode, providerNode);
    }

    private async Task<string> StartDelegationAsync(RestartableNode customer, RestartableNode provider)
    {
        var started = await customer.Process.PostAsync("/test/delegations", new
        {
            providerUrl = provider.Url, service = "copy", sla = new MinBytesSla(1).ToJson(), maxWage = Delegations.Wage.ToString(CultureInfo.InvariantCulture),
            inputBase64 = Convert.ToBase64String(Datasets.Training), delegationId = (string?)null,
        });
        return _lastCustomerId = started.GetProperty("instanceId").GetString()!;
    }

    /// <summary>
    /// Once the customer waits for the key (its deposit mined), moves the chain's clock past the escrow deadline
    /// (evm_increaseTime + a block) instead of waiting real minutes; the customer's next look at chain time refunds.
    /// </summary>
    private async Task PassTheDeadlineOnceWaitingForKeyAsync(RestartableNode customer, string id)
    {
        await Poll.UntilAsync(async () =>
        {
            var d = await customer.Process.GetAsync($"/test/delegations/{id}");
            if (d.GetProperty("outcome").ValueKind == JsonValueKind.Object) throw new InvalidOperationException($"ended before waiting for the key: {d}");
            return d.GetProperty("step") is { ValueKind: JsonValueKind.Object } s && s.GetProperty("name").GetString() == "WaitForKey";
        }, "the customer never waited for the key", TimeSpan.FromSeconds(180));
        await chain.Rpc.IncreaseTimeAsync((long)TimeSpan.FromMinutes(11).TotalSeconds);
        await chain.Rpc.MineAsync();
    }

    /// <summary>The customer's delegation once it ended (read through the restarted node).</summary>
    private static async Task<JsonElement> CustomerOutcomeAsync(RestartableNode customer, string id, TimeSpan? timeout = null)
    {
        JsonElement done = default;
        await Poll.UntilAsync(async () =>
        {
            var d = await customer.Process.GetAsync($"/test/delegations/{id}");
            if (d.GetProperty("runtimeStatus").GetString() is "Failed" or "Terminated")
                throw new FaultSuiteException($"the customer's orchestration ended {d.GetProperty("runtimeStatus")}: {d}");
            if (d.GetProperty("outcome").ValueKind != JsonValueKind.Object) return false;
            done = d;
            return true;
        }, $"the customer's delegation {id} never ended", timeout ?? TimeSpan.FromSeconds(240));
        return done.GetProperty("outcome");
    }

    /// <summary>
    /// Checks the money on chain and that nothing is left Running on either node, then adds the row to the table.
    /// <paramref name="expectPaid"/>: the customer got the key (Completed, result decrypted) and the payee the wage;
    /// otherwise the wage came back (Refunded) or never left (Cancelled).
    /// </summary>
    private async Task RecordAsync(string fault, JsonElement outcome, RestartableNode provider, bool expectPaid, string? expectedStatus = null)
    {
        var status = outcome.GetProperty("status").GetString()!;
        status.Should().Be(expectedStatus ?? (expectPaid ? "Completed" : "Refunded"), outcome.ToString());

        // Nothing left Running: the provider's side ends too (restarted if it is down), before the money is read.
        if (!provider.IsRunning) await provider.RestartAsync();
        await provider.UntilNothingRunningAsync();
        await _nodes.Single(n => n.Role == "customer").UntilNothingRunningAsync();

        // Every transaction the customer sent is one it reports (its nonce counts them), each succeeded, and their gas
        // plus the wage (when paid) is exactly what left its account.
        BigInteger gas = 0;
        var transactions = outcome.GetProperty("transactions");
        foreach (var t in transactions.EnumerateArray())
        {
            var receipt = await chain.Rpc.GetTransactionReceiptAsync(t.GetProperty("hash").GetString()!);
            receipt.Should().NotBeNull();
            receipt!.Succeeded.Should().BeTrue(t.ToString());
            gas += receipt.GasUsed * receipt.EffectiveGasPrice;
        }
        var steps = transactions.EnumerateArray().Select(t => t.GetProperty("step").GetString()).ToArray();
        (await chain.Rpc.GetTransactionCountAsync(_d.CustomerWallet.Address, "latest")).Should().Be(steps.Length, "the customer sent only the transactions it reports");
        steps.Should().Equal(status switch
        {
            "Completed" => ["OpenEscrow"],
            "Refunded" => ["OpenEscrow", "RefundEscrow"],
            _ => [],
        });
        var wage = expectPaid ? Delegations.Wage : BigInteger.Zero;
        (_customerBefore - await chain.Rpc.GetBalanceAsync(_d.CustomerWallet.Address)).Should().Be(wage + gas, "the customer paid exactly the wage (if it got the key) and its own gas");
        (await chain.Rpc.GetBalanceAsync(_d.Payee)).Should().Be(wage, "the payee is paid only when the customer got the key");
        if (!expectPaid)
            (await chain.Rpc.GetTransactionCountAsync(_d.ProviderWallet.Address, "latest")).Should().Be(0, "the provider never broadcast its key");
        if (expectPaid)
        {
            var result = await _nodes.Single(n => n.Role == "customer").Process
                .GetBytesAsync($"/api/delegations/{Uri.EscapeDataString(_lastCustomerId!)}/result", ApiKey);
            result.Should().Equal(Datasets.Training, "the decrypted result is the copied input");
        }

        var money = expectPaid
            ? $"customer −(wage + {gas} wei gas), payee +wage, result decrypted"
            : $"customer −{gas} wei gas ({string.Join(" + ", steps)}), payee 0";
        chain.Table.Add(fault, status, money, _clock.Elapsed);
        output.WriteLine($"| {fault} | {status} | {money} | {_clock.Elapsed.TotalSeconds:0} s |");
        output.WriteLine("");
        output.WriteLine(chain.Table.Render());
    }

    private string? _lastCustomerId;
}

/// <summary>A check of the suite that failed for good (not a node that is down or restarting).</summary>
public sealed class FaultSuiteException(string message) : Exception(message);

/// <summary>A node process that can be killed, frozen and restarted on the same data and port.</summary>
public sealed class RestartableNode(Dictionary<string, string?> settings, ITestOutputHelper output) : IAsyncDisposable
{
    private readonly int _port = FreePort.Next();
    private NodeProcess? _process;

    public Dictionary<string, string?> Settings => settings;
    public string Role => settings["FairDelegation:Role"]!;
    public string Url => $"http://127.0.0.1:{_port}";
    public NodeProcess Process => _process ?? throw new InvalidOperationException($"the {Role} is not running");
    public bool IsRunning => _process is { HasExited: false };

    public async Task StartAsync() => _process = await NodeProcess.StartAsync(settings, _port);

    /// <summary>Waits until the node killed itself at its fault point.</summary>
    public Task UntilExitedAsync(string point) =>
        Poll.UntilAsync(() => Task.FromResult(Process.HasExited), $"the {Role} never reached {point}", TimeSpan.FromSeconds(180));

    /// <summary>SIGSTOP: the node stops answering (its sockets still accept connections).</summary>
    public void Freeze() => Process.Signal(ExternalProcess.SigStop);

    /// <summary>SIGCONT: the node goes on where it stopped.</summary>
    public void Resume() => Process.Signal(ExternalProcess.SigCont);

    /// <summary>Waits until the node froze itself at its fault point (state T in /proc).</summary>
    public Task UntilFrozenAsync() =>
        Poll.UntilAsync(() =>
        {
            if (Process.HasExited) throw new InvalidOperationException($"the {Role} exited instead of freezing: {Process.Output}");
            var stat = File.ReadAllText($"/proc/{Process.Pid}/stat");
            return Task.FromResult(stat[(stat.LastIndexOf(')') + 2)..].StartsWith('T'));
        }, $"the {Role} never froze at its fault point", TimeSpan.FromSeconds(180));

    /// <summary>Waits until none of the node's orchestrations is Pending, Running or Suspended.</summary>
    public Task UntilNothingRunningAsync() =>
        Poll.UntilAsync(async () => (await Process.GetAsync("/test/running")).GetArrayLength() == 0,
            $"the {Role} still has instances Running", TimeSpan.FromSeconds(180));

    /// <summary>Kills the node if it runs and starts it again on its data, without any fault point.</summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        settings["FAIRDELEGATION_TEST_KILL_AT"] = null;
        settings["FAIRDELEGATION_TEST_FREEZE_AT"] = null;
        await StartAsync();
    }

    /// <summary>SIGKILL (also ends a frozen node).</summary>
    public async Task StopAsync()
    {
        if (_process is null) return;
        var p = _process;
        _process = null;
        if (p.Output.Length > 0) output.WriteLine($"--- {Role} output ---\n{Tail(p.Output)}");
        await p.DisposeAsync();
    }

    private static string Tail(string s) => s.Length <= 4000 ? s : s[^4000..];

    public async ValueTask DisposeAsync() => await StopAsync();
}

/// <summary>Condition waits for the fault suite (never fixed sleeps); a node that is down or restarting counts as "not yet".</summary>
public static class Poll
{
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        Exception? last = null;
        while (DateTime.UtcNow < until)
        {
            try
            {
                if (await condition()) return;
            }
            catch (HttpRequestException e) { last = e; }
            catch (TaskCanceledException e) { last = e; }
            catch (InvalidOperationException e) when (e.Message.StartsWith("GET", StringComparison.Ordinal)) { last = e; }
            await Task.Delay(200);
        }
        throw new TimeoutException($"{what} (within {timeout}; last error: {last?.Message})");
    }
}

/// <summary>The rows the fault suite recorded in this run, as a Markdown table.</summary>
public sealed class FaultTable
{
    private readonly ConcurrentQueue<(string Fault, string Outcome, string Money, TimeSpan Took)> _rows = new();

    public void Add(string fault, string outcome, string money, TimeSpan took) => _rows.Enqueue((fault, outcome, money, took));

    public string Render()
    {
        var sb = new StringBuilder("| fault | outcome | money check (exact, from the chain) | wall time |\n|---|---|---|---|\n");
        foreach (var r in _rows) sb.Append(CultureInfo.InvariantCulture, $"| {r.Fault} | {r.Outcome} | {r.Money} | {r.Took.TotalSeconds:0} s |\n");
        return sb.ToString();
    }
}

/// <summary>
/// The fault suite's own anvil (keeping its chain in a state file, so it can be stopped and started again with its
/// state) and Azurite, shared by the suite's tests (they run one after another; the outage tests stop and restart them).
/// </summary>
public sealed class FaultFixture() : ChainAndBlobsFixture(AnvilProcess.WithState(Path.Combine(Directory.CreateTempSubdirectory("fd-anvil-").FullName, "state.json")))
{
    public FaultTable Table { get; } = new();
}

[CollectionDefinition(Name)]
public sealed class FaultInjectionCollection : ICollectionFixture<FaultFixture>
{
    public const string Name = "fault-injection";
}
