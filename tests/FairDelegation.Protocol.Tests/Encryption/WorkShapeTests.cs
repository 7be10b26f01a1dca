using FairDelegation.Protocol.Encryption;
using FairDelegation.Protocol.Keys;

namespace FairDelegation.Protocol.Tests.Encryption;

/// <summary>Step (7) refuses a w' whose header or length no encryption produces (issue 11 #8), before anything is paid.</summary>
public sealed class WorkShapeTests
{
    private static byte[] Encrypted(int plaintextLength)
    {
        using var key = DisposableKeyPair.Generate();
        using var output = new MemoryStream();
        WorkEncryption.Encrypt(new MemoryStream(new byte[plaintextLength]), output, key.PublicKey);
        return output.ToArray();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(WorkEncryptionFormat.DefaultSegmentSize)]
    [InlineData(WorkEncryptionFormat.DefaultSegmentSize + 1)]
    [InlineData(3 * WorkEncryptionFormat.DefaultSegmentSize - 7)]
    public void Every_real_encryption_has_the_agreed_shape(int length)
    {
        var w = Encrypted(length);
        WorkShape.Problem(w, w.Length).Should().BeNull();
    }

    [Fact]
    public void Arbitrary_bytes_a_wrong_version_or_an_impossible_length_are_refused()
    {
        var random = System.Security.Cryptography.RandomNumberGenerator.GetBytes(5000);
        WorkShape.Problem(random, random.Length).Should().Contain("magic");

        var w = Encrypted(1000);
        var version = (byte[])w.Clone();
        version[4] = 2;
        WorkShape.Problem(version, version.Length).Should().Contain("format version 2");

        WorkShape.Problem(w, WorkEncryptionFormat.HeaderSize + WorkEncryptionFormat.DefaultSegmentSize + 16 + 5)
            .Should().Contain("a length no plaintext encrypts to", "a last segment of 5 bytes cannot even hold its 16-byte tag");
        WorkShape.Problem(w, WorkEncryptionFormat.HeaderSize + 2 * (WorkEncryptionFormat.DefaultSegmentSize + 16) + 16)
            .Should().NotBeNull("a last segment of only a tag is not produced for a non-empty work");

        var point = (byte[])w.Clone();
        point[WorkEncryptionFormat.EphemeralKeyOffset + 5] ^= 0xFF;
        WorkShape.Problem(point, point.Length).Should().Contain("not a point");

        WorkShape.Problem(w.AsSpan(0, 50), 50).Should().Contain("shorter than");
    }
}
