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
    public async Task A_write_recreates_a_container_deleted_behind_the_stores_back()
    {
        await _store.WriteAsync("before", new MemoryStream([1]));
        using (var http = new HttpClient())
        {
            var uri = new Uri(fixture.Azurite.BlobEndpoint + "/" + _store.ContainerName + "?restype=container");
            var delete = new HttpRequestMessage(HttpMethod.Delete, uri);
            delete.Headers.Add("x-ms-version", StorageVersionPolicy.DefaultVersion);
            delete.Headers.Add("x-ms-date", DateTimeOffset.UtcNow.ToString("R"));
            var credential = new StorageSharedKeyCredential(StorageSharedKeyCredential.DevelopmentAccountName, StorageSharedKeyCredential.DevelopmentAccountKey);
            var headers = delete.Headers.Select(h => new KeyValuePair<string, string>(h.Key, string.Join(",", h.Value)));
            delete.Headers.TryAddWithoutValidation("Authorization", SharedKeySigner.Authorization(credential,
                SharedKeySigner.BuildStringToSign("DELETE", uri, null, headers, credential.AccountName)));
            (await http.SendAsync(delete)).StatusCode.Should().Be(System.Net.HttpStatusCode.Accepted);
        }
        (await _store.ExistsAsync("before")).Should().BeFalse();

        var data = TestData.Bytes(300_000);
        await _store.WriteAsync("after", new MemoryStream(data));          // blocks: Put Block meets ContainerNotFound
        await _store.WriteAsync("small", new MemoryStream([2]));           // Put Blob

        (await TestData.ReadAllAsync(await _store.OpenReadAsync("after"))).Should().Equal(data);
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

/// <summary>The conformance suite again with parallel ranged reads (3 chunks of 64 KiB fetched ahead), plus their own hazards.</summary>
[Collection("Azurite")]
public sealed class AzureBlobStoreParallelReadTests(AzuriteFixture fixture) : BlobStoreConformanceTests
{
    private readonly AzureBlobStore _store = fixture.NewStore(downloadConcurrency: 3);

    protected override IBlobStore Store => _store;

    [Fact]
    public async Task A_parallel_read_pinned_to_one_version_fails_clearly_if_the_blob_is_replaced_meanwhile()
    {
        // 10 chunks of 64 KiB, 3 fetched ahead: after the first few KiB the last chunks are not requested yet.
        await _store.WriteAsync("moving", new MemoryStream(TestData.Bytes(640 * 1024, seed: 1)));
        await using var reader = await _store.OpenReadAsync("moving");
        var start = new byte[1000];
        await reader.ReadExactlyAsync(start);

        await _store.WriteAsync("moving", new MemoryStream(TestData.Bytes(640 * 1024, seed: 2)));

        (await FluentActions.Invoking(() => reader.CopyToAsync(Stream.Null)).Should().ThrowAsync<BlobStoreException>())
            .Which.Message.Should().Contain("replaced while it was being read");
    }

    [Fact]
    public async Task A_reader_disposed_half_way_releases_everything_and_the_store_keeps_working()
    {
        var data = TestData.Bytes(700_000, seed: 3);
        await _store.WriteAsync("half", new MemoryStream(data));
        for (var i = 0; i < 5; i++)
        {
            await using var reader = await _store.OpenReadAsync("half");
            await reader.ReadExactlyAsync(new byte[100_000 * i + 1]);
        }
        (await TestData.ReadAllAsync(await _store.OpenReadAsync("half"))).Should().Equal(data);
    }
}

/// <summary>The optional ILogger gets one line per HTTP attempt, without queries (SAS signatures) or headers (keys).</summary>
[Collection("Azurite")]
public sealed class BlobRequestLoggingTests(AzuriteFixture fixture)
{
    [Fact]
    public async Task Each_attempt_is_logged_without_query_or_authorization()
    {
        var logger = new ListLogger();
        var options = new AzureBlobClientOptions { BlockSize = 64 * 1024 };
        var store = AzureBlobStore.FromConnectionString(fixture.Azurite.ConnectionString, "logged", options, logger);

        await store.WriteAsync("dir/x", new MemoryStream(TestData.Bytes(150_000)));
        (await store.ExistsAsync("missing")).Should().BeFalse();

        // A known-length write: the streamed Put Blob to a staging name, then the Copy Blob that publishes it.
        logger.Lines.Should().Contain(l => l.StartsWith("blob PUT /devstoreaccount1/logged/.fdtmp-") && l.Contains("-> 201"));
        logger.Lines.Should().Contain(l => l.StartsWith("blob PUT /devstoreaccount1/logged/dir/x -> 202"));
        logger.Lines.Should().Contain(l => l.StartsWith("blob HEAD /devstoreaccount1/logged/missing -> 404"));
        logger.Lines.Should().NotContain(l => l.Contains('?') || l.Contains("SharedKey") || l.Contains(StorageSharedKeyCredential.DevelopmentAccountKey));
    }

    private sealed class ListLogger : Microsoft.Extensions.Logging.ILogger
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state,
            Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Lines) Lines.Add(formatter(state, exception));
        }
    }
}
