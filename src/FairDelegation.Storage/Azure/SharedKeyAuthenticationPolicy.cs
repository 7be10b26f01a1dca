using Azure.Core;
using Azure.Core.Pipeline;

namespace FairDelegation.Storage.Azure;

/// <summary>
/// Signs every attempt (it sits after the retry policy, so a retry gets a fresh x-ms-date and signature) with the
/// account key: sets x-ms-date, then Authorization: SharedKey account:HMAC-SHA256(string-to-sign).
/// </summary>
public sealed class SharedKeyAuthenticationPolicy(StorageSharedKeyCredential credential) : HttpPipelineSynchronousPolicy
{
    public override void OnSendingRequest(HttpMessage message)
    {
        var request = message.Request;
        request.Headers.SetValue("x-ms-date", DateTimeOffset.UtcNow.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        long? length = null;
        if (request.Content is not null && request.Content.TryComputeLength(out var n)) length = n;
        var headers = request.Headers.Select(h => new KeyValuePair<string, string>(h.Name, h.Value));
        var stringToSign = SharedKeySigner.BuildStringToSign(request.Method.Method, request.Uri.ToUri(), length, headers, credential.AccountName);
        request.Headers.SetValue("Authorization", SharedKeySigner.Authorization(credential, stringToSign));
    }
}
