using FairDelegation.Protocol.IO;
using FairDelegation.Protocol.Tests.Sla;

namespace FairDelegation.Protocol.Tests.IO;

public class AtomicFileTests
{
    [Fact]
    public async Task Success_replaces_the_target_and_failure_leaves_nothing_behind()
    {
        using var files = new TempFiles();
        var target = files.PathOf("out");
        await File.WriteAllTextAsync(target, "old");

        (await AtomicFile.WriteAsync(target, async s => { await s.WriteAsync("new"u8.ToArray()); return 3; })).Should().Be(3);
        (await File.ReadAllTextAsync(target)).Should().Be("new");

        await FluentActions.Awaiting(() => AtomicFile.WriteAsync<int>(target, async s =>
        {
            await s.WriteAsync(new byte[100_000]);
            throw new IOException("boom");
        })).Should().ThrowAsync<IOException>().WithMessage("boom");
        (await File.ReadAllTextAsync(target)).Should().Be("new");
        Directory.GetFiles(files.Folder).Should().ContainSingle();
    }

    [Fact]
    public async Task A_missing_folder_is_a_clear_error()
    {
        using var files = new TempFiles();
        await FluentActions.Awaiting(() => AtomicFile.WriteAsync(files.PathOf("no/such/out"), _ => Task.FromResult(0)))
            .Should().ThrowAsync<DirectoryNotFoundException>().WithMessage("*does not exist*");
    }
}
