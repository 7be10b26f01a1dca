using System.Security.Cryptography;
using System.Text.Json;
using FairDelegation.Protocol.Encryption;

namespace FairDelegation.Cli.Tests;

public sealed class WorkCommandTests : IDisposable
{
    private const int Segment = WorkEncryptionFormat.DefaultSegmentSize;
    private readonly string _dir = Directory.CreateTempSubdirectory("fd-cli-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private string PathOf(string name) => Path.Combine(_dir, name);

    private static async Task<(string PrivateKey, string PublicKey)> NewKeys()
    {
        using var doc = JsonDocument.Parse((await Cli.RunAsync("keys", "new")).EnsureSuccess().StdOut);
        return (doc.RootElement.GetProperty("privateKey").GetString()!, doc.RootElement.GetProperty("publicKey").GetString()!);
    }

    /// <summary>Only the expected files exist in the folder (no temp or partial output left behind).</summary>
    private void FolderShouldHoldOnly(params string[] names) =>
        Directory.GetFiles(_dir).Select(Path.GetFileName).Should().BeEquivalentTo(names);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(Segment)]
    [InlineData(3 * Segment)]
    [InlineData(3 * 1024 * 1024 + 17)]
    public async Task Encrypt_hash_decrypt_round_trip(int length)
    {
        var (sk, pk) = await NewKeys();
        var plaintext = RandomNumberGenerator.GetBytes(length);
        await File.WriteAllBytesAsync(PathOf("w"), plaintext);

        var enc = (await Cli.RunAsync("work", "encrypt", "--to", pk, "--in", PathOf("w"), "--out", PathOf("w.enc"))).EnsureSuccess();
        var printed = enc.StdOut.Trim();
        printed.Should().Be("0x" + Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(PathOf("w.enc")))));
        new FileInfo(PathOf("w.enc")).Length.Should().Be(WorkEncryptionFormat.CiphertextLength(length));

        (await Cli.RunAsync("work", "hash", PathOf("w.enc"))).EnsureSuccess().StdOut.Trim().Should().Be(printed);

        (await Cli.RunAsync("work", "decrypt", "--key", sk, "--in", PathOf("w.enc"), "--out", PathOf("w.out"))).EnsureSuccess();
        (await File.ReadAllBytesAsync(PathOf("w.out"))).Should().Equal(plaintext);
        FolderShouldHoldOnly("w", "w.enc", "w.out");
    }

    [Fact]
    public async Task Wrong_key_fails_cleanly_with_no_output()
    {
        var (_, pk) = await NewKeys();
        var (otherSk, _) = await NewKeys();
        await File.WriteAllBytesAsync(PathOf("w"), RandomNumberGenerator.GetBytes(1000));
        (await Cli.RunAsync("work", "encrypt", "--to", pk, "--in", PathOf("w"), "--out", PathOf("w.enc"))).EnsureSuccess();

        var r = await Cli.RunAsync("work", "decrypt", "--key", otherSk, "--in", PathOf("w.enc"), "--out", PathOf("w.out"));
        r.ExitCode.Should().NotBe(0);
        r.StdErr.Should().StartWith("error: ").And.Contain("does not decrypt");
        r.StdErr.Trim().Split('\n').Should().HaveCount(1);
        r.StdErr.Should().NotContain(otherSk[2..]);
        FolderShouldHoldOnly("w", "w.enc");
    }

    [Fact]
    public async Task Corrupted_ciphertext_after_the_first_segments_leaves_no_partial_output()
    {
        var (sk, pk) = await NewKeys();
        await File.WriteAllBytesAsync(PathOf("w"), RandomNumberGenerator.GetBytes(5 * Segment));
        (await Cli.RunAsync("work", "encrypt", "--to", pk, "--in", PathOf("w"), "--out", PathOf("w.enc"))).EnsureSuccess();
        var bytes = await File.ReadAllBytesAsync(PathOf("w.enc"));
        bytes[^100] ^= 0x40; // in the last segment: four segments decrypt fine before the failure
        await File.WriteAllBytesAsync(PathOf("w.enc"), bytes);

        var r = await Cli.RunAsync("work", "decrypt", "--key", sk, "--in", PathOf("w.enc"), "--out", PathOf("w.out"));
        r.ExitCode.Should().NotBe(0);
        r.StdErr.Should().Contain("corrupted");
        FolderShouldHoldOnly("w", "w.enc");

        await File.WriteAllBytesAsync(PathOf("w.enc"), bytes[..^(Segment / 2)]);
        r = await Cli.RunAsync("work", "decrypt", "--key", sk, "--in", PathOf("w.enc"), "--out", PathOf("w.out"));
        r.ExitCode.Should().NotBe(0);
        FolderShouldHoldOnly("w", "w.enc");
    }

    [Fact]
    public async Task A_failed_decrypt_does_not_clobber_an_existing_output_file()
    {
        var (sk, _) = await NewKeys();
        await File.WriteAllTextAsync(PathOf("w.out"), "precious");
        await File.WriteAllTextAsync(PathOf("w.enc"), "not encrypted at all");
        var r = await Cli.RunAsync("work", "decrypt", "--key", sk, "--in", PathOf("w.enc"), "--out", PathOf("w.out"));
        r.ExitCode.Should().NotBe(0);
        r.StdErr.Should().Contain("not an encrypted work");
        (await File.ReadAllTextAsync(PathOf("w.out"))).Should().Be("precious");
        FolderShouldHoldOnly("w.out", "w.enc");
    }

    [Theory]
    [InlineData("encrypt", "--to", "0x1234", "public key")]
    [InlineData("encrypt", "--to", "0x" + "00", "public key")]
    [InlineData("decrypt", "--key", "0xnothex", "private key")]
    [InlineData("decrypt", "--key", "0x0000000000000000000000000000000000000000000000000000000000000000", "private key")]
    public async Task Malformed_keys_are_reported_without_output(string verb, string option, string value, string message)
    {
        await File.WriteAllBytesAsync(PathOf("w"), [1, 2, 3]);
        var r = await Cli.RunAsync("work", verb, option, value, "--in", PathOf("w"), "--out", PathOf("w.x"));
        r.ExitCode.Should().NotBe(0);
        r.StdErr.Should().StartWith("error: ").And.Contain(message);
        FolderShouldHoldOnly("w");
    }

    [Fact]
    public async Task Missing_input_files_are_reported_without_output()
    {
        var (sk, pk) = await NewKeys();
        var enc = await Cli.RunAsync("work", "encrypt", "--to", pk, "--in", PathOf("absent"), "--out", PathOf("w.enc"));
        enc.ExitCode.Should().NotBe(0);
        enc.StdErr.Should().Contain("input file not found");
        var dec = await Cli.RunAsync("work", "decrypt", "--key", sk, "--in", PathOf("absent"), "--out", PathOf("w"));
        dec.ExitCode.Should().NotBe(0);
        dec.StdErr.Should().Contain("input file not found");
        var hash = await Cli.RunAsync("work", "hash", PathOf("absent"));
        hash.ExitCode.Should().NotBe(0);
        hash.StdErr.Should().Contain("input file not found");
        var missingOption = await Cli.RunAsync("work", "encrypt", "--in", PathOf("absent"), "--out", PathOf("w.enc"));
        missingOption.ExitCode.Should().NotBe(0);
        FolderShouldHoldOnly();
    }

    [Fact]
    public async Task Output_into_a_missing_folder_is_reported()
    {
        var (_, pk) = await NewKeys();
        await File.WriteAllBytesAsync(PathOf("w"), [1]);
        var r = await Cli.RunAsync("work", "encrypt", "--to", pk, "--in", PathOf("w"), "--out", PathOf("nope/w.enc"));
        r.ExitCode.Should().NotBe(0);
        r.StdErr.Should().Contain("does not exist");
        FolderShouldHoldOnly("w");
    }
}
