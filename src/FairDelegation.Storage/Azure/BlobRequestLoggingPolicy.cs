using System.Diagnostics;
using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.Logging;

namespace FairDelegation.Storage.Azure;

/// <summary>
/// One log line per attempt (method, path, status, time) into Microsoft.Extensions.Logging; never the query
/// (a SAS signature) nor headers (the Authorization value).
/// </summary>
public sealed class BlobRequestLoggingPolicy(ILogger logger) : HttpPipelinePolicy
{
    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        ProcessAsync(message, pipeline, async: false).AsTask().GetAwaiter().GetResult();

    public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        ProcessAsync(message, pipeline, async: true);

    private async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline, bool async)
    {
        var started = Stopwatch.GetTimestamp();
        var path = message.Request.Uri.ToUri().AbsolutePath; // never the query: it may hold a SAS signature
        try
        {
            if (async) await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
            else ProcessNext(message, pipeline);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning("blob {Method} {Path} failed after {Ms:F0} ms: {Error}", message.Request.Method, path,
                Stopwatch.GetElapsedTime(started).TotalMilliseconds, e.Message);
            throw;
        }
        var status = message.Response.Status;
        var level = status >= 500 ? LogLevel.Warning : LogLevel.Debug;
        logger.Log(level, "blob {Method} {Path} -> {Status} in {Ms:F0} ms", message.Request.Method, path, status,
            Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }
}
