using System.Globalization;
using System.Numerics;
using FairDelegation.Chain.Accounts;
using FairDelegation.Chain.Crypto;

namespace FairDelegation.Cli.Demo;

/// <summary>
/// What the demos' in-process nodes share: the chain (its RPC URL, id, the escrow and the block it was deployed in),
/// the blob service and the workflows' backend. Each node gets its own data directory, blob container, task hub and wallet.
/// </summary>
public sealed record DemoChain(string RpcUrl, BigInteger ChainId, EthereumAddress Escrow, long DeployBlock, string BlobConnection,
    string StorageConnection, string Backend)
{
    /// <summary>A demo node's settings: short timeouts for a local chain, train-classifier offered at <paramref name="wage"/>.</summary>
    public Dictionary<string, string?> NodeSettings(string role, string name, string dataDirectory, EthAccount wallet, BigInteger wage, string apiKey) => new()
    {
        ["FairDelegation:Role"] = role,
        ["FairDelegation:Name"] = name,
        ["FairDelegation:DataDirectory"] = dataDirectory,
        ["FairDelegation:Chain:RpcUrl"] = RpcUrl,
        ["FairDelegation:Chain:ChainId"] = ChainId.ToString(CultureInfo.InvariantCulture),
        ["FairDelegation:Chain:EscrowAddress"] = Escrow.ToLowerHex(),
        ["FairDelegation:Chain:Confirmations"] = "1",
        ["FairDelegation:Chain:PollInterval"] = "00:00:00.100",
        ["FairDelegation:Chain:WatchFromBlock"] = DeployBlock.ToString(CultureInfo.InvariantCulture),
        ["FairDelegation:Wallet:PrivateKey"] = Hex.Encode(wallet.ExportPrivateKey()),
        ["FairDelegation:Blobs:Kind"] = "AzureBlob",
        ["FairDelegation:Blobs:ConnectionString"] = BlobConnection,
        ["FairDelegation:Blobs:Container"] = $"demo-{role}-{Guid.NewGuid():N}"[..30],
        ["FairDelegation:Timeouts:WorkDelivery"] = "00:01:00",
        ["FairDelegation:Timeouts:Request"] = "00:01:00",
        ["FairDelegation:Timeouts:EscrowOpen"] = "00:01:00",
        ["FairDelegation:Timeouts:Confirmation"] = "00:01:00",
        ["FairDelegation:Timeouts:Deadline"] = "00:10:00",
        ["FairDelegation:Timeouts:DeadlineMargin"] = "00:01:00",
        ["FairDelegation:Timeouts:DeadlineCheck"] = "00:00:01",
        ["FairDelegation:Provider:Services:train-classifier:Kind"] = "train-classifier",
        ["FairDelegation:Provider:Services:train-classifier:WageWei"] = wage.ToString(CultureInfo.InvariantCulture),
        ["FairDelegation:Api:ApiKey"] = apiKey,
        // The workflows' backend; on azure-storage each node has its own task hub in the demo's Azurite.
        ["FairDelegation:Durable:Backend"] = Backend,
        ["FairDelegation:Durable:AzureStorage:ConnectionString"] = StorageConnection,
        ["FairDelegation:Durable:AzureStorage:TaskHubName"] = "demo" + role + Guid.NewGuid().ToString("N")[..8],
        ["FairDelegation:Durable:AzureStorage:PartitionCount"] = "1",
    };
}
