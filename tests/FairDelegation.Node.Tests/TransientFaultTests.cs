using System.Collections.Concurrent;
using FairDelegation.Node.Hosting;
using FairDelegation.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace FairDelegation.Node.Tests;

/// <summary>
/// Issue 11 #4: a peer or the chain's RPC that is down for a few seconds, or answers 5xx, does not fail the step: the
/// HttpClient's TransientFaultHandler retries with backoff. Real HTTP (Kestrel) on a free port.
/// </summary>
public sealed class TransientFaultTests
{
    private sealed class Recorder : ILogger
    {
        public ConcurrentQueue<string> Lines { get; } = new();
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Enqueue(formatter(state, exception));
    }

    private static HttpClient Client(Recorder log) =>
        new(new TransientFaultHandler(new TransientFaultOptions { FirstDelay = TimeSpan.FromMilliseconds(100) }, log) { InnerHandler = new SocketsHttpHandler() })
        { Timeout = TimeSpan.FromSeconds(60) };

    private static async Task<WebApplication> ServeAsync(int port, RequestDelegate handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Run(handler);
        await app.StartAsync();
        return app;
    }

    [Fact]
    public async Task A_server_that_refuses_connections_until_it_starts_is_reached_once_it_is_up()
    {
        var port = FreePort.Next();
        var log = new Recorder();
        using var client = Client(log);
        var call = client.PostAsync($"http://127.0.0.1:{port}/api/peer/messages", new StringContent("{\"a\":1}"));

        // The peer is down: wait until the client has met a refused connection at least once, then bring the peer up.
        var until = DateTime.UtcNow.AddSeconds(30);
        while (log.Lines.IsEmpty && !call.IsCompleted && DateTime.UtcNow < until) await Task.Delay(20);
        log.Lines.Should().NotBeEmpty("the first attempt met a refused connection and was retried");
        await using var app = await ServeAsync(port, async c => await c.Response.WriteAsync("body " + await new StreamReader(c.Request.Body).ReadToEndAsync()));

        using var response = await call;
        response.IsSuccessStatusCode.Should().BeTrue();
        (await response.Content.ReadAsStringAsync()).Should().Be("body {\"a\":1}", "the request body is sent again in full");
    }

    [Fact]
    public async Task Answers_503_are_retried_and_a_4xx_is_not()
    {
        var port = FreePort.Next();
        var calls = 0;
        await using var app = await ServeAsync(port, c =>
        {
            var n = Interlocked.Increment(ref calls);
            c.Response.StatusCode = c.Request.Path == "/bad" ? 400 : n <= 2 ? 503 : 200;
            return Task.CompletedTask;
        });
        var log = new Recorder();
        using var client = Client(log);

        (await client.GetAsync($"http://127.0.0.1:{port}/ok")).IsSuccessStatusCode.Should().BeTrue();
        calls.Should().Be(3);
        (await client.GetAsync($"http://127.0.0.1:{port}/bad")).StatusCode.Should().Be(System.Net.HttpStatusCode.BadRequest);
        calls.Should().Be(4, "a 400 names a bad request: sending it again cannot help");
    }
}
