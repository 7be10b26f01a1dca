using System.Security.Cryptography;
using FairDelegation.Protocol.Encryption;
using FairDelegation.Protocol.Keys;
using static FairDelegation.Protocol.Encryption.WorkEncryptionFormat;

namespace FairDelegation.Protocol.Tests.Encryption;

public class WorkEncryptionTests
{
    private static readonly DisposableKeyPair Recipient = TestKeys.Pair(TestKeys.Anvil1);

    internal static byte[] Data(int length, int seed = 1)
    {
        var b = new byte[length];
        new Random(seed).NextBytes(b);
        return b;
    }

    internal static (byte[] Ciphertext, WorkEncryptionResult Result) Encrypt(byte[] plaintext, PublicKey? to = null, int? segmentSize = null)
    {
        using var output = new MemoryStream();
        var result = segmentSize is null
            ? WorkEncryption.Encrypt(new MemoryStream(plaintext), output, to ?? Recipient.PublicKey)
            : WorkEncryption.EncryptCore(new MemoryStream(plaintext), output, to ?? Recipient.PublicKey,
                DisposableKeyPair.Generate().ExportPrivateKey(), RandomNumberGenerator.GetBytes(32),
                segmentSize.Value, default);
        return (output.ToArray(), result);
    }

    internal static byte[] Decrypt(byte[] ciphertext, DisposableKeyPair? key = null)
    {
        using var output = new MemoryStream();
        WorkEncryption.Decrypt(new MemoryStream(ciphertext), output, (key ?? Recipient).ExportPrivateKey());
        return output.ToArray();
    }

