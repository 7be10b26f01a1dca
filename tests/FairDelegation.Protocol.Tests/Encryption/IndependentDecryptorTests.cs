using FairDelegation.Testing;

namespace FairDelegation.Protocol.Tests.Encryption;

/// <summary>
/// vectors/independent-decrypt.mjs was written from docs/formats/work-encryption.md alone with Node's crypto module:
/// if it opens our output, the document is precise enough and our implementation follows it.
/// </summary>
public class IndependentDecryptorTests
{
    private static string Script => Path.Combine(RepoPaths.Root, "tests", "FairDelegation.Protocol.Tests", "vectors", "independent-decrypt.mjs");

    [Fact]
    public async Task Node_decryptor_opens_the_committed_vectors()
    {
        var vectors = Path.Combine(RepoPaths.Root, "tests", "FairDelegation.Protocol.Tests", "vectors", "work-encryption.json");
        var r = (await ProcessRunner.RunAsync("node", [Script, "vectors", vectors])).EnsureSuccess();
        r.StdOut.Trim().Should().Be("ok 4");
    }

    [Fact]
    public async Task Node_decryptor_opens_a_multi_segment_work_and_refuses_a_tampered_one()
    {
        var folder = Directory.CreateTempSubdirectory("fd-node-");
        try
        {
            var plaintext = WorkEncryptionTests.Data(5 * 65536 + 321);
            var (ciphertext, _) = WorkEncryptionTests.Encrypt(plaintext);
            var enc = Path.Combine(folder.FullName, "w.enc");
            var dec = Path.Combine(folder.FullName, "w");
            await File.WriteAllBytesAsync(enc, ciphertext);
            (await ProcessRunner.RunAsync("node", [Script, "file", TestKeys.Anvil1, enc, dec])).EnsureSuccess();
            (await File.ReadAllBytesAsync(dec)).Should().Equal(plaintext);

            ciphertext[200_000] ^= 1;
            await File.WriteAllBytesAsync(enc, ciphertext);
            (await ProcessRunner.RunAsync("node", [Script, "file", TestKeys.Anvil1, enc, dec])).ExitCode.Should().NotBe(0);
        }
        finally { folder.Delete(recursive: true); }
    }
}
