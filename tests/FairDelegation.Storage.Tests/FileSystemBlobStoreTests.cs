using FairDelegation.Storage.FileSystem;

namespace FairDelegation.Storage.Tests;

/// <summary>The conformance suite on the file system store, plus what is particular to files.</summary>
public sealed class FileSystemBlobStoreTests : BlobStoreConformanceTests, IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("fd-blobs-").FullName;
    private readonly FileSystemBlobStore _store;

    public FileSystemBlobStoreTests() => _store = new FileSystemBlobStore(_root);

    protected override IBlobStore Store => _store;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Temporary_files_are_cleaned_up_after_a_failed_write_and_never_listed()
    {
        var failing = new ScriptedStream(TestData.Bytes(50_000), 20_000, () => throw new IOException("source broke"));
        await _store.Invoking(s => s.WriteAsync("dir/x", failing)).Should().ThrowAsync<IOException>();

        Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories).Should().BeEmpty();

        // A temporary file left by a crash (the process died between write and rename) stays invisible.
        File.WriteAllBytes(Path.Combine(_root, "dir", ".fdtmp-0123"), [1, 2, 3]);
        (await _store.ListAsync().ToListAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task A_damaged_file_is_reported_not_served()
    {
        await _store.WriteAsync("bad", new MemoryStream(TestData.Bytes(1000)));
        await using (var f = File.OpenWrite(Path.Combine(_root, "bad"))) f.SetLength(500);

        await _store.Invoking(s => s.OpenReadAsync("bad")).Should().ThrowAsync<BlobStoreException>().WithMessage("*damaged*");
    }

    [Fact]
    public void An_empty_root_is_a_clear_error() =>
        FluentActions.Invoking(() => new FileSystemBlobStore(" ")).Should().Throw<ArgumentException>().WithMessage("*directory*");
}
