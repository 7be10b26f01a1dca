using System.Diagnostics;
using System.Net.Sockets;
using System.Net;
using FairDelegation.Chain.Accounts;
using FairDelegation.Chain.Rpc;

namespace FairDelegation.Chain.Dev;

/// <summary>
/// A throw-away local chain for the CLI's demo and benchmarks: anvil from the repository's node_modules on a
/// free port, killed on dispose. (Tests use FairDelegation.Testing.AnvilProcess.)
/// </summary>
public sealed class LocalAnvil : IAsyncDisposable
{
    /// <summary>The private keys of anvil's default dev accounts (mnemonic "test test ... junk"), each funded with 10000 ETH.</summary>
    public static IReadOnlyList<string> DevPrivateKeys { get; } =
    [
        "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
        "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
        "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
        "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
        "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
        "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
        "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
        "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356",
        "0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97",
        "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6",
    ];

    private readonly Process _process;

    private LocalAnvil(Process process, int port)
    {
        _process = process;
        Port = port;
        RpcUrl = new Uri($"http://127.0.0.1:{port}");
    }

    public int Port { get; }
    public Uri RpcUrl { get; }
    public const long ChainId = 31337;

    /// <summary>Dev account i (0..9), funded.</summary>
    public static EthAccount DevAccount(int index) => EthAccount.FromPrivateKey(DevPrivateKeys[index]);

    /// <summary>Starts anvil and waits until it answers eth_chainId.</summary>
    public static async Task<LocalAnvil> StartAsync(string? anvilPath = null, CancellationToken ct = default)
    {
        var path = anvilPath ?? FindAnvil();
        var port = FreePort();
        var psi = new ProcessStartInfo(path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--chain-id", ChainId.ToString(System.Globalization.CultureInfo.InvariantCulture), "--silent" })
            psi.ArgumentList.Add(a);
        var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {path}");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var anvil = new LocalAnvil(process, port);
        using var rpc = new EthRpcClient(anvil.RpcUrl, new EthRpcOptions { MaxRetries = 0, RequestTimeout = TimeSpan.FromSeconds(2) });
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"anvil exited at start with code {process.ExitCode}");
            try { await rpc.ChainIdAsync(ct); return anvil; }
            catch (NodeUnreachableException) when (DateTime.UtcNow < deadline) { await Task.Delay(50, ct); }
        }
    }

    /// <summary>
    /// node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil above the current directory or the program's folder
    /// (the build installs it from package-lock.json), or $FAIRDELEGATION_ANVIL.
    /// </summary>
    public static string FindAnvil()
    {
        if (Environment.GetEnvironmentVariable("FAIRDELEGATION_ANVIL") is { Length: > 0 } env) return env;
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "node_modules", "@foundry-rs", "anvil-linux-amd64", "bin", "anvil");
                if (File.Exists(candidate)) return candidate;
            }
        }
        throw new FileNotFoundException("anvil not found: run `dotnet build` in the repository (it installs node_modules), or set FAIRDELEGATION_ANVIL");
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        try { if (!_process.HasExited) _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        _process.Dispose();
    }
}
