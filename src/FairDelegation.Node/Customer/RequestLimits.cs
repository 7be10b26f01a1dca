namespace FairDelegation.Node.Customer;

/// <summary>
/// Lengths a delegation request must keep, checked when it is made (HTTP API, CustomerNode), so a request that could
/// only fail later at the provider (the quote request is one signed message of at most 64 KiB, which carries the
/// service and the SLA) is refused at once, naming the field (issue 11 #9).
/// </summary>
public static class RequestLimits
{
    public const int MaxServiceLength = 100;
    public const int MaxProviderUrlLength = 2048;
    public const int MaxAssets = 16;
    public const int MaxAssetNameLength = 100;

    /// <summary>The SLA's JSON, in characters: well inside the quote message's 64 KiB with everything else it carries.</summary>
    public const int MaxSlaLength = 16 * 1024;

    /// <summary>Each field over its limit, with the reason.</summary>
    public static IEnumerable<(string Field, string Reason)> Check(string? providerUrl, string? service, IEnumerable<string> assetNames, string? slaJson)
    {
        if (providerUrl?.Length > MaxProviderUrlLength) yield return ("providerUrl", $"is {providerUrl.Length} characters; at most {MaxProviderUrlLength}");
        if (service?.Length > MaxServiceLength) yield return ("service", $"is {service.Length} characters; at most {MaxServiceLength}");
        var names = assetNames.ToList();
        if (names.Count > MaxAssets) yield return ("assets", $"{names.Count} assets; at most {MaxAssets}");
        foreach (var name in names.Where(n => n.Length > MaxAssetNameLength))
            yield return ("assets", $"an asset name is {name.Length} characters; at most {MaxAssetNameLength}");
        if (slaJson?.Length > MaxSlaLength) yield return ("sla", $"is {slaJson.Length} characters of JSON; at most {MaxSlaLength}");
    }
}
