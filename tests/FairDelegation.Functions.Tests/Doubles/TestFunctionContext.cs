using System.Collections;
using System.Security.Claims;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace FairDelegation.Functions.Tests.Doubles;

/// <summary>
/// The FunctionContext of one HTTP invocation, with the request data the Durable extension's
/// CreateCheckStatusResponse writes its answer through (in the real app, the ASP.NET Core integration provides both).
/// </summary>
public sealed class TestFunctionContext : FunctionContext
{
    private readonly FeatureSet _features = new();

    public TestFunctionContext(IServiceProvider services, Uri url)
    {
        InstanceServices = services;
        Request = new TestHttpRequestData(this, url);
        _features.Set<IHttpRequestDataFeature>(new RequestDataFeature(Request));
    }

    public TestHttpRequestData Request { get; }
    public override string InvocationId { get; } = Guid.NewGuid().ToString();
    public override string FunctionId { get; } = "test";
    public override TraceContext TraceContext => throw new NotSupportedException();
    public override BindingContext BindingContext => throw new NotSupportedException();
    public override RetryContext RetryContext => throw new NotSupportedException();
    public override IServiceProvider InstanceServices { get; set; }
    public override FunctionDefinition FunctionDefinition => throw new NotSupportedException();
    public override IDictionary<object, object> Items { get; set; } = new Dictionary<object, object>();
    public override IInvocationFeatures Features => _features;

    private sealed class RequestDataFeature(HttpRequestData request) : IHttpRequestDataFeature
    {
        public ValueTask<HttpRequestData?> GetHttpRequestDataAsync(FunctionContext context) => ValueTask.FromResult<HttpRequestData?>(request);
    }

    private sealed class FeatureSet : IInvocationFeatures
    {
        private readonly Dictionary<Type, object> _items = [];
        public T? Get<T>() => _items.TryGetValue(typeof(T), out var v) ? (T)v : default;
        public void Set<T>(T instance) => _items[typeof(T)] = instance!;
        public IEnumerator<KeyValuePair<Type, object>> GetEnumerator() => _items.GetEnumerator();
        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}

public sealed class TestHttpRequestData(FunctionContext context, Uri url) : HttpRequestData(context)
{
    public override Stream Body { get; } = new MemoryStream();
    public override HttpHeadersCollection Headers { get; } = new();
    public override IReadOnlyCollection<IHttpCookie> Cookies { get; } = [];
    public override Uri Url { get; } = url;
    public override IEnumerable<ClaimsIdentity> Identities { get; } = [];
    public override string Method { get; } = "POST";
    public override HttpResponseData CreateResponse() => new TestHttpResponseData(FunctionContext);
}

public sealed class TestHttpResponseData(FunctionContext context) : HttpResponseData(context)
{
    public override System.Net.HttpStatusCode StatusCode { get; set; }
    public override HttpHeadersCollection Headers { get; set; } = new();
    public override Stream Body { get; set; } = new MemoryStream();
    public override HttpCookies Cookies => throw new NotSupportedException();
}
