using FairDelegation.Storage.Azure;

namespace FairDelegation.Storage.Tests;

/// <summary>The conformance suite on the Azure store against a real Azurite (64 KiB blocks, 2-item list pages).</summary>
[Collection("Azurite")]
public sealed class AzureBlobStoreTests(AzuriteFixture fixture) : BlobStoreConformanceTests
{
    private readonly AzureBlobStore _store = fixture.NewStore();

    protected override IBlobStore Store => _store;

    [Fact]
    public async Task The_container_is_created_idempotently()
    {
        await _store.EnsureContainerAsync();
        var twin = AzureBlobStore.FromConnectionString(fixture.Azurite.ConnectionString, _store.ContainerName);
        await twin.EnsureContainerAsync();

        await _store.WriteAsync("x", new MemoryStream([1]));
        (await twin.ExistsAsync("x")).Should().BeTrue();
    }

    [Fact]
    public async Task Reading_a_container_that_does_not_exist_is_not_found_and_lists_empty()
    {
        var store = fixture.NewStore();

        await store.Invoking(s => s.OpenReadAsync("x")).Should().ThrowAsync<BlobNotFoundException>().WithMessage("*ContainerNotFound*");
        (await store.ListAsync().ToListAsync()).Should().BeEmpty();
        (await store.ExistsAsync("x")).Should().BeFalse();
    }

    [Fact]
    public async Task The_hash_is_kept_in_metadata_and_an_unhashed_blob_reports_null()
    {
        var result = await _store.WriteAsync("hashed", new MemoryStream(TestData.Bytes(200_000)));
        (await _store.GetPropertiesAsync("hashed")).Sha256Hex.Should().Be(result.Sha256Hex);

        // A blob written by another client without our metadata: the store does not invent a hash.
        using var http = new HttpClient();
        var put = new HttpRequestMessage(HttpMethod.Put, _store.GetBlobUri("foreign")) { Content = new ByteArrayContent([1, 2]) };
        put.Headers.Add("x-ms-blob-type", "BlockBlob");
        put.Headers.Add("x-ms-version", StorageVersionPolicy.DefaultVersion);
        put.Headers.Add("x-ms-date", DateTimeOffset.UtcNow.ToString("R"));
        var credential = new StorageSharedKeyCredential(StorageSharedKeyCredential.DevelopmentAccountName, StorageSharedKeyCredential.DevelopmentAccountKey);
        var headers = put.Headers.Select(h => new KeyValuePair<string, string>(h.Key, string.Join(",", h.Value)));
        put.Headers.TryAddWithoutValidation("Authorization", SharedKeySigner.Authorization(credential,
            SharedKeySigner.BuildStringToSign("PUT", put.RequestUri!, 2, headers, credential.AccountName)));
        (await http.SendAsync(put)).EnsureSuccessStatusCode();

        var info = await _store.GetPropertiesAsync("foreign");
        info.Length.Should().Be(2);
        info.Sha256.Should().BeNull();
    }
}
