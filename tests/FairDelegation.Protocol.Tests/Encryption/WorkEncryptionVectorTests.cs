using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using FairDelegation.Chain.Crypto;
using FairDelegation.Protocol.Encryption;
using FairDelegation.Protocol.Keys;
using FairDelegation.Testing;

namespace FairDelegation.Protocol.Tests.Encryption;

/// <summary>
/// The committed test vectors (tests/FairDelegation.Protocol.Tests/vectors/work-encryption.json): fixed recipient key,
/// ephemeral key and file key, so an independent implementation can check itself byte for byte.
/// Set FAIRDELEGATION_WRITE_VECTORS=1 to rewrite the file (only when the format changes on purpose).
/// </summary>
public class WorkEncryptionVectorTests
{
    private static string VectorFile => Path.Combine(RepoPaths.Root, "tests", "FairDelegation.Protocol.Tests", "vectors", "work-encryption.json");

    private sealed record Case(string Name, int SegmentSize, int Length, string EphemeralKey, string FileKey);

    private static readonly Case[] Cases =
    [
        new("empty", WorkEncryptionFormat.DefaultSegmentSize, 0,
            "0x1111111111111111111111111111111111111111111111111111111111111111", "0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"),
        new("one-byte", WorkEncryptionFormat.DefaultSegmentSize, 1,
            "0x2222222222222222222222222222222222222222222222222222222222222222", "0x202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"),
        new("two-full-segments-of-16", 16, 32,
            "0x3333333333333333333333333333333333333333333333333333333333333333", "0x404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"),
        new("three-segments-last-partial", 16, 37,
            "0x4444444444444444444444444444444444444444444444444444444444444444", "0x606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"),
    ];

    private static byte[] PlaintextOf(int length) => Enumerable.Range(0, length).Select(i => (byte)i).ToArray();

    private static JsonObject Generate()
    {
        using var recipient = TestKeys.Pair(TestKeys.Anvil1);
        var vectors = new JsonArray();
        foreach (var c in Cases)
        {
            var plaintext = PlaintextOf(c.Length);
            var eph = Hex.Decode(c.EphemeralKey);
            var fileKey = Hex.Decode(c.FileKey);
            using var output = new MemoryStream();
            var result = WorkEncryption.EncryptCore(new MemoryStream(plaintext), output, recipient.PublicKey, eph, fileKey, c.SegmentSize, default);
            var ciphertext = output.ToArray();
            var header = ciphertext[..WorkEncryptionFormat.HeaderSize];
            var shared = Secp256k1.SharedSecretX(eph, recipient.PublicKey.Bytes);
            vectors.Add(new JsonObject
            {
                ["name"] = c.Name,
                ["segmentSize"] = c.SegmentSize,
                ["ephemeralPrivateKey"] = c.EphemeralKey,
                ["ephemeralPublicKey"] = Hex.Encode(header.AsSpan(WorkEncryptionFormat.EphemeralKeyOffset, WorkEncryptionFormat.EphemeralKeySize)),
                ["fileKey"] = c.FileKey,
                ["sharedSecretX"] = Hex.Encode(shared),
                ["wrapKey"] = Hex.Encode(WorkEncryptionFormat.WrapKey(shared,
                    header.AsSpan(WorkEncryptionFormat.EphemeralKeyOffset, WorkEncryptionFormat.EphemeralKeySize), recipient.PublicKey.Bytes)),
                ["headerSha256"] = Hex.Encode(SHA256.HashData(header)),
                ["payloadKey"] = Hex.Encode(WorkEncryptionFormat.PayloadKey(fileKey, header)),
                ["plaintext"] = Hex.Encode(plaintext),
                ["ciphertext"] = Hex.Encode(ciphertext),
                ["workHash"] = result.WorkHash.ToHex(),
            });
        }
        return new JsonObject
        {
            ["format"] = "FairDelegation work encryption v1 (docs/formats/work-encryption.md)",
            ["recipientPrivateKey"] = TestKeys.Anvil1,
            ["recipientPublicKey"] = recipient.PublicKey.ToHex(),
            ["recipientAddress"] = recipient.Address.ToString(),
            ["vectors"] = vectors,
        };
    }

    private static string Serialize(JsonObject o) => o.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";

    [Fact]
    public void Regenerating_the_vectors_gives_the_committed_file_byte_for_byte()
    {
        var generated = Serialize(Generate());
        if (Environment.GetEnvironmentVariable("FAIRDELEGATION_WRITE_VECTORS") == "1") File.WriteAllText(VectorFile, generated);
        File.ReadAllText(VectorFile).ReplaceLineEndings("\n").Should().Be(generated);
    }

    [Fact]
    public void The_committed_vectors_decrypt_to_their_plaintext_and_hash_to_their_work_hash()
    {
        var doc = JsonNode.Parse(File.ReadAllText(VectorFile))!;
        var key = Hex.Decode(doc["recipientPrivateKey"]!.GetValue<string>());
        var vectors = doc["vectors"]!.AsArray();
        vectors.Should().HaveCount(Cases.Length);
        foreach (var v in vectors)
        {
            var ciphertext = Hex.Decode(v!["ciphertext"]!.GetValue<string>());
            using var output = new MemoryStream();
            WorkEncryption.Decrypt(new MemoryStream(ciphertext), output, key);
            Hex.Encode(output.ToArray()).Should().Be(v["plaintext"]!.GetValue<string>());
            WorkHash.Compute(new MemoryStream(ciphertext)).ToHex().Should().Be(v["workHash"]!.GetValue<string>());
        }
    }
}
