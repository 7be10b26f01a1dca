using System.Net.Http.Json;
using System.Text.Json;
using FairDelegation.Testing;

namespace FairDelegation.Node.Tests.EndToEnd;

/// <summary>A node in its own process (tests/FairDelegation.Node.TestHost), configured by environment variables, killable.</summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly ExternalProcess _process;

    private NodeProcess(ExternalProcess process, string url)
    {
        _process = process;
        Url = url;
    }

    public string Url { get; }
    public string Output => _process.Output;

    /// <summary>The process id (for signals and /proc).</summary>
    public int Pid => _process.Id;

    /// <summary>True once the process ended (e.g. killed itself at a fault point).</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The TestHost built next to this test assembly's configuration (Debug or Release).</summary>
    private static string HostDll
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
            var dll = Path.Combine(RepoPaths.Root, "tests", "FairDelegation.Node.TestHost", "bin", configuration, "net10.0", "FairDelegation.Node.TestHost.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException("build tests/FairDelegation.Node.TestHost first", dll);
        }
    }

    public static async Task<NodeProcess> StartAsync(IDictionary<string, string?> settings, int port, string? apiKey = null)
    {
        var url = $"http://127.0.0.1:{port}";
        var env = settings.Where(kv => kv.Value is not null).ToDictionary(kv => kv.Key.Replace(":", "__"), kv => kv.Value!);
        env["DOTNET_ENVIRONMENT"] = "Production";
        env["Logging__LogLevel__Default"] = "Warning";
        var process = ExternalProcess.Start("dotnet", [HostDll, "--urls", url], Path.GetDirectoryName(HostDll), env);
        var node = new NodeProcess(process, url)
        {
            ApiKey = apiKey,
            ApiKeyFile = settings.TryGetValue("FairDelegation:DataDirectory", out var dir) && dir is not null ? Path.Combine(dir, "api.key") : null,
        };
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            try
            {
                using var r = await Http.GetAsync(url + "/api/peer/identity");
                if (r.IsSuccessStatusCode) return node;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            if (process.HasExited || DateTime.UtcNow > until)
            {
                await process.DisposeAsync();
                throw new InvalidOperationException($"the node process did not come up on {url}: {process.Output}");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>SIGKILL: no shutdown hooks, like a crash.</summary>
    public void Kill() => _process.Kill();

    /// <summary>The process id (the dotnet host running the node).</summary>
    public int ProcessId => _process.Id;

    /// <summary>SIGSTOP: the node stays up to the kernel (connections are accepted) but answers nothing: a silent peer.</summary>
    public Task PauseAsync() => SignalAsync("-STOP");

    /// <summary>SIGCONT after <see cref="PauseAsync"/>.</summary>
    public Task ResumeAsync() => SignalAsync("-CONT");

    private async Task SignalAsync(string signal)
    {
        using var kill = System.Diagnostics.Process.Start("kill", [signal, ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
        if (kill.ExitCode != 0) throw new InvalidOperationException($"kill {signal} {ProcessId} failed");
    }

    /// <summary>Sent as X-Api-Key on every request (the customer API needs it).</summary>
    public string? ApiKey { get; init; }

    /// <summary>Without <see cref="ApiKey"/>: the key the node wrote to its data directory on its first start (GET /api/agreements needs it).</summary>
    public string? ApiKeyFile { get; init; }

    private HttpRequestMessage Request(HttpMethod method, string path)
    {
        var m = new HttpRequestMessage(method, Url + path);
        var key = ApiKey ?? (ApiKeyFile is not null && File.Exists(ApiKeyFile) ? File.ReadAllText(ApiKeyFile).Trim() : null);
        if (key is not null) m.Headers.Add("X-Api-Key", key);
        return m;
    }

    public async Task<JsonElement> GetAsync(string path)
    {
        using var r = await Http.SendAsync(Request(HttpMethod.Get, path));
        var text = await r.Content.ReadAsStringAsync();
        if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"GET {path}: {(int)r.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>A signal to the node's process: SIGSTOP freezes it (it stops answering), SIGCONT resumes it.</summary>
    public void Signal(int signal) => _process.Signal(signal);

    /// <summary>GET returning the body's bytes (e.g. a delegation's decrypted result), with an API key.</summary>
    public async Task<byte[]> GetBytesAsync(string path, string apiKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Url + path);
        request.Headers.Add("X-Api-Key", apiKey);
        using var r = await Http.SendAsync(request);
        var body = await r.Content.ReadAsByteArrayAsync();
        if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"GET {path}: {(int)r.StatusCode} {System.Text.Encoding.UTF8.GetString(body)}");
        return body;
    }

    public async Task<JsonElement> PostAsync(string path, object body)
    {
        using var message = Request(HttpMethod.Post, path);
        message.Content = JsonContent.Create(body);
        using var r = await Http.SendAsync(message);
        var text = await r.Content.ReadAsStringAsync();
        if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"POST {path}: {(int)r.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
