using System.Text.Json;
using FairDelegation.Node.Peers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace FairDelegation.Cli.Demo;

/// <summary>
/// Lets the demo check the stamp itself: a middleware on the customer node that copies the stamp out of the
/// work-delivered message (step 6) as it arrives, without changing the request.
/// </summary>
public sealed class DeliveryTap
{
    /// <summary>The last stamp delivered to the customer (JSON), or null.</summary>
    public string? Stamp { get; private set; }

    /// <summary>Adds the tap to the customer's pipeline.</summary>
    public void Attach(WebApplication app) => app.Use(async (context, next) =>
    {
        if (HttpMethods.IsPost(context.Request.Method) && context.Request.Path.Equals("/" + PeerKinds.DeliveredRoute, StringComparison.OrdinalIgnoreCase))
        {
            context.Request.EnableBuffering();
            try
            {
                var envelope = await JsonSerializer.DeserializeAsync<PeerEnvelope>(context.Request.Body, PeerJson.Options, context.RequestAborted);
                if (envelope is not null) Stamp = PeerJson.Deserialize<WorkDeliveredMessage>(envelope.Body, "work delivered").Stamp;
            }
            catch (Exception e) when (e is JsonException or FormatException)
            {
                // Not ours to judge: the node's own handler answers a malformed message.
            }
            context.Request.Body.Position = 0;
        }
        await next(context);
    });
}
