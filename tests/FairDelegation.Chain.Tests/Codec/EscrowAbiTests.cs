using System.Numerics;
using System.Text.Json;
using FairDelegation.Chain.Crypto;
using FairDelegation.Chain.Escrow;
using FairDelegation.Chain.Escrow.Messages;
using FairDelegation.Chain.Tests.Crypto;
using Nethereum.Contracts;

namespace FairDelegation.Chain.Tests.Codec;

/// <summary>
/// The escrow binding's Nethereum typed messages against the ABI solc emits and against `cast calldata` / `cast sig` /
/// `cast keccak`; revert decoding of the contract's custom errors.
/// </summary>
public class EscrowAbiTests
{
    private static readonly EthereumAddress A = EthereumAddress.Parse("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
    private static readonly EthereumAddress B = EthereumAddress.Parse("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
    private static readonly byte[] H32 = Keccak256.HashUtf8("work");
    private static readonly byte[] D32 = Keccak256.HashUtf8("details");

    private static readonly EscrowTerms Terms = new(A, B, A, H32, BigInteger.Parse("1000000000000000000"), 1_900_000_000);
    private static string TermsText => $"({A},{B},{A},{Hex.Encode(H32)},1000000000000000000,1900000000)";

    [Fact]
    public async Task Function_messages_equal_cast_calldata()
    {
        var sk = BigInteger.Parse("12345678901234567890");
        const string termsType = "(address,address,address,bytes32,uint256,uint256)";
        Hex.Encode(new ClaimFunction { Terms = Terms.ToStruct(), PrivateKey = sk }.GetCallData())
            .Should().Be(await Cast.RunAsync("calldata", $"claim({termsType},uint256)", TermsText, sk.ToString()));
        Hex.Encode(new RefundFunction { Terms = Terms.ToStruct() }.GetCallData())
            .Should().Be(await Cast.RunAsync("calldata", $"refund({termsType})", TermsText));

        var opening = new EscrowOpening(D32, B, A, H32, 5, 1_900_000_000);
        Hex.Encode(opening.ToFunction().GetCallData()).Should().Be(await Cast.RunAsync("calldata",
            "open(bytes32,address,address,bytes32,uint256)", Hex.Encode(D32), B.ToString(), A.ToString(), Hex.Encode(H32), "1900000000"));
        var second = new EscrowOpening(H32, A, B, D32, 7, 1_900_000_001);
        Hex.Encode(new OpenBatchFunction { Openings = [opening.ToStruct(), second.ToStruct()] }.GetCallData()).Should().Be(
            await Cast.RunAsync("calldata", "openBatch((bytes32,address,address,bytes32,uint256,uint256)[])",
                $"[({Hex.Encode(D32)},{B},{A},{Hex.Encode(H32)},5,1900000000),({Hex.Encode(H32)},{A},{B},{Hex.Encode(D32)},7,1900000001)]"));
        Hex.Encode(new EscrowsFunction { WorkKey = A.ToLowerHex() }.GetCallData())
            .Should().Be(await Cast.RunAsync("calldata", "escrows(address)", A.ToString()));
        Hex.Encode(new AgreementIdOfFunction { DetailsHash = D32, WorkKey = A.ToLowerHex() }.GetCallData())
            .Should().Be(await Cast.RunAsync("calldata", "agreementIdOf(bytes32,address)", Hex.Encode(D32), A.ToString()));
    }

    [Fact]
    public void Every_function_of_the_compiled_abi_has_a_typed_message_with_its_selector()
    {
        var messages = new Dictionary<string, string>
        {
            ["open"] = Selector<OpenFunction>(), ["openBatch"] = Selector<OpenBatchFunction>(), ["claim"] = Selector<ClaimFunction>(),
            ["refund"] = Selector<RefundFunction>(), ["escrows"] = Selector<EscrowsFunction>(), ["agreementIdOf"] = Selector<AgreementIdOfFunction>(),
            ["openToken"] = Selector<OpenTokenFunction>(), ["openTokenBatch"] = Selector<OpenTokenBatchFunction>(),
            ["claimToken"] = Selector<ClaimTokenFunction>(), ["refundToken"] = Selector<RefundTokenFunction>(),
        };
        var abi = Nethereum.ABI.ABIDeserialisation.ABIDeserialiserFactory.DeserialiseContractABI(EscrowContract.AbiJson);
        foreach (var f in abi.Functions.Where(f => f.Name != "MAX_ESCROW_DURATION"))
        {
            messages.Should().ContainKey(f.Name, "every state-changing or read function the node uses has a typed message");
            messages[f.Name].Should().Be(f.Sha3Signature.ToLowerInvariant(), $"{f.Name}'s typed message has the compiled selector");
        }
        // The nodes' watchers filter on EventTopics: every event, TokenEscrowOpened included (token wages).
        foreach (var e in abi.Events)
            EscrowContract.EventTopics.Should().Contain("0x" + e.Sha3Signature.ToLowerInvariant());
        abi.Events.Single(e => e.Name == "TokenEscrowOpened").Sha3Signature.Should()
            .Be(Nethereum.Contracts.ABITypedRegistry.GetEvent<TokenEscrowOpenedEventDto>().Sha3Signature);
    }

    [Fact]
    public async Task Token_function_messages_equal_cast_calldata()
    {
        const string tokenTerms = "(address,address,address,bytes32,uint256,uint256,address)";
        var terms = new TokenTermsStruct
        {
            Customer = A.ToString(), Payee = B.ToString(), WorkKey = A.ToString(), WorkHash = H32, Amount = 250_000_000, Deadline = 1_900_000_000,
            Token = B.ToString(),
        };
        var termsText = $"({A},{B},{A},{Hex.Encode(H32)},250000000,1900000000,{B})";
        Hex.Encode(new ClaimTokenFunction { Terms = terms, PrivateKey = 42 }.GetCallData())
            .Should().Be(await Cast.RunAsync("calldata", $"claimToken({tokenTerms},uint256)", termsText, "42"));
        Hex.Encode(new RefundTokenFunction { Terms = terms }.GetCallData())
            .Should().Be(await Cast.RunAsync("calldata", $"refundToken({tokenTerms})", termsText));
        Hex.Encode(new OpenTokenFunction
            {
                DetailsHash = D32, Payee = B.ToString(), WorkKey = A.ToString(), WorkHash = H32, Amount = 250_000_000, Deadline = 1_900_000_000,
                Token = B.ToString(),
            }.GetCallData())
            .Should().Be(await Cast.RunAsync("calldata", "openToken(bytes32,address,address,bytes32,uint256,uint256,address)", Hex.Encode(D32),
                B.ToString(), A.ToString(), Hex.Encode(H32), "250000000", "1900000000", B.ToString()));
        var opening = new EscrowOpening(D32, B, A, H32, 5, 1_900_000_000);
        Hex.Encode(new OpenTokenBatchFunction { Token = B.ToString(), Openings = [opening.ToStruct()] }.GetCallData()).Should().Be(
            await Cast.RunAsync("calldata", "openTokenBatch(address,(bytes32,address,address,bytes32,uint256,uint256)[])", B.ToString(),
                $"[({Hex.Encode(D32)},{B},{A},{Hex.Encode(H32)},5,1900000000)]"));
        ABITypedRegistry.GetEvent<TokenEscrowOpenedEventDto>().Sha3Signature.ToLowerInvariant().Should().Be((await Cast.RunAsync("keccak",
            "TokenEscrowOpened(address,bytes32,address,address,bytes32,uint256,uint256,address)"))[2..]);
    }

    private static string Selector<T>() where T : FunctionMessage, new() =>
        Convert.ToHexStringLower(new T().GetCallData()[..4]);

    [Fact]
    public async Task Event_topics_equal_cast_keccak_of_their_signatures()
    {
        EscrowContract.EventTopics[0].Should().Be(await Cast.RunAsync("keccak", "EscrowOpened(address,bytes32,address,address,bytes32,uint256,uint256)"));
        EscrowContract.EventTopics[1].Should().Be(await Cast.RunAsync("keccak", "KeyRevealed(address,uint256)"));
        EscrowContract.EventTopics[2].Should().Be(await Cast.RunAsync("keccak", "Refunded(address)"));
    }

    [Fact]
    public async Task Custom_errors_decode_into_readable_messages()
    {
        var data = Hex.Decode(await Cast.RunAsync("calldata", "WrongPrivateKey(address,address)", A.ToString(), B.ToString()));
        var reason = EscrowContract.Abi.DecodeRevert(data)!;
        reason.Name.Should().Be("WrongPrivateKey");
        reason.Message.Should().Be($"WrongPrivateKey(workKey={A}, derived={B})");
        reason.Arguments["derived"].Should().Be(B);

        EscrowContract.Abi.DecodeRevert(Hex.Decode(await Cast.RunAsync("calldata", "PrivateKeyOutOfRange()")))!.Message
            .Should().Be("PrivateKeyOutOfRange()");
        EscrowContract.Abi.DecodeRevert(Hex.Decode(await Cast.RunAsync("calldata", "DeadlinePassed(uint256,uint256)", "5", "6")))!.Message
            .Should().Be("DeadlinePassed(deadline=5, nowTimestamp=6)");
        EscrowContract.Abi.DecodeRevert(Hex.Decode(await Cast.RunAsync("calldata", "Error(string)", "plain reason")))!.Message
            .Should().Be("plain reason");
        EscrowContract.Abi.DecodeRevert(Hex.Decode(await Cast.RunAsync("calldata", "Panic(uint256)", "17")))!.Message
            .Should().Contain("overflow");
        EscrowContract.Abi.DecodeRevert(Hex.Decode("0x12345678"))!.Message.Should().Contain("unknown error 0x12345678");
        EscrowContract.Abi.DecodeRevert([]).Should().BeNull();
    }

    [Fact]
    public async Task Terms_hash_and_agreement_id_equal_cast()
    {
        var encoded = await Cast.RunAsync("abi-encode", "f(address,address,address,bytes32,uint256,uint256)",
            A.ToString(), B.ToString(), A.ToString(), Hex.Encode(H32), "1000000000000000000", "1900000000");
        Hex.Encode(Terms.Hash()).Should().Be(await Cast.RunAsync("keccak", encoded));
        var idInput = await Cast.RunAsync("abi-encode", "f(bytes32,address)", Hex.Encode(D32), A.ToString());
        Hex.Encode(EscrowContract.AgreementIdOf(D32, A)).Should().Be(await Cast.RunAsync("keccak", idInput));
    }
}
