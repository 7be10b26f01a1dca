using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using FairDelegation.Storage.Azure;

namespace FairDelegation.Storage.Tests;

/// <summary>
/// Which write path the Azure store takes, seen from the service (through the SDK's own clients): a known-length write
/// is one Put Blob to a staging blob plus a Copy Blob (no blocks, no staging blob left), an unknown-length one is the
/// SDK's block upload to a staging blob plus the same Copy Blob; a small one is a single Put Blob.
/// </summary>
[Collection("Azurite")]
public sealed class StagedUploadTests(AzuriteFixture fixture)
{
    private readonly AzureBlobStore _store = fixture.NewStore();

    [Fact]
    public async Task A_known_length_write_is_one_streamed_put_and_leaves_no_staging_blob_an_unknown_one_is_blocks()
    {
        var data = TestData.Bytes(300_001, seed: 21);
        await _store.WriteAsync("known", new MemoryStream(data));
        await _store.WriteAsync("declared", new NonSeekableStream(new MemoryStream(data)), data.Length);
        await _store.WriteAsync("unknown", new NonSeekableStream(new MemoryStream(data)));

        (await CommittedBlockCountAsync("known")).Should().Be(0, "a single Put Blob has no block list");
        (await CommittedBlockCountAsync("declared")).Should().Be(0);
        foreach (var name in new[] { "known", "declared", "unknown" })
            (await RawHeadAsync(name)).CopyId.Should().NotBeNullOrEmpty("a staged write is published by Copy Blob");
        (await RawListAsync()).Should().BeEquivalentTo("known", "declared", "unknown");
        foreach (var name in new[] { "known", "declared", "unknown" })
            (await _store.GetPropertiesAsync(name)).Sha256.Should().Equal(TestData.Sha256(data));
    }

    [Fact]
    public async Task A_small_write_of_any_kind_is_one_put_blob_with_its_sha256_no_copy_no_staging_blob_no_blocks()
    {
        // Smaller than one block (64 KiB in these tests): the size of most of a delegation's blobs.
        var data = TestData.Bytes(4096, seed: 25);
        await _store.WriteAsync("small-known", new MemoryStream(data));
        await _store.WriteAsync("small-declared", new NonSeekableStream(new MemoryStream(data)), data.Length);
        await _store.WriteAsync("small-empty", new MemoryStream([]));

        (await RawListAsync()).Should().BeEquivalentTo("small-known", "small-declared", "small-empty");
        foreach (var (name, content) in new[] { ("small-known", data), ("small-declared", data), ("small-empty", Array.Empty<byte>()) })
        {
            (await CommittedBlockCountAsync(name)).Should().Be(0, $"{name} is a single Put Blob, no block list");
            var properties = await RawHeadAsync(name);
            properties.CopyId.Should().BeNullOrEmpty($"{name} was not published by a Copy Blob");
            properties.Metadata["sha256"].Should().Be(Convert.ToHexStringLower(TestData.Sha256(content)));
#pragma warning disable CA5351 // the service's transport checksum
            properties.ContentHash.Should().Equal(System.Security.Cryptography.MD5.HashData(content), "the Put Blob carried Content-MD5");
#pragma warning restore CA5351
            (await TestData.ReadAllAsync(await _store.OpenReadAsync(name))).Should().Equal(content);
        }
    }

    [Fact]
    public async Task A_small_source_of_the_wrong_length_writes_nothing()
    {
        var data = TestData.Bytes(4096, seed: 26);
        await _store.Invoking(s => s.WriteAsync("short", new NonSeekableStream(new MemoryStream(data)), 5000))
            .Should().ThrowAsync<BlobSourceLengthException>().Where(e => e.Declared == 5000 && e.Actual == 4096);
        await _store.Invoking(s => s.WriteAsync("long", new NonSeekableStream(new MemoryStream(data)), 4000))
            .Should().ThrowAsync<BlobSourceLengthException>().Where(e => e.Declared == 4000);

        (await RawListAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task Staging_is_switched_off_by_the_option()
    {
        var options = new AzureBlobClientOptions { BlockSize = 64 * 1024, StagedUpload = false };
        var store = AzureBlobStore.FromConnectionString(fixture.Azurite.ConnectionString, _store.ContainerName, options);
        var data = TestData.Bytes(200_000, seed: 22);

        (await store.WriteAsync("blocks", new MemoryStream(data))).Sha256.Should().Equal(TestData.Sha256(data));

        (await TestData.ReadAllAsync(await store.OpenReadAsync("blocks"))).Should().Equal(data);
        await store.Invoking(s => s.WriteAsync("short", new LyingLengthStream(data, 300_000))).Should().ThrowAsync<BlobSourceLengthException>();
        (await store.ExistsAsync("short")).Should().BeFalse();
    }

    [Fact]
    public async Task A_staging_blob_left_by_a_crashed_writer_is_never_listed()
    {
        await _store.WriteAsync("real", new MemoryStream([1, 2, 3]));
        await RawPutAsync(".fdtmp-0123456789abcdef0123456789abcdef", [4, 5]);
        await RawPutAsync("dir/.fdtmp-0123", [6]);

        (await RawListAsync()).Should().HaveCount(3);
        (await _store.ListAsync().Select(b => b.Name).ToListAsync()).Should().Equal("real");
        (await _store.ListAsync("dir/").ToListAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task A_source_longer_than_declared_leaves_neither_the_blob_nor_its_staging_blob()
    {
        var data = TestData.Bytes(300_000, seed: 23);

        await _store.Invoking(s => s.WriteAsync("cut", new NonSeekableStream(new MemoryStream(data)), 200_000))
            .Should().ThrowAsync<BlobSourceLengthException>();

        (await RawListAsync()).Should().BeEmpty();
    }

    private global::Azure.Storage.Blobs.BlobContainerClient Container => fixture.Container(_store.ContainerName);

    private async Task<int> CommittedBlockCountAsync(string name)
    {
        var list = await Container.GetBlockBlobClient(name).GetBlockListAsync(BlockListTypes.Committed);
        return list.Value.CommittedBlocks.Count();
    }

    /// <summary>The blob's properties as the service reports them (Get Blob Properties).</summary>
    private async Task<BlobProperties> RawHeadAsync(string name) => (await Container.GetBlobClient(name).GetPropertiesAsync()).Value;

    /// <summary>Every blob name in the container as the service lists it (staging blobs included).</summary>
    private async Task<List<string>> RawListAsync() =>
        await Container.ExistsAsync() ? await Container.GetBlobsAsync().Select(b => b.Name).ToListAsync() : [];

    private async Task RawPutAsync(string rawName, byte[] data) =>
        await Container.GetBlobClient(rawName).UploadAsync(new BinaryData(data));
}
