using FairDelegation.Storage.Azure;
using FairDelegation.Testing;

namespace FairDelegation.Storage.Tests;

/// <summary>Azurite crashes (SIGKILL) in the middle of a block upload: the error surfaces, nothing is committed, a retry after restart succeeds.</summary>
public sealed class UploadFaultTests
{
    /// <param name="knownLength">true: a seekable source (one streamed Put Blob to a staging blob, then Copy Blob); false: blocks.</param>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Killing_azurite_mid_upload_fails_the_write_commits_nothing_and_a_retry_after_restart_succeeds(bool knownLength)
    {
        await using var azurite = await AzuriteProcess.StartAsync();
        var options = new AzureBlobClientOptions { BlockSize = 64 * 1024, MaxConcurrency = 2 };
        options.Retry.MaxRetries = 1;
        options.Retry.Delay = TimeSpan.FromMilliseconds(50);
        var store = AzureBlobStore.FromConnectionString(azurite.ConnectionString, "fault", options);
        var data = TestData.Bytes(1_000_000);

        var crashing = new ScriptedStream(data, 400_000, () =>
        {
            azurite.Kill();
            return Task.CompletedTask;
        }, seekable: knownLength);
        var error = (await store.Invoking(s => s.WriteAsync("work/big", crashing)).Should().ThrowAsync<BlobStoreException>()).Which;
        error.Message.Should().Contain("work/big").And.Contain("network failure");
        azurite.IsRunning.Should().BeFalse();

        await azurite.RestartAsync();

        (await store.ExistsAsync("work/big")).Should().BeFalse();
        (await store.ListAsync("work/").ToListAsync()).Should().BeEmpty();
        var result = await store.WriteAsync("work/big", new MemoryStream(data));
        result.Sha256.Should().Equal(TestData.Sha256(data));
        (await TestData.ReadAllAsync(await store.OpenReadAsync("work/big"))).Should().Equal(data);
    }
}
