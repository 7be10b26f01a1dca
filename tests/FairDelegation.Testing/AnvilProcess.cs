using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace FairDelegation.Testing;

/// <summary>
/// A real anvil (from node_modules, not npx) on a free port, for one test class or collection:
/// <c>IClassFixture&lt;AnvilProcess&gt;</c> or <c>ICollectionFixture&lt;AnvilProcess&gt;</c>. Started and
/// ready (answers eth_chainId) before the first test; killed on dispose. Dev accounts are anvil's defaults,
/// each funded with 10000 ETH; tests that need isolation use evm_snapshot/evm_revert or fresh accounts.
/// </summary>
public class AnvilProcess : IAsyncLifetime, IAsyncDisposable
{
    /// <summary>Anvil's default dev private keys (mnemonic "test test test test test test test test test test test junk"):
    /// the one list, kept by the CLI-side launcher.</summary>
    public static IReadOnlyList<string> DevPrivateKeys => FairDelegation.Chain.Dev.LocalAnvil.DevPrivateKeys;

    /// <summary>The addresses of <see cref="DevPrivateKeys"/>, EIP-55 checksummed.</summary>
    public static IReadOnlyList<string> DevAddresses { get; } =
    [
        "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
        "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
        "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
        "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
        "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65",
        "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
        "0x976EA74026E726554dB657fA54763abd0C3a0aa9",
        "0x14dC79964da2C08b23698B3D3cc7Ca32193d9955",
        "0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f",
        "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720",
    ];

    private readonly string[] _extraArgs;
    private ExternalProcess? _process;

    public AnvilProcess() : this([]) { }

    /// <summary>With extra anvil arguments (e.g. "--block-time", "1"): subclass and pass them here.</summary>
    protected AnvilProcess(params string[] extraArgs) => _extraArgs = extraArgs;

    public int Port { get; private set; }

    /// <summary>http://127.0.0.1:port</summary>
    public string RpcUrl => $"http://127.0.0.1:{Port}";

    public long ChainId { get; } = 31337;

    /// <summary>Everything anvil printed (for failure diagnostics).</summary>
    public string Output => _process?.Output ?? "";

    /// <summary>
    /// An anvil that keeps its chain in <paramref name="stateFile"/> (<c>--state FILE</c>: loaded at start if present,
    /// dumped on a graceful exit), so <see cref="StopAsync"/> then <see cref="StartAgainAsync"/> bring back the same chain
    /// (chain id, accounts, balances, contracts) on the same port, like a real node restarted on its data.
    /// </summary>
    public static AnvilProcess WithState(string stateFile) => new("--state", stateFile, "--preserve-historical-states");

    public async Task InitializeAsync()
    {
        Port = FreePort.Next();
        await StartProcessAsync();
    }

    /// <summary>
    /// Stops anvil the way an operator does (SIGTERM: with --state it dumps its chain first) and waits for it to exit;
    /// the port stays this instance's.
    /// </summary>
    public async Task StopAsync()
    {
        if (_process is null) return;
        _process.Signal(ExternalProcess.SigTerm);
        await _process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        await _process.DisposeAsync();
        _process = null;
    }

    /// <summary>Starts anvil again on the same port with the same arguments (after <see cref="StopAsync"/>).</summary>
    public Task StartAgainAsync() => StartProcessAsync();

    private async Task StartProcessAsync()
    {
        _process = ExternalProcess.Start(RepoPaths.Anvil,
            ["--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--chain-id", ChainId.ToString(System.Globalization.CultureInfo.InvariantCulture), .. _extraArgs]);
        var process = _process;
        await FreePort.WaitUntilListeningAsync(Port, TimeSpan.FromSeconds(120), () => process.Output);
        // Listening is not answering: wait for the first successful JSON-RPC call.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (true)
        {
            try
            {
                using var response = await http.PostAsJsonAsync(RpcUrl, new { jsonrpc = "2.0", id = 1, method = "eth_chainId", @params = Array.Empty<object>() });
                var json = await response.Content.ReadFromJsonAsync<JsonElement>();
                if (json.TryGetProperty("result", out _)) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            if (DateTime.UtcNow > deadline || process.HasExited)
                throw new InvalidOperationException($"anvil did not answer on {RpcUrl}: {process.Output}");
            await Task.Delay(50);
        }
    }

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    public async ValueTask DisposeAsync()
    {
        if (_process is not null) await _process.DisposeAsync();
        _process = null;
        GC.SuppressFinalize(this);
    }
}
