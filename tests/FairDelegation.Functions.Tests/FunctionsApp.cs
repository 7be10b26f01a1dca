using FairDelegation.Functions.Tests.Doubles;
using FairDelegation.Node.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FairDelegation.Functions.Tests;

/// <summary>
/// The Functions app's services, built by its own composition code (<see cref="FunctionsComposition"/>) over a customer
/// configuration in a temporary data directory, and the pieces one invocation needs: an HttpRequest, a FunctionContext,
/// a client.
/// </summary>
public sealed class FunctionsApp : IDisposable
{
    public const string ApiKey = "functions-test-api-key-0123456789";
    public const string BaseUrl = "http://localhost:7071";

    private readonly string _data = Directory.CreateTempSubdirectory("fd-functions-").FullName;
    private readonly IHost _host;

    public FunctionsApp(string role = "Customer")
    {
        Settings = new Dictionary<string, string?>
        {
            ["FairDelegation:Role"] = role,
            ["FairDelegation:Name"] = "functions-test",
            ["FairDelegation:PublicUrl"] = BaseUrl,
            ["FairDelegation:DataDirectory"] = _data,
            ["FairDelegation:Chain:RpcUrl"] = "http://127.0.0.1:1",
            ["FairDelegation:Chain:WebSocketUrl"] = "none",
            ["FairDelegation:Chain:EscrowAddress"] = "0x5FbDB2315678afecb367f032d93F642f64180aa3",
            ["FairDelegation:Wallet:PrivateKey"] = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
            ["FairDelegation:Api:ApiKey"] = ApiKey,
        };
        // The app's own composition on a real Functions builder (what Program.cs runs), built but not run: running needs
        // the Functions host. Validated as a Development host (func start) validates: every registration must be
        // constructible from the app's services.
        var builder = FunctionsApplication.CreateBuilder([]);
        builder.Configuration.AddInMemoryCollection(Settings);
        builder.Logging.ClearProviders();
        builder.ConfigureFairDelegationFunctions();
        builder.ConfigureContainer(new DefaultServiceProviderFactory(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true }));
        _host = builder.Build();
        Services = _host.Services;
        Client = new FakeDurableTaskClient(WorkflowJson.Options);
    }

    public Dictionary<string, string?> Settings { get; }
    public IServiceProvider Services { get; }
    public FakeDurableTaskClient Client { get; }

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    /// <summary>A function class, made the way the worker makes it (constructor injection from the app's services).</summary>
    public T Function<T>() where T : class => ActivatorUtilities.GetServiceOrCreateInstance<T>(Services);

    /// <summary>An HttpRequest to <paramref name="path"/> with a JSON body, and the invocation's FunctionContext.</summary>
    public (HttpRequest Request, TestFunctionContext Context) Request(string method, string path, string? json = null, bool withKey = true)
    {
        var http = new DefaultHttpContext { RequestServices = Services };
        http.Request.Method = method;
        http.Request.Scheme = "http";
        http.Request.Host = new HostString("localhost", 7071);
        var query = path.IndexOf('?');
        http.Request.Path = query < 0 ? path : path[..query];
        if (query >= 0) http.Request.QueryString = new QueryString(path[query..]);
        if (withKey) http.Request.Headers[ApiKeyAuthentication.HeaderName] = ApiKey;
        if (json is not null)
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(json);
            http.Request.ContentType = "application/json";
            http.Request.ContentLength = bytes.Length;
            http.Request.Body = new MemoryStream(bytes);
        }
        http.Response.Body = new MemoryStream();
        return (http.Request, new TestFunctionContext(Services, new Uri(BaseUrl + path)));
    }

    /// <summary>Runs an HTTP function's IResult the way the ASP.NET Core integration does, and reads the answer.</summary>
    public static async Task<(int Status, string ContentType, string Body)> ExecuteAsync(object result, HttpRequest request)
    {
        var http = request.HttpContext;
        switch (result)
        {
            case IResult r:
                await r.ExecuteAsync(http);
                http.Response.Body.Position = 0;
                return (http.Response.StatusCode, http.Response.ContentType ?? "", await new StreamReader(http.Response.Body).ReadToEndAsync());
            case TestHttpResponseData d:
                d.Body.Position = 0;
                var type = d.Headers.TryGetValues("Content-Type", out var t) ? string.Join(",", t) : "";
                return ((int)d.StatusCode, type, await new StreamReader(d.Body).ReadToEndAsync());
            default:
                throw new InvalidOperationException($"an HTTP function answered a {result?.GetType().Name ?? "null"}");
        }
    }

    public void Dispose()
    {
        _host.Dispose();
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { }
    }
}
