namespace FairDelegation.Storage.Tests;

/// <summary>
/// The behaviour every <see cref="IBlobStore"/> owes its callers, run against each store (file system, Azure on
/// Azurite). Data sizes are a few hundred KiB; the Azure fixture uses 64 KiB blocks so they span many blocks.
/// </summary>
public abstract class BlobStoreConformanceTests
{
    protected abstract IBlobStore Store { get; }

    /// <summary>A size that is several blocks (and not a multiple of the block size) for the Azure store.</summary>
    private const int MultiBlockSize = 300_001;

    [Fact]
    public async Task Write_returns_length_and_sha256_and_reads_back_identically()
    {
        var data = TestData.Bytes(MultiBlockSize);
        var result = await Store.WriteAsync("work/w1", new MemoryStream(data));

        result.Name.Should().Be("work/w1");
        result.Length.Should().Be(data.Length);
        result.Sha256.Should().Equal(TestData.Sha256(data));
        (await TestData.ReadAllAsync(await Store.OpenReadAsync("work/w1"))).Should().Equal(data);
    }

    [Fact]
    public async Task Exactly_one_block_and_block_multiples_round_trip()
    {
        foreach (var size in new[] { 64 * 1024, 3 * 64 * 1024, 64 * 1024 - 1, 64 * 1024 + 1 })
        {
            var data = TestData.Bytes(size, seed: size);
            var result = await Store.WriteAsync($"sizes/{size}", new MemoryStream(data));
            result.Length.Should().Be(size);
            result.Sha256.Should().Equal(TestData.Sha256(data));
            (await TestData.ReadAllAsync(await Store.OpenReadAsync($"sizes/{size}"))).Should().Equal(data, $"size {size}");
        }
    }

    [Fact]
    public async Task Empty_blob_is_written_and_read()
    {
        var result = await Store.WriteAsync("empty", new MemoryStream());

        result.Length.Should().Be(0);
        result.Sha256.Should().Equal(TestData.Sha256([]));
        (await TestData.ReadAllAsync(await Store.OpenReadAsync("empty"))).Should().BeEmpty();
        (await Store.GetPropertiesAsync("empty")).Length.Should().Be(0);
        (await Store.ExistsAsync("empty")).Should().BeTrue();
    }

    [Fact]
    public async Task Names_with_spaces_and_unicode_work_everywhere()
    {
        const string name = "dir with space/ünïcödé – 名前 + more%20.bin";
        var data = TestData.Bytes(150_000, seed: 7);

        await Store.WriteAsync(name, new MemoryStream(data));

        (await Store.ExistsAsync(name)).Should().BeTrue();
        (await TestData.ReadAllAsync(await Store.OpenReadAsync(name))).Should().Equal(data);
        (await TestData.ReadAllAsync(await Store.OpenReadRangeAsync(name, 10, 20))).Should().Equal(data[10..30]);
        (await Store.GetPropertiesAsync(name)).Sha256.Should().Equal(TestData.Sha256(data));
        var listed = await Store.ListAsync("dir with space/ü").ToListAsync();
        listed.Select(b => b.Name).Should().Equal(name);
        (await Store.DeleteAsync(name)).Should().BeTrue();
        (await Store.ExistsAsync(name)).Should().BeFalse();
    }

    [Fact]
    public async Task Ranges_read_the_requested_window_and_are_cut_at_the_end()
    {
        var data = TestData.Bytes(MultiBlockSize, seed: 3);
        await Store.WriteAsync("ranged", new MemoryStream(data));

        (await TestData.ReadAllAsync(await Store.OpenReadRangeAsync("ranged", 0, 1))).Should().Equal(data[..1]);
        (await TestData.ReadAllAsync(await Store.OpenReadRangeAsync("ranged", 65_000, 140_000))).Should().Equal(data[65_000..205_000]);
        (await TestData.ReadAllAsync(await Store.OpenReadRangeAsync("ranged", MultiBlockSize - 10, 1000))).Should().Equal(data[^10..]);
        (await TestData.ReadAllAsync(await Store.OpenReadRangeAsync("ranged", 5, long.MaxValue))).Should().Equal(data[5..]);
        (await TestData.ReadAllAsync(await Store.OpenReadRangeAsync("ranged", MultiBlockSize, 10))).Should().BeEmpty();
        (await TestData.ReadAllAsync(await Store.OpenReadRangeAsync("ranged", MultiBlockSize + 100, 10))).Should().BeEmpty();
        (await TestData.ReadAllAsync(await Store.OpenReadRangeAsync("ranged", 17, 0))).Should().BeEmpty();
        await Store.Invoking(s => s.OpenReadRangeAsync("ranged", -1, 5)).Should().ThrowAsync<ArgumentOutOfRangeException>();
    }

