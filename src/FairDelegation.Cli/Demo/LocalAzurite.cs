using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace FairDelegation.Cli.Demo;

/// <summary>
/// A throw-away Azurite for the demo and benchmarks: node_modules/azurite (blob, queue and table services, the
/// latter two for the azure-storage workflow backend) on free loopback ports, in memory, killed on dispose.
/// (Tests use FairDelegation.Testing.AzuriteProcess.)
/// </summary>
public sealed class LocalAzurite : IAsyncDisposable
{
    /// <summary>Azurite's well-known development account key (public, not a secret).</summary>
    private const string DevKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly Process _process;
    private readonly string _location;

    private LocalAzurite(Process process, int[] ports, string location)
    {
        _process = process;
        _location = location;
        BlobEndpoint = $"http://127.0.0.1:{ports[0]}/devstoreaccount1";
        QueueEndpoint = $"http://127.0.0.1:{ports[1]}/devstoreaccount1";
        TableEndpoint = $"http://127.0.0.1:{ports[2]}/devstoreaccount1";
    }

    /// <summary>http://127.0.0.1:PORT/devstoreaccount1 of the queue service.</summary>
    public string QueueEndpoint { get; }

    /// <summary>http://127.0.0.1:PORT/devstoreaccount1 of the table service.</summary>
    public string TableEndpoint { get; }

    /// <summary>A connection string with all three services (what the azure-storage workflow backend needs).</summary>
    public string StorageConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={DevKey};BlobEndpoint={BlobEndpoint};QueueEndpoint={QueueEndpoint};TableEndpoint={TableEndpoint};";

    /// <summary>http://127.0.0.1:PORT/devstoreaccount1</summary>
    public string BlobEndpoint { get; }

    /// <summary>A connection string for the development account on this instance.</summary>
    public string ConnectionString => ConnectionStringFor(BlobEndpoint);

    /// <summary>The development account's connection string for a blob endpoint.</summary>
    public static string ConnectionStringFor(string blobEndpoint) =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={DevKey};BlobEndpoint={blobEndpoint.TrimEnd('/')};";

    public static async Task<LocalAzurite> StartAsync(CancellationToken ct)
    {
        var script = Find() ?? throw new CliException(
            "azurite not found (node_modules/azurite above the current directory or the program): run `dotnet build` in the repository, or pass --azurite");
        var ports = new int[3];
        var probes = Enumerable.Range(0, 3).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToArray();
        for (var i = 0; i < 3; i++)
        {
            probes[i].Start();
            ports[i] = ((IPEndPoint)probes[i].LocalEndpoint).Port;
        }
        foreach (var probe in probes) probe.Stop();
        var location = Directory.CreateTempSubdirectory("fd-demo-azurite-").FullName;
        var psi = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = location };
        foreach (var a in new[] { script, "--disableTelemetry", "--silent", "--inMemoryPersistence", "--skipApiVersionCheck",
                     "--blobHost", "127.0.0.1", "--blobPort", ports[0].ToString(CultureInfo.InvariantCulture),
                     "--queueHost", "127.0.0.1", "--queuePort", ports[1].ToString(CultureInfo.InvariantCulture),
                     "--tableHost", "127.0.0.1", "--tablePort", ports[2].ToString(CultureInfo.InvariantCulture) })
            psi.ArgumentList.Add(a);
        Process process;
        try { process = Process.Start(psi) ?? throw new CliException("could not start node for azurite"); }
        catch (System.ComponentModel.Win32Exception e) { throw new CliException($"could not start node for azurite: {e.Message}"); }
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var azurite = new LocalAzurite(process, ports, location);
        var deadline = DateTime.UtcNow.AddSeconds(120); // node starting azurite on a loaded CI machine can take far longer than on a quiet one
        while (true)
        {
            try
            {
                foreach (var port in ports)
                {
                    using var client = new TcpClient();
                    await client.ConnectAsync(IPAddress.Loopback, port, ct);
                }
                return azurite;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(50, ct);
            }
            catch (Exception e)
            {
                await azurite.DisposeAsync();
                if (ct.IsCancellationRequested) throw;
                string printed;
                lock (output) printed = output.ToString().Trim().ReplaceLineEndings(" ");
                throw new CliException($"azurite did not start on ports {string.Join(", ", ports)} ({e.Message}; {printed})");
            }
        }
    }

    private static string? Find()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "node_modules", "azurite", "dist", "src", "azurite.js");
                if (File.Exists(candidate)) return candidate;
            }
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        try { if (!_process.HasExited) _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        try { await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)); } catch (TimeoutException) { }
        _process.Dispose();
        try { Directory.Delete(_location, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
