using FairDelegation.Protocol.Delivery;
using FairDelegation.Protocol.Encryption;
using FairDelegation.Protocol.Keys;
using FairDelegation.Protocol.Stamps;
using FairDelegation.Protocol.Tests.Encryption;

namespace FairDelegation.Protocol.Tests.Delivery;

public class DeliveryTests
{
    private static (byte[] Plaintext, byte[] Ciphertext, Stamp Stamp) Deliver()
    {
        var terms = TestTerms.Create();
        var plaintext = WorkEncryptionTests.Data(200_000);
        var (ciphertext, result) = WorkEncryptionTests.Encrypt(plaintext, terms.WorkPublicKey);
        return (plaintext, ciphertext, Stamp.Sign(terms, result.WorkHash, TestTerms.VerifierKey()));
    }

    private static DeliveryRejection Rejection(Stamp stamp, byte[] ciphertext, Protocol.Agreements.AgreementTerms? terms = null) =>
        FluentActions.Awaiting(() => DeliveryCheck.CheckAsync(terms ?? TestTerms.Create(), stamp, new MemoryStream(ciphertext)))
            .Should().ThrowAsync<DeliveryRejectedException>().GetAwaiter().GetResult().Which.Reason;

    [Fact]
    public async Task A_correct_delivery_passes_and_is_copied_while_hashed()
    {
        var (_, ciphertext, stamp) = Deliver();
        using var copy = new MemoryStream();
        var hash = await DeliveryCheck.CheckAsync(TestTerms.Create(), stamp, new MemoryStream(ciphertext), copy);
        hash.Should().Be(stamp.WorkHash);
        copy.ToArray().Should().Equal(ciphertext);
    }

    [Fact]
    public void Each_kind_of_bad_delivery_has_its_own_rejection()
    {
        var terms = TestTerms.Create();
        var (_, ciphertext, stamp) = Deliver();

        var tampered = (byte[])ciphertext.Clone();
        tampered[^1] ^= 1;
        Rejection(stamp, tampered).Should().Be(DeliveryRejection.HashMismatch);

        Rejection(stamp, ciphertext, terms with { Nonce = Serialization.Bytes32.Random() }).Should().Be(DeliveryRejection.WrongAgreement);
        Rejection(stamp with { WorkKey = TestTerms.Customer }, ciphertext).Should().Be(DeliveryRejection.WrongWorkKey);
        Rejection(stamp with { Wage = stamp.Wage - 1 }, ciphertext).Should().Be(DeliveryRejection.WrongWage);

        // A stamp over the right fields, signed by a key that is not pk_c.
        using var impostor = DisposableKeyPair.Generate();
        var forged = Stamp.TypedData(terms.ChainId, terms.Escrow, terms.AgreementId, stamp.WorkHash, terms.WorkKey, terms.Wage)
            .Sign(impostor.ExportPrivateKey());
        Rejection(stamp with { Signature = forged }, ciphertext).Should().Be(DeliveryRejection.WrongSigner);

        // The right signature on a different work hash recovers someone else.
        Rejection(stamp with { WorkHash = WorkHash.Compute(new MemoryStream(tampered)) }, tampered).Should().Be(DeliveryRejection.WrongSigner);

        // The malleable high-s twin of the genuine signature is not accepted.
        var twin = new Chain.Crypto.EcdsaSignature(stamp.Signature.R, Chain.Crypto.Secp256k1.N - stamp.Signature.S, (byte)(stamp.Signature.V ^ 1));
        Rejection(stamp with { Signature = twin }, ciphertext).Should().Be(DeliveryRejection.WrongSigner);
    }

    [Fact]
    public async Task Revealed_key_decrypts_after_the_P_check_and_the_hash_check()
    {
        var terms = TestTerms.Create();
        var (plaintext, ciphertext, stamp) = Deliver();
        using var output = new MemoryStream();
        await RevealedKey.DecryptWorkAsync(terms, TestTerms.WorkKey().ExportPrivateKey(), new MemoryStream(ciphertext), output, stamp.WorkHash);
        output.ToArray().Should().Equal(plaintext);

        using var wrong = DisposableKeyPair.Generate();
        await FluentActions.Awaiting(() => RevealedKey.DecryptWorkAsync(terms, wrong.ExportPrivateKey(), new MemoryStream(ciphertext), Stream.Null))
            .Should().ThrowAsync<RevealedKeyMismatchException>();

        var (_, other, _) = Deliver();
        (await FluentActions.Awaiting(() => RevealedKey.DecryptWorkAsync(terms, TestTerms.WorkKey().ExportPrivateKey(),
                new MemoryStream(other), Stream.Null, stamp.WorkHash))
            .Should().ThrowAsync<WorkDecryptionException>()).Which.Message.Should().Contain("escrowed");
    }
}
