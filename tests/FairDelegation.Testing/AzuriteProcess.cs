namespace FairDelegation.Testing;

/// <summary>
/// A real Azurite blob service (node_modules/azurite, blob only) on a free loopback port with its own temporary
/// location, for tests and benchmarks. <see cref="Kill"/> crashes it (SIGKILL); <see cref="RestartAsync"/> brings it
/// back on the same port and location. Disposing kills it and deletes the location.
/// </summary>
public sealed class AzuriteProcess : IAsyncDisposable
{
    /// <summary>Azurite's well-known development account.</summary>
    public const string AccountName = "devstoreaccount1";

    /// <summary>Azurite's well-known development account key (public, not a secret).</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly bool _inMemory;
    private readonly bool _ownsLocation;
    private readonly AzuriteHttps? _https;
    private ExternalProcess? _process;

    private int _queuePort, _tablePort;

    /// <summary>
    /// Also serve queues and tables (Azurite's all-in-one entry point), for the azure-storage workflow backend; see
    /// <see cref="StorageConnectionString"/>.
    /// </summary>
    public bool QueuesAndTables { get; private init; }

    /// <summary>A connection string with the blob, queue and table endpoints (needs <see cref="QueuesAndTables"/>).</summary>
    public string StorageConnectionString => QueuesAndTables
        ? $"{ConnectionString}QueueEndpoint=http://127.0.0.1:{_queuePort}/{AccountName};TableEndpoint=http://127.0.0.1:{_tablePort}/{AccountName};"
        : throw new InvalidOperationException("this Azurite serves blobs only: start it with queuesAndTables: true");

    private AzuriteProcess(int port, string location, bool inMemory, bool ownsLocation, AzuriteHttps? https)
    {
        _https = https;
        Port = port;
        Location = location;
        _inMemory = inMemory;
        _ownsLocation = ownsLocation;
    }

    /// <summary>The loopback port the blob service listens on.</summary>
    public int Port { get; }

    /// <summary>Azurite's workspace (metadata database and extents); survives <see cref="RestartAsync"/>.</summary>
    public string Location { get; }

    /// <summary>The path-style blob endpoint: http(s)://127.0.0.1:PORT/devstoreaccount1.</summary>
    public Uri BlobEndpoint => new($"{(_https is null ? "http" : "https")}://127.0.0.1:{Port}/{AccountName}");

    /// <summary>An explicit connection string for the development account on this instance's port.</summary>
    public string ConnectionString =>
        $"DefaultEndpointsProtocol={BlobEndpoint.Scheme};AccountName={AccountName};AccountKey={AccountKey};BlobEndpoint={BlobEndpoint};";

    /// <summary>Everything the current process printed (for failure messages).</summary>
    public string Output => _process?.Output ?? "";

    /// <summary>Whether the current process is running.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>
    /// Starts Azurite and waits until it accepts connections. <paramref name="inMemory"/> keeps blobs in memory
    /// (--inMemoryPersistence; a restart then loses them); otherwise they persist under a fresh temporary location.
    /// </summary>
    /// <param name="inMemory">--inMemoryPersistence instead of a location on disk.</param>
    /// <param name="location">An existing workspace to use (kept on dispose); default a fresh temporary one (deleted on dispose).</param>
    /// <param name="https">Serve HTTPS with this certificate (and optionally accept OAuth bearer tokens, --oauth basic).</param>
    /// <param name="queuesAndTables">Also serve queues and tables (see <see cref="StorageConnectionString"/>).</param>
    public static async Task<AzuriteProcess> StartAsync(bool inMemory = false, string? location = null, AzuriteHttps? https = null,
        bool queuesAndTables = false)
    {
        var owns = location is null;
        location ??= Directory.CreateTempSubdirectory("fd-azurite-").FullName;
        var azurite = new AzuriteProcess(FreePort.Next(), location, inMemory, owns, https) { QueuesAndTables = queuesAndTables };
        if (queuesAndTables)
        {
            azurite._queuePort = FreePort.Next();
            azurite._tablePort = FreePort.Next();
        }
        try
        {
            await azurite.StartProcessAsync();
        }
        catch
        {
            await azurite.DisposeAsync();
            throw;
        }
        return azurite;
    }

    /// <summary>SIGKILL, as a crash: in-flight requests fail, nothing is flushed.</summary>
    public void Kill() => _process?.Kill();

    /// <summary>
    /// Stops Azurite the way an operator does (SIGTERM: it closes its services and saves its metadata) and waits for it
    /// to exit: an outage that loses nothing, unlike <see cref="Kill"/> (Azurite keeps recent metadata in memory, so a
    /// SIGKILL can lose a container created just before). <see cref="RestartAsync"/> brings it back.
    /// </summary>
    public async Task StopAsync()
    {
        if (_process is null) return;
        _process.Signal(ExternalProcess.SigTerm);
        try
        {
            await _process.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }
        catch (OperationCanceledException)
        {
            _process.Kill();
        }
    }

    /// <summary>Kills (if running) and starts again on the same port and location.</summary>
    public async Task RestartAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
            _process = null;
        }
        await StartProcessAsync();
    }

    private async Task StartProcessAsync()
    {
        var args = new List<string>
        {
            QueuesAndTables ? RepoPaths.AzuriteAll : RepoPaths.AzuriteBlob,
            "--disableTelemetry",
            "--silent",
            "--blobHost", "127.0.0.1",
            "--blobPort", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (QueuesAndTables)
            args.AddRange(["--queueHost", "127.0.0.1", "--queuePort", _queuePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--tableHost", "127.0.0.1", "--tablePort", _tablePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--skipApiVersionCheck"]);
        // Azurite refuses --location together with --inMemoryPersistence; the location is then only the working directory.
        args.AddRange(_inMemory ? ["--inMemoryPersistence"] : ["--location", Location]);
        if (_https is not null)
        {
            args.AddRange(["--cert", _https.CertificatePemPath, "--key", _https.KeyPemPath]);
            if (_https.OAuthBasic) args.AddRange(["--oauth", "basic"]);
        }
        _process = ExternalProcess.Start("node", args, workingDirectory: Location);
        var process = _process;
        foreach (var port in QueuesAndTables ? [Port, _queuePort, _tablePort] : new[] { Port })
            await FreePort.WaitUntilListeningAsync(port, TimeSpan.FromSeconds(120),
                () => process.HasExited ? $"azurite exited early: {process.Output}" : $"azurite output: {process.Output}");
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
            _process = null;
        }
        if (_ownsLocation)
        {
            try { Directory.Delete(Location, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }
}

/// <summary>
/// HTTPS for Azurite: PEM certificate and key files; <see cref="OAuthBasic"/> makes it accept bearer tokens
/// (--oauth basic: it checks a token's issuer, audience and lifetime, not its signature).
/// </summary>
public sealed record AzuriteHttps(string CertificatePemPath, string KeyPemPath, bool OAuthBasic = false);
