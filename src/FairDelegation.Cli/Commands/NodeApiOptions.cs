using System.CommandLine;

namespace FairDelegation.Cli.Commands;

/// <summary>The options every command that talks to a customer node's API shares: --node and --api-key (with environment defaults).</summary>
public static class NodeApiOptions
{
    public const string NodeUrlVariable = "FAIRDELEGATION_NODE_URL";
    public const string ApiKeyVariable = "FAIRDELEGATION_API_KEY";

    public static Option<string> Node() => new("--node")
    {
        Description = $"The customer node's base URL (default: ${NodeUrlVariable}, else http://127.0.0.1:5000)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(NodeUrlVariable) is { Length: > 0 } url ? url : "http://127.0.0.1:5000",
    };

    public static Option<string?> ApiKey() => new("--api-key")
    {
        Description = $"The node's API key (default: ${ApiKeyVariable}; a node keeps it in <data directory>/api.key)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(ApiKeyVariable),
    };
}
