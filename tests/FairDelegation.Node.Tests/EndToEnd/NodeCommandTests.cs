using System.Net.Http.Json;
using FairDelegation.Chain.Crypto;
using FairDelegation.Node.Peers;
using FairDelegation.Testing;

namespace FairDelegation.Node.Tests.EndToEnd;

/// <summary>`fairdelegation node`: the CLI hosts a node from flags and --set overrides, and refuses bad configuration in one line.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class NodeCommandTests(ChainAndBlobsFixture chain) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fd-cli-node-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string CliDll
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
            return Path.Combine(RepoPaths.Root, "src", "FairDelegation.Cli", "bin", configuration, "net10.0", "fairdelegation.dll");
        }
    }

    [Fact]
    public async Task The_node_command_runs_a_provider_node_that_answers_peers()
    {
        var port = FreePort.Next();
        await using var node = ExternalProcess.Start("dotnet",
        [
            CliDll, "node", "--role", "provider", "--urls", $"http://127.0.0.1:{port}", "--data-dir", _dir, "--backend", "azure-storage",
            "--set", $"FairDelegation:Durable:AzureStorage:ConnectionString={chain.Azurite.StorageConnectionString}",
            "--set", $"FairDelegation:Durable:AzureStorage:TaskHubName=cli{Guid.NewGuid():N}"[..60],
            "--set", $"FairDelegation:Chain:RpcUrl={chain.Anvil.RpcUrl}",
            "--set", $"FairDelegation:Chain:EscrowAddress={chain.EscrowAddress}",
            "--set", "FairDelegation:Wallet:PrivateKeyEnvironmentVariable=FD_TEST_WALLET",
        ], environment: new Dictionary<string, string> { ["FD_TEST_WALLET"] = AnvilProcess.DevPrivateKeys[5] });
        await FreePort.WaitUntilListeningAsync(port, TimeSpan.FromSeconds(60), () => node.Output);

        using var http = new HttpClient();
        var identity = await http.GetFromJsonAsync<IdentityDocument>($"http://127.0.0.1:{port}/api/peer/identity", PeerJson.Options);
        identity!.Role.Should().Be("provider");
        EthereumAddress.Parse(identity.Address).Should().NotBe(EthereumAddress.Zero);
        File.Exists(Path.Combine(_dir, "identity.key")).Should().BeTrue("the identity lives in the data directory");
    }

    [Fact]
    public async Task Bad_configuration_is_one_clear_line_and_a_non_zero_exit()
    {
        var result = await ProcessRunner.RunAsync("dotnet", [CliDll, "node", "--role", "customer", "--data-dir", _dir, "--urls", $"http://127.0.0.1:{FreePort.Next()}"],
            timeout: TimeSpan.FromSeconds(60));
        result.ExitCode.Should().NotBe(0);
        result.StdErr.Should().Contain("error: configuration:").And.Contain("FairDelegation:Chain:EscrowAddress");
    }
}
