using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;

namespace FairDelegation.Cli.Tests;

/// <summary>The one multi-GiB round trip: 3 GiB through `work encrypt`, `work hash` and `work decrypt` as real processes.</summary>
[Collection(nameof(LargeWorkCollection))]
public sealed class LargeWorkTests : IDisposable
{
    private const long Size = 3L << 30;
    private readonly string _dir = Directory.CreateTempSubdirectory("fd-cli-large-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task Three_GiB_round_trip()
    {
        using var keys = JsonDocument.Parse((await Cli.RunAsync("keys", "new")).EnsureSuccess().StdOut);
        var sk = keys.RootElement.GetProperty("privateKey").GetString()!;
        var pk = keys.RootElement.GetProperty("publicKey").GetString()!;
        var input = Path.Combine(_dir, "w");
        var encrypted = Path.Combine(_dir, "w.enc");
        var output = Path.Combine(_dir, "w.out");

        var plaintextHash = WritePseudoRandom(input, Size);
        var sw = Stopwatch.StartNew();
        var printed = (await Cli.RunAsync("work", "encrypt", "--to", pk, "--in", input, "--out", encrypted)).EnsureSuccess().StdOut.Trim();
        var encryptTime = sw.Elapsed;
        File.Delete(input); // keep the disk footprint to two copies
        new FileInfo(encrypted).Length.Should().Be(Protocol.Encryption.WorkEncryptionFormat.CiphertextLength(Size));
        (await Cli.RunAsync("work", "hash", encrypted)).EnsureSuccess().StdOut.Trim().Should().Be(printed);

        sw.Restart();
        (await Cli.RunAsync("work", "decrypt", "--key", sk, "--in", encrypted, "--out", output)).EnsureSuccess();
        var decryptTime = sw.Elapsed;
        File.Delete(encrypted);
        HashFile(output).Should().Equal(plaintextHash);
        Console.WriteLine($"3 GiB: encrypt+hash {encryptTime.TotalSeconds:0.0} s, decrypt {decryptTime.TotalSeconds:0.0} s");
    }

    /// <summary>Streams pseudo-random data (a random 4 MiB block, each copy stamped with its index) and returns its SHA-256.</summary>
    private static byte[] WritePseudoRandom(string path, long size)
    {
        var block = RandomNumberGenerator.GetBytes(4 << 20);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var f = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
        for (long written = 0, i = 0; written < size; i++)
        {
            BitConverter.TryWriteBytes(block.AsSpan(0, 8), i);
            var n = (int)Math.Min(block.Length, size - written);
            f.Write(block, 0, n);
            hash.AppendData(block, 0, n);
            written += n;
        }
        return hash.GetHashAndReset();
    }

    private static byte[] HashFile(string path)
    {
        using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        return SHA256.HashData(f);
    }
}

/// <summary>The large round trip runs alone: it would otherwise compete with the other CLI tests for the two cores and the disk.</summary>
[CollectionDefinition(nameof(LargeWorkCollection), DisableParallelization = true)]
public sealed class LargeWorkCollection;
