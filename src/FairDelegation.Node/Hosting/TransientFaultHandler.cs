using System.Net;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace FairDelegation.Node.Hosting;

/// <summary>
/// Retries transient faults of an HttpClient's requests (connection refused or reset, a timed-out attempt, HTTP 408, 429
/// and 5xx) with exponential backoff and jitter, on a Polly.Core pipeline (issue 11 #4). It sits in the HttpClient's
/// handler chain, so whatever sends through that client (the peer client, the chain's JSON-RPC client) gets it, and the
/// client's own Timeout bounds all attempts together: the step's time budget. Requests are safe to repeat: peer
/// messages carry a message id the receiving inbox deduplicates, and JSON-RPC reads are idempotent (a raw transaction
/// sent twice is the same transaction).
/// </summary>
public sealed class TransientFaultHandler : DelegatingHandler
{
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;

    public TransientFaultHandler(TransientFaultOptions options, ILogger logger)
    {
        _pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.MaxRetryAttempts,
                Delay = options.FirstDelay,
                MaxDelay = options.MaxDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .Handle<TimeoutRejectedException>()
                    .HandleResult(r => IsTransient(r.StatusCode)),
                OnRetry = a =>
                {
                    logger.LogWarning("Transient fault (attempt {Attempt}): {Fault}; retrying in {Delay}", a.AttemptNumber + 1,
                        a.Outcome.Exception?.Message ?? $"HTTP {(int)a.Outcome.Result!.StatusCode}", a.RetryDelay);
                    a.Outcome.Result?.Dispose();
                    return default;
                },
            })
            .AddTimeout(options.AttemptTimeout)
            .Build();
    }

    /// <summary>The statuses worth another attempt: the server may answer the same request a moment later.</summary>
    public static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // A body that can be sent again: serialized once into memory (peer envelopes and JSON-RPC bodies are small).
        if (request.Content is not null) await request.Content.LoadIntoBufferAsync(cancellationToken);
        return await _pipeline.ExecuteAsync(static async (state, ct) => await state.Self.BaseSendAsync(state.Request, ct),
            (Self: this, Request: request), cancellationToken);
    }

    private Task<HttpResponseMessage> BaseSendAsync(HttpRequestMessage request, CancellationToken ct) => base.SendAsync(request, ct);
}

/// <summary>How <see cref="TransientFaultHandler"/> retries. The defaults ride out an outage of about 20 s.</summary>
public sealed record TransientFaultOptions
{
    public int MaxRetryAttempts { get; init; } = 8;
    public TimeSpan FirstDelay { get; init; } = TimeSpan.FromMilliseconds(250);
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>One attempt's limit: an answer that does not come is a fault like a refused connection.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(15);
}
