using FairDelegation.Storage.Azure;
using FairDelegation.Testing;

namespace FairDelegation.Storage.Tests;

/// <summary>One Azurite for the test classes in the "Azurite" collection; each test works in its own container.</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    public AzuriteProcess Azurite { get; private set; } = null!;

    public async Task InitializeAsync() => Azurite = await AzuriteProcess.StartAsync();

    public async Task DisposeAsync() => await Azurite.DisposeAsync();

    /// <summary>A store on a fresh container, small blocks and pages so a few hundred KiB exercise the multi-block and paging paths.</summary>
    public AzureBlobStore NewStore(int blockSize = 64 * 1024, int maxConcurrency = 3, int listPageSize = 2)
    {
        var options = new AzureBlobClientOptions { BlockSize = blockSize, MaxConcurrency = maxConcurrency, ListPageSize = listPageSize };
        options.Retry.MaxRetries = 1;
        options.Retry.Delay = TimeSpan.FromMilliseconds(50);
        return AzureBlobStore.FromConnectionString(Azurite.ConnectionString, "t" + Guid.NewGuid().ToString("N")[..20], options);
    }

    /// <summary>The SDK's own client on a container, for what another writer would do behind the store's back.</summary>
    public global::Azure.Storage.Blobs.BlobContainerClient Container(string name) =>
        new global::Azure.Storage.Blobs.BlobServiceClient(Azurite.ConnectionString, new AzureBlobClientOptions()).GetBlobContainerClient(name);
}

[CollectionDefinition("Azurite")]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>;