    private static WorkDecryptionFailure FailureOf(byte[] ciphertext, DisposableKeyPair? key = null) =>
        FluentActions.Invoking(() => Decrypt(ciphertext, key)).Should().Throw<WorkDecryptionException>().Which.Failure;

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(DefaultSegmentSize - 1)]
    [InlineData(DefaultSegmentSize)]
    [InlineData(DefaultSegmentSize + 1)]
    [InlineData(2 * DefaultSegmentSize)]
    [InlineData(3 * DefaultSegmentSize + 12345)]
    [InlineData(40 * DefaultSegmentSize)] // several pipeline batches
    public void Round_trips_and_returns_the_hash_of_what_it_wrote(int length)
    {
        var plaintext = Data(length);
        var (ciphertext, result) = Encrypt(plaintext);
        ciphertext.Length.Should().Be((int)CiphertextLength(length));
        result.CiphertextLength.Should().Be(ciphertext.Length);
        result.PlaintextLength.Should().Be(length);
        result.WorkHash.Bytes.ToArray().Should().Equal(SHA256.HashData(ciphertext));
        WorkHash.Compute(new MemoryStream(ciphertext)).Should().Be(result.WorkHash);
        Decrypt(ciphertext).Should().Equal(plaintext);
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(1, 5)]
    [InlineData(16, 48)]
    [InlineData(16, 49)]
    [InlineData(1000, 999)]
    public void Round_trips_with_other_segment_sizes(int segmentSize, int length)
    {
        var plaintext = Data(length);
        var (ciphertext, _) = Encrypt(plaintext, segmentSize: segmentSize);
        ciphertext.Length.Should().Be((int)CiphertextLength(length, segmentSize));
        Decrypt(ciphertext).Should().Equal(plaintext);
    }

    [Fact]
    public void Sequential_reference_encryptor_writes_the_same_format()
    {
        var plaintext = Data(3 * DefaultSegmentSize + 99);
        using var output = new MemoryStream();
        var result = WorkEncryption.EncryptSequential(new MemoryStream(plaintext), output, Recipient.PublicKey);
        result.WorkHash.Bytes.ToArray().Should().Equal(SHA256.HashData(output.ToArray()));
        Decrypt(output.ToArray()).Should().Equal(plaintext);
    }

    [Fact]
    public void Order_and_hash_hold_when_the_caller_helps_a_slow_hashing_stage()
    {
        // A sink that stalls on some writes: the ring fills up and the encrypting thread hashes batches itself,
        // racing the hashing thread for the next one.
        var plaintext = Data(60 * DefaultSegmentSize + 3);
        var sink = new StallingStream();
        var result = WorkEncryption.Encrypt(new MemoryStream(plaintext), sink, Recipient.PublicKey);
        var ciphertext = sink.ToArray();
        result.WorkHash.Bytes.ToArray().Should().Equal(SHA256.HashData(ciphertext));
        Decrypt(ciphertext).Should().Equal(plaintext);
    }

    private sealed class StallingStream : MemoryStream
    {
        private int _writes;

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            var copy = buffer.ToArray();
            Write(copy, 0, copy.Length);
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            if (++_writes % 3 == 0) Thread.Sleep(3);
            base.Write(buffer, offset, count);
        }
    }

    [Fact]
    public void Each_encryption_is_fresh()
    {
        var plaintext = Data(100);
        Encrypt(plaintext).Ciphertext.Should().NotEqual(Encrypt(plaintext).Ciphertext);
    }

    [Fact]
    public void Wrong_key_is_reported_as_such()
    {
        var (ciphertext, _) = Encrypt(Data(1000));
        using var other = DisposableKeyPair.Generate();
        FailureOf(ciphertext, other).Should().Be(WorkDecryptionFailure.WrongKey);
    }

    [Theory]
    [InlineData(0, WorkDecryptionFailure.NotEncryptedWork)] // magic
    [InlineData(4, WorkDecryptionFailure.UnsupportedFormat)] // version
    [InlineData(8, WorkDecryptionFailure.WrongKey)] // segment size: authenticated by the key wrap
    [InlineData(EphemeralKeyOffset + 10, WorkDecryptionFailure.Corrupted)] // ephemeral key no longer on the curve
    [InlineData(WrappedKeyOffset + 3, WorkDecryptionFailure.WrongKey)] // wrapped file key
    [InlineData(HeaderSize - 1, WorkDecryptionFailure.WrongKey)] // wrap tag
    [InlineData(HeaderSize, WorkDecryptionFailure.Corrupted)] // first segment's ciphertext
    [InlineData(HeaderSize + DefaultSegmentSize + 5, WorkDecryptionFailure.Corrupted)] // first segment's tag
    [InlineData(-1, WorkDecryptionFailure.Corrupted)] // last byte: the final tag
    public void Any_flipped_bit_is_detected(int offset, WorkDecryptionFailure expected)
    {
        var (ciphertext, _) = Encrypt(Data(2 * DefaultSegmentSize + 7));
        var at = offset < 0 ? ciphertext.Length + offset : offset;
        ciphertext[at] ^= 0x01;
        FailureOf(ciphertext).Should().Be(expected);
    }

    [Fact]
    public void Truncation_at_a_segment_boundary_is_reported_as_truncation()
    {
        var (ciphertext, _) = Encrypt(Data(3 * DefaultSegmentSize + 7));
        var twoSegments = HeaderSize + 2 * (DefaultSegmentSize + TagSize);
        FailureOf(ciphertext[..twoSegments]).Should().Be(WorkDecryptionFailure.Truncated);
        FailureOf(ciphertext[..HeaderSize]).Should().Be(WorkDecryptionFailure.Truncated);
        FailureOf(ciphertext[..(HeaderSize - 1)]).Should().Be(WorkDecryptionFailure.Truncated);
    }

    [Fact]
    public void Truncation_inside_a_segment_or_of_the_empty_final_segment_is_detected()
    {
        var (ciphertext, _) = Encrypt(Data(2 * DefaultSegmentSize));
        FluentActions.Invoking(() => Decrypt(ciphertext[..^1])).Should().Throw<WorkDecryptionException>();
        FluentActions.Invoking(() => Decrypt(ciphertext[..(HeaderSize + 10)])).Should().Throw<WorkDecryptionException>();
        var (empty, _) = Encrypt([]);
        FailureOf(empty[..HeaderSize]).Should().Be(WorkDecryptionFailure.Truncated);
        FailureOf(empty[..^3]).Should().Be(WorkDecryptionFailure.Truncated);
    }

    [Fact]
    public void Reordered_duplicated_or_appended_segments_are_detected()
    {
        var (ciphertext, _) = Encrypt(Data(3 * DefaultSegmentSize + 7));
        var seg = DefaultSegmentSize + TagSize;
        var swapped = (byte[])ciphertext.Clone();
        ciphertext.AsSpan(HeaderSize, seg).CopyTo(swapped.AsSpan(HeaderSize + seg));
        ciphertext.AsSpan(HeaderSize + seg, seg).CopyTo(swapped.AsSpan(HeaderSize));
        FailureOf(swapped).Should().Be(WorkDecryptionFailure.Corrupted);

        var duplicated = (byte[])ciphertext.Clone();
        ciphertext.AsSpan(HeaderSize, seg).CopyTo(duplicated.AsSpan(HeaderSize + seg));
        FailureOf(duplicated).Should().Be(WorkDecryptionFailure.Corrupted);

        FailureOf([.. ciphertext, 0]).Should().NotBe(WorkDecryptionFailure.WrongKey);
        FailureOf([.. ciphertext, .. ciphertext[HeaderSize..(HeaderSize + seg)]]).Should().Be(WorkDecryptionFailure.Corrupted);
    }

    [Fact]
    public void A_segment_spliced_from_another_file_for_the_same_key_is_detected()
    {
        var (a, _) = Encrypt(Data(2 * DefaultSegmentSize, seed: 1));
        var (b, _) = Encrypt(Data(2 * DefaultSegmentSize, seed: 2));
        b.AsSpan(HeaderSize, DefaultSegmentSize + TagSize).CopyTo(a.AsSpan(HeaderSize));
        FailureOf(a).Should().Be(WorkDecryptionFailure.Corrupted);
        // And a header swapped onto another file's body.
        var (c, _) = Encrypt(Data(2 * DefaultSegmentSize, seed: 3));
        c.AsSpan(0, HeaderSize).CopyTo(a.AsSpan(0, HeaderSize));
        FailureOf(a).Should().Be(WorkDecryptionFailure.Corrupted);
    }

    [Fact]
    public void Malformed_inputs_give_clear_errors()
    {
        FailureOf("hello world, this is not encrypted"u8.ToArray()).Should().Be(WorkDecryptionFailure.NotEncryptedWork);
        FailureOf([]).Should().Be(WorkDecryptionFailure.NotEncryptedWork);
        FluentActions.Invoking(() => WorkEncryption.Decrypt(new MemoryStream(Encrypt([1]).Ciphertext), Stream.Null, new byte[32]))
            .Should().Throw<FormatException>().WithMessage("*private key*");
        FluentActions.Invoking(() => PublicKey.Parse("0x1234")).Should().Throw<FormatException>().WithMessage("*public key*");
    }

    [Fact]
    public async Task A_failing_output_stream_surfaces_its_error_and_stops()
    {
        var failing = new FailingStream(after: 3 << 20);
        var act = () => WorkEncryption.EncryptAsync(new MemoryStream(Data(8 << 20)), failing, Recipient.PublicKey);
        (await act.Should().ThrowAsync<IOException>()).WithMessage("disk full");
    }

    [Fact]
    public void Cancellation_stops_encryption()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        FluentActions.Invoking(() => WorkEncryption.Encrypt(new MemoryStream(Data(1 << 20)), Stream.Null, Recipient.PublicKey, cts.Token))
            .Should().Throw<OperationCanceledException>();
    }

    [Fact]
    public void Header_reports_segment_size_and_ephemeral_key()
    {
        var (ciphertext, _) = Encrypt(Data(10));
        var (segmentSize, ephemeral) = WorkEncryption.ReadHeader(new MemoryStream(ciphertext));
        segmentSize.Should().Be(DefaultSegmentSize);
        ephemeral.Should().NotBe(Recipient.PublicKey);
    }

    private sealed class FailingStream(long after) : Stream
    {
        private long _written;
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            _written += buffer.Length;
            if (_written > after) throw new IOException("disk full");
        }
        public override void Flush() { }
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _written;
        public override long Position { get => _written; set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
