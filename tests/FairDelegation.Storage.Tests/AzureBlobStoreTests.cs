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
        (await fixture.Container(_store.ContainerName).DeleteAsync()).Status.Should().Be(202);
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
        await fixture.Container(_store.ContainerName).GetBlobClient("foreign").UploadAsync(new BinaryData(new byte[] { 1, 2 }));

        var info = await _store.GetPropertiesAsync("foreign");
        info.Length.Should().Be(2);
        info.Sha256.Should().BeNull();
        (await TestData.ReadAllAsync(await _store.OpenReadAsync("foreign"))).Should().Equal([1, 2]);
    }

    [Fact]
    public async Task A_blob_whose_bytes_no_longer_match_its_recorded_hash_fails_on_read()
    {
        var result = await _store.WriteAsync("tampered", new MemoryStream(TestData.Bytes(100_000, seed: 4)));
        // Someone else replaces the bytes but keeps our metadata.
        var blob = fixture.Container(_store.ContainerName).GetBlobClient("tampered");
        await blob.UploadAsync(new BinaryData(TestData.Bytes(100_000, seed: 5)),
            new global::Azure.Storage.Blobs.Models.BlobUploadOptions { Metadata = new Dictionary<string, string> { ["sha256"] = result.Sha256Hex } });

        await using var reader = await _store.OpenReadAsync("tampered");
        (await FluentActions.Invoking(() => reader.CopyToAsync(Stream.Null)).Should().ThrowAsync<BlobStoreException>())
            .Which.Message.Should().Contain("damaged");
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
        logger.Lines.Should().NotContain(l => l.Contains('?') || l.Contains("SharedKey") || l.Contains(AzureBlobStore.DevelopmentAccountKey));
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