    [Fact]
    public async Task Properties_carry_length_write_time_hash_and_creation_time()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);
        var data = TestData.Bytes(100_000, seed: 4);
        await Store.WriteAsync("props", new MemoryStream(data));

        var info = await Store.GetPropertiesAsync("props");

        info.Name.Should().Be("props");
        info.Length.Should().Be(data.Length);
        info.Sha256.Should().Equal(TestData.Sha256(data));
        info.Sha256Hex.Should().Be(Convert.ToHexStringLower(TestData.Sha256(data)));
        info.CreatedOn.Should().BeAfter(before).And.BeBefore(DateTimeOffset.UtcNow.AddSeconds(5));
    }

    [Fact]
    public async Task A_missing_blob_is_a_typed_not_found_everywhere_it_is_read()
    {
        await Store.WriteAsync("present", new MemoryStream([1, 2, 3]));

        (await Store.Invoking(s => s.OpenReadAsync("absent/blob")).Should().ThrowAsync<BlobNotFoundException>())
            .Which.BlobName.Should().Be("absent/blob");
        await Store.Invoking(s => s.OpenReadRangeAsync("absent", 0, 10)).Should().ThrowAsync<BlobNotFoundException>();
        await Store.Invoking(s => s.OpenReadRangeAsync("absent", 0, 0)).Should().ThrowAsync<BlobNotFoundException>();
        await Store.Invoking(s => s.GetPropertiesAsync("absent")).Should().ThrowAsync<BlobNotFoundException>();
        (await Store.ExistsAsync("absent")).Should().BeFalse();
        (await Store.DeleteAsync("absent")).Should().BeFalse();
    }

    [Fact]
    public async Task A_prefix_of_other_blobs_is_not_itself_a_blob()
    {
        await Store.WriteAsync("folder/inner", new MemoryStream([1]));

        (await Store.ExistsAsync("folder")).Should().BeFalse();
        await Store.Invoking(s => s.OpenReadAsync("folder")).Should().ThrowAsync<BlobNotFoundException>();
        await Store.Invoking(s => s.GetPropertiesAsync("folder")).Should().ThrowAsync<BlobNotFoundException>();
        (await Store.DeleteAsync("folder")).Should().BeFalse();
        (await Store.ExistsAsync("folder/inner")).Should().BeTrue();
    }

    [Fact]
    public async Task Delete_removes_the_blob()
    {
        await Store.WriteAsync("gone", new MemoryStream([9]));

        (await Store.DeleteAsync("gone")).Should().BeTrue();

        (await Store.ExistsAsync("gone")).Should().BeFalse();
        await Store.Invoking(s => s.OpenReadAsync("gone")).Should().ThrowAsync<BlobNotFoundException>();
        (await Store.DeleteAsync("gone")).Should().BeFalse();
    }

    [Fact]
    public async Task Overwrite_replaces_the_whole_blob()
    {
        await Store.WriteAsync("over", new MemoryStream(TestData.Bytes(MultiBlockSize, seed: 5)));
        var second = TestData.Bytes(1000, seed: 6);

        var result = await Store.WriteAsync("over", new MemoryStream(second));

        (await TestData.ReadAllAsync(await Store.OpenReadAsync("over"))).Should().Equal(second);
        (await Store.GetPropertiesAsync("over")).Sha256.Should().Equal(result.Sha256);
    }

    [Fact]
    public async Task List_returns_exactly_the_names_under_a_prefix_in_order_across_pages()
    {
        string[] names = ["p/a/1", "p/a/2", "p/ab", "p/b/1", "p/a/deep/3", "q/a/1", "pa"];
        foreach (var n in names) await Store.WriteAsync(n, new MemoryStream(TestData.Bytes(10 + n.Length, seed: n.Length)));

        (await Store.ListAsync("p/a").Select(b => b.Name).ToListAsync())
            .Should().Equal("p/a/1", "p/a/2", "p/a/deep/3", "p/ab");
        (await Store.ListAsync("p/a/").Select(b => b.Name).ToListAsync())
            .Should().Equal("p/a/1", "p/a/2", "p/a/deep/3");
        (await Store.ListAsync("p/").Select(b => b.Name).ToListAsync()).Should().HaveCount(5);
        (await Store.ListAsync("").Select(b => b.Name).ToListAsync()).Should().Equal(names.Order(StringComparer.Ordinal));
        (await Store.ListAsync("nothing/").ToListAsync()).Should().BeEmpty();

        var item = (await Store.ListAsync("p/ab").ToListAsync()).Single();
        item.Length.Should().Be(14);
        item.Sha256.Should().Equal(TestData.Sha256(TestData.Bytes(14, seed: 4)));
    }

    [Fact]
    public async Task A_write_is_invisible_until_complete_and_a_failed_write_leaves_nothing()
    {
        var data = TestData.Bytes(MultiBlockSize, seed: 8);
        var paused = new TaskCompletionSource();
        var resume = new TaskCompletionSource();
        var write = Task.Run(() => Store.WriteAsync("atomic/blob", new ScriptedStream(data, 200_000, async () =>
        {
            paused.SetResult();
            await resume.Task;
        })));
        await paused.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // Half written: no reader, lister or existence check may see it.
        (await Store.ExistsAsync("atomic/blob")).Should().BeFalse();
        (await Store.ListAsync("atomic").ToListAsync()).Should().BeEmpty();
        await Store.Invoking(s => s.OpenReadAsync("atomic/blob")).Should().ThrowAsync<BlobNotFoundException>();

        resume.SetResult();
        await write;
        (await TestData.ReadAllAsync(await Store.OpenReadAsync("atomic/blob"))).Should().Equal(data);

        // A source that fails half way: the error surfaces, no blob appears (and the previous content, if any, stays).
        var failing = new ScriptedStream(TestData.Bytes(MultiBlockSize, seed: 9), 150_000, () => throw new IOException("source broke"));
        (await Store.Invoking(s => s.WriteAsync("atomic/blob", failing)).Should().ThrowAsync<IOException>())
            .WithMessage("source broke");
        var failingNew = new ScriptedStream(TestData.Bytes(MultiBlockSize, seed: 9), 150_000, () => throw new IOException("source broke"));
        await Store.Invoking(s => s.WriteAsync("atomic/other", failingNew)).Should().ThrowAsync<IOException>();

        (await TestData.ReadAllAsync(await Store.OpenReadAsync("atomic/blob"))).Should().Equal(data);
        (await Store.ExistsAsync("atomic/other")).Should().BeFalse();
        (await Store.ListAsync("atomic").Select(b => b.Name).ToListAsync()).Should().Equal("atomic/blob");
    }

    [Fact]
    public async Task A_cancelled_write_throws_and_leaves_nothing()
    {
        using var cts = new CancellationTokenSource();
        var source = new ScriptedStream(TestData.Bytes(MultiBlockSize, seed: 10), 100_000, () =>
        {
            cts.Cancel();
            return Task.CompletedTask;
        });

        await Store.Invoking(s => s.WriteAsync("cancelled", source, cts.Token)).Should().ThrowAsync<OperationCanceledException>();

        (await Store.ExistsAsync("cancelled")).Should().BeFalse();
    }

    [Fact]
    public async Task Known_and_unknown_length_sources_round_trip_with_length_and_hash_in_the_properties()
    {
        foreach (var size in new[] { 0, 1000, 64 * 1024, MultiBlockSize })
        {
            var data = TestData.Bytes(size, seed: size + 11);
            var sources = new (string Kind, Func<Task<BlobWriteResult>> Write)[]
            {
                ("seekable", () => Store.WriteAsync($"src/{size}/seekable", new MemoryStream(data))),
                ("declared", () => Store.WriteAsync($"src/{size}/declared", new NonSeekableStream(new MemoryStream(data)), size)),
                ("unknown", () => Store.WriteAsync($"src/{size}/unknown", new NonSeekableStream(new MemoryStream(data)))),
            };
            foreach (var (kind, write) in sources)
            {
                var result = await write();
                result.Length.Should().Be(size, $"{kind} {size}");
                result.Sha256.Should().Equal(TestData.Sha256(data), $"{kind} {size}");
                var info = await Store.GetPropertiesAsync($"src/{size}/{kind}");
                info.Length.Should().Be(size, $"{kind} {size}");
                info.Sha256.Should().Equal(TestData.Sha256(data), $"{kind} {size}");
                (await TestData.ReadAllAsync(await Store.OpenReadAsync($"src/{size}/{kind}"))).Should().Equal(data, $"{kind} {size}");
            }
        }
    }

    [Fact]
    public async Task A_seekable_stream_is_written_from_its_current_position()
    {
        var data = TestData.Bytes(MultiBlockSize, seed: 12);
        var source = new MemoryStream(data) { Position = 70_001 };

        var result = await Store.WriteAsync("positioned", source);

        result.Length.Should().Be(MultiBlockSize - 70_001);
        result.Sha256.Should().Equal(TestData.Sha256(data[70_001..]));
        (await Store.GetPropertiesAsync("positioned")).Length.Should().Be(MultiBlockSize - 70_001);
        (await TestData.ReadAllAsync(await Store.OpenReadAsync("positioned"))).Should().Equal(data[70_001..]);
        source.Position.Should().Be(data.Length);
    }

    [Fact]
    public async Task A_source_shorter_or_longer_than_it_declares_is_a_clear_error_and_leaves_nothing()
    {
        var data = TestData.Bytes(MultiBlockSize, seed: 13);
        await Store.WriteAsync("lie/kept", new MemoryStream(data));
        var cases = new (string Name, Func<Task> Write, string Message)[]
        {
            ("Length longer than the data", () => Store.WriteAsync("lie/long", new LyingLengthStream(data, data.Length + 100)), "*ended after 300001 of the 300101 bytes*"),
            ("Length shorter than the data", () => Store.WriteAsync("lie/short", new LyingLengthStream(data, data.Length - 100)), "*holds more than the 299901 bytes*"),
            ("small, Length longer", () => Store.WriteAsync("lie/small", new LyingLengthStream(data[..100], 1000)), "*ended after 100 of the 1000 bytes*"),
            ("declared more", () => Store.WriteAsync("lie/declared-more", new NonSeekableStream(new MemoryStream(data)), data.Length + 1), "*ended after*"),
            ("declared less", () => Store.WriteAsync("lie/declared-less", new NonSeekableStream(new MemoryStream(data)), 100_000), "*holds more than the 100000 bytes*"),
            ("replacing, Length longer", () => Store.WriteAsync("lie/kept", new LyingLengthStream(data[..200_000], 250_000)), "*ended after 200000 of the 250000*"),
        };
        foreach (var (what, write, message) in cases)
        {
            var error = (await FluentActions.Invoking(write).Should().ThrowAsync<BlobSourceLengthException>(what)).Which;
            error.Message.Should().Match(message, what).And.Contain("nothing was written");
        }

        (await Store.ListAsync("lie/").Select(b => b.Name).ToListAsync()).Should().Equal("lie/kept");
        (await TestData.ReadAllAsync(await Store.OpenReadAsync("lie/kept"))).Should().Equal(data);
        await Store.Invoking(s => s.WriteAsync("lie/negative", new MemoryStream(data), -1)).Should().ThrowAsync<ArgumentOutOfRangeException>();
    }

    [Fact]
    public async Task A_known_length_write_is_invisible_until_complete_and_a_failed_one_leaves_nothing()
    {
        var data = TestData.Bytes(MultiBlockSize, seed: 14);
        var paused = new TaskCompletionSource();
        var resume = new TaskCompletionSource();
        var write = Task.Run(() => Store.WriteAsync("known/blob", new ScriptedStream(data, 200_000, async () =>
        {
            paused.SetResult();
            await resume.Task;
        }, seekable: true)));
        await paused.Task.WaitAsync(TimeSpan.FromSeconds(30));

        (await Store.ExistsAsync("known/blob")).Should().BeFalse();
        (await Store.ListAsync("").ToListAsync()).Should().BeEmpty();
        await Store.Invoking(s => s.OpenReadAsync("known/blob")).Should().ThrowAsync<BlobNotFoundException>();

        resume.SetResult();
        (await write).Sha256.Should().Equal(TestData.Sha256(data));
        (await TestData.ReadAllAsync(await Store.OpenReadAsync("known/blob"))).Should().Equal(data);

        // A seekable source that fails half way: its own error surfaces (not retried), no blob, the old content stays.
        var failing = new ScriptedStream(TestData.Bytes(MultiBlockSize, seed: 15), 150_000, () => throw new IOException("source broke"), seekable: true);
        (await Store.Invoking(s => s.WriteAsync("known/blob", failing)).Should().ThrowAsync<IOException>()).WithMessage("source broke");
        var failingNew = new ScriptedStream(TestData.Bytes(MultiBlockSize, seed: 15), 150_000, () => throw new IOException("source broke"));
        (await Store.Invoking(s => s.WriteAsync("known/other", failingNew, MultiBlockSize)).Should().ThrowAsync<IOException>()).WithMessage("source broke");

        using var cts = new CancellationTokenSource();
        var cancelling = new ScriptedStream(TestData.Bytes(MultiBlockSize, seed: 16), 100_000, () =>
        {
            cts.Cancel();
            return Task.CompletedTask;
        }, seekable: true);
        await Store.Invoking(s => s.WriteAsync("known/cancelled", cancelling, cts.Token)).Should().ThrowAsync<OperationCanceledException>();

        (await TestData.ReadAllAsync(await Store.OpenReadAsync("known/blob"))).Should().Equal(data);
        (await Store.ListAsync("").Select(b => b.Name).ToListAsync()).Should().Equal("known/blob");
    }

    [Theory]
    [InlineData("")]
    [InlineData("/absolute")]
    [InlineData("../escape")]
    [InlineData("a/../../escape")]
    [InlineData("a/./b")]
    [InlineData("a//b")]
    [InlineData("trailing/")]
    [InlineData("back\\slash")]
    [InlineData("ends.")]
    [InlineData("ctl\u0001char")]
    [InlineData("what?")]
    [InlineData("x/.fdtmp-reserved")]
    public async Task Invalid_names_are_rejected_with_a_clear_error(string name)
    {
        (await Store.Invoking(s => s.WriteAsync(name, new MemoryStream([1]))).Should().ThrowAsync<InvalidBlobNameException>())
            .Which.Message.Should().Contain("invalid blob name");
        await Store.Invoking(s => s.OpenReadAsync(name)).Should().ThrowAsync<InvalidBlobNameException>();
        await Store.Invoking(s => s.ExistsAsync(name)).Should().ThrowAsync<InvalidBlobNameException>();
        await Store.Invoking(s => s.DeleteAsync(name)).Should().ThrowAsync<InvalidBlobNameException>();
    }

    [Fact]
    public async Task A_list_prefix_cannot_escape_the_store()
    {
        await Store.Invoking(s => s.ListAsync("../").ToListAsync().AsTask()).Should().ThrowAsync<InvalidBlobNameException>();
        await Store.Invoking(s => s.ListAsync("/etc").ToListAsync().AsTask()).Should().ThrowAsync<InvalidBlobNameException>();
    }
}
