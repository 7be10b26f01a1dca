using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Npgsql;

namespace FairDelegation.Durable.Stores.Postgres;

/// <summary>
/// A private, throw-away PostgreSQL cluster: initdb into a temporary directory, postgres on a free loopback port,
/// stopped and deleted on dispose. Used by the tests' fixture and by `fairdelegation bench engine`.
/// Runs the server as user postgres when the caller is root (PostgreSQL refuses to run as root).
/// </summary>
public sealed class PostgresLocalCluster : IAsyncDisposable
{
    private readonly string _dataDir;
    private readonly string _bin;
    private readonly Process _server;
    private readonly StringBuilder _log;
    private bool _disposed;

    private PostgresLocalCluster(string root, string dataDir, string bin, int port, Process server, StringBuilder log)
    {
        RootDirectory = root;
        _dataDir = dataDir;
        _bin = bin;
        Port = port;
        _server = server;
        _log = log;
    }

    /// <summary>The temporary directory holding the data and socket directories.</summary>
    public string RootDirectory { get; }

    public int Port { get; }

    /// <summary>What the server printed so far (for failure diagnostics).</summary>
    public string ServerLog { get { lock (_log) return _log.ToString(); } }

    /// <summary>A connection string (user postgres, trust authentication) to <paramref name="database"/>.</summary>
    public string ConnectionString(string database = "postgres") =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = Port, Username = "postgres", Database = database, MaxPoolSize = 50 }.ToString();

    /// <summary>The binaries directory of the newest installed PostgreSQL (/usr/lib/postgresql/N/bin).</summary>
    public static string FindBinaries()
    {
        var found = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "postgres")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
                .FirstOrDefault()
            : null;
        return found ?? throw new FileNotFoundException(
            "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin; run infra/ensure-postgres.sh (or apt-get install postgresql)");
    }

    /// <summary>
    /// Creates and starts a cluster. <paramref name="durable"/> false (tests) turns off fsync and synchronous commit;
    /// true (benchmarks) keeps PostgreSQL's crash-safe defaults.
    /// </summary>
    public static async Task<PostgresLocalCluster> StartAsync(bool durable = false, CancellationToken cancellationToken = default)
    {
        var bin = FindBinaries();
        var root = Path.Combine(Path.GetTempPath(), "fd-pg-" + Guid.NewGuid().ToString("N")[..12]);
        var dataDir = Path.Combine(root, "data");
        var socketDir = Path.Combine(root, "sock");
        Directory.CreateDirectory(dataDir);
        Directory.CreateDirectory(socketDir);
        var asRoot = Environment.UserName == "root";
        try
        {
            if (asRoot) await RunAsync("chown", ["-R", "postgres:postgres", root], cancellationToken);
            await RunAsync(Path.Combine(bin, "initdb"),
                ["-D", dataDir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"],
                cancellationToken, asRoot);
        }
        catch
        {
            TryDelete(root);
            throw;
        }

        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort();
            var args = new List<string>
            {
                "-D", dataDir, "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-k", socketDir, "-h", "127.0.0.1",
                "-c", "max_connections=200", "-c", "shared_buffers=128MB", "-c", "listen_addresses=127.0.0.1",
            };
            if (!durable) args.AddRange(["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]);
            var log = new StringBuilder();
            var server = Start(Path.Combine(bin, "postgres"), args, asRoot, log);
            var cluster = new PostgresLocalCluster(root, dataDir, bin, port, server, log);
            try
            {
                await cluster.WaitReadyAsync(TimeSpan.FromSeconds(30), cancellationToken);
                return cluster;
            }
            catch (Exception) when (attempt < 2 && server.HasExited)
            {
                // Port taken between the probe and the bind: try another.
                server.Dispose();
            }
            catch
            {
                await cluster.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>Creates a database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string name, CancellationToken cancellationToken = default)
    {
        if (!System.Text.RegularExpressions.Regex.IsMatch(name, "^[a-z_][a-z0-9_]{0,62}$"))
            throw new ArgumentException($"'{name}' is not a plain database name (lower-case letters, digits, underscore)", nameof(name));
        await using var c = new NpgsqlConnection(ConnectionString());
        await c.OpenAsync(cancellationToken);
        await using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", c);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
        return ConnectionString(name);
    }

    private async Task WaitReadyAsync(TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_server.HasExited) throw new InvalidOperationException($"postgres exited at start (exit {_server.ExitCode}): {ServerLog}");
            try
            {
                await using var c = new NpgsqlConnection(ConnectionString() + ";Pooling=false;Timeout=2");
                await c.OpenAsync(ct);
                return;
            }
            catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50, ct);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        try
        {
            if (!_server.HasExited)
            {
                await RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", _dataDir, "stop", "-m", "immediate", "-w", "-t", "20"],
                    CancellationToken.None, Environment.UserName == "root");
            }
        }
        catch (Exception)
        {
            // Fall through to the kill below.
        }
        try { if (!_server.HasExited) _server.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        _server.WaitForExit(10_000);
        _server.Dispose();
        TryDelete(RootDirectory);
    }

    private static void TryDelete(string dir)
    {
        try { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private static ProcessStartInfo Psi(string file, IEnumerable<string> args, bool asPostgres)
    {
        var psi = new ProcessStartInfo(asPostgres ? "runuser" : file)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = "/",
        };
        if (asPostgres) { psi.ArgumentList.Add("-u"); psi.ArgumentList.Add("postgres"); psi.ArgumentList.Add("--"); psi.ArgumentList.Add(file); }
        foreach (var a in args) psi.ArgumentList.Add(a);
        return psi;
    }

    private static Process Start(string file, IEnumerable<string> args, bool asPostgres, StringBuilder log)
    {
        var p = new Process { StartInfo = Psi(file, args, asPostgres) };
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    private static async Task RunAsync(string file, IEnumerable<string> args, CancellationToken ct, bool asPostgres = false)
    {
        using var p = Process.Start(Psi(file, args, asPostgres))!;
        var stdout = p.StandardOutput.ReadToEndAsync(ct);
        var stderr = p.StandardError.ReadToEndAsync(ct);
        await p.WaitForExitAsync(ct);
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"{Path.GetFileName(file)} failed (exit {p.ExitCode}): {await stderr}{await stdout}");
    }
}
