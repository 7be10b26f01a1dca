using Azure.Core;
using Azure.Core.Pipeline;

namespace FairDelegation.Storage.Azure;

/// <summary>Stamps every request with the Blob REST API version this client speaks (x-ms-version).</summary>
public sealed class StorageVersionPolicy(string version) : HttpPipelineSynchronousPolicy
{
    /// <summary>The x-ms-version used throughout (supported by Azure and by Azurite 3.37).</summary>
    public const string DefaultVersion = "2025-01-05";

    public override void OnSendingRequest(HttpMessage message) => message.Request.Headers.SetValue("x-ms-version", version);
}
