using System.Numerics;
using FairDelegation.Chain.Abi;
using FairDelegation.Chain.Crypto;
using FairDelegation.Chain.Escrow;
using FairDelegation.Chain.Tests.Crypto;

namespace FairDelegation.Chain.Tests.Codec;

/// <summary>ABI encoding checked against `cast abi-encode` / `cast calldata` / `cast sig`; error and event decoding.</summary>
public class AbiTests
{
    private static readonly EthereumAddress A = EthereumAddress.Parse("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
    private static readonly EthereumAddress B = EthereumAddress.Parse("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
    private static readonly byte[] H32 = Keccak256.HashUtf8("work");

    [Fact]
    public async Task Nested_dynamic_encoding_equals_cast_abi_encode()
    {
        var types = new[] { AbiType.Parse("(address,uint256)[]"), AbiType.Bytes, AbiType.Bytes32, AbiType.String, AbiType.Parse("uint256[2]") };
        object?[] values =
        [
            new object?[] { new object?[] { A, BigInteger.One }, new object?[] { B, BigInteger.Pow(2, 255) } },
            Hex.Decode("0xdeadbeefcafe"),
            H32,
            "fair délégation",
            new object?[] { BigInteger.Zero, BigInteger.Parse("123456789") },
        ];
        var ours = Hex.Encode(AbiCodec.Encode(types, values));
        var cast = await Cast.RunAsync("abi-encode", "f((address,uint256)[],bytes,bytes32,string,uint256[2])",
            $"[({A},1),({B},{BigInteger.Pow(2, 255)})]", "0xdeadbeefcafe", Hex.Encode(H32), "fair délégation", "[0,123456789]");
        ours.Should().Be(cast);

        var decoded = AbiCodec.Decode(types, Hex.Decode(ours));
        ((object?[])((object?[])decoded[0]!)[1]!)[1].Should().Be(BigInteger.Pow(2, 255));
        decoded[1].Should().BeEquivalentTo(Hex.Decode("0xdeadbeefcafe"));
        decoded[3].Should().Be("fair délégation");
    }

    [Fact]
    public async Task Escrow_claim_calldata_equals_cast_calldata()
    {
        var terms = new EscrowTerms(A, B, A, H32, BigInteger.Parse("1000000000000000000"), 1_900_000_000);
        var sk = BigInteger.Parse("12345678901234567890");
        var ours = Hex.Encode(EscrowContract.Abi.Function("claim").Encode(terms.ToAbiTuple(), sk));
        var sig = "claim((address,address,address,bytes32,uint256,uint256),uint256)";
        var cast = await Cast.RunAsync("calldata", sig, $"({A},{B},{A},{Hex.Encode(H32)},1000000000000000000,1900000000)", sk.ToString());
        ours.Should().Be(cast);
        Hex.Encode(EscrowContract.Abi.Function("claim").Selector).Should().Be(await Cast.RunAsync("sig", sig));
    }

    [Fact]
    public async Task Event_topics_equal_cast_keccak_of_their_signatures()
    {
        var opened = EscrowContract.Abi.Event("EscrowOpened");
        opened.Signature.Should().Be("EscrowOpened(address,bytes32,address,address,bytes32,uint256,uint256)");
        opened.Topic0.Should().Be(await Cast.RunAsync("keccak", opened.Signature));
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
        EscrowContract.Abi.DecodeRevert(Hex.Decode(await Cast.RunAsync("calldata", "Error(string)", "plain reason")))!.Message
            .Should().Be("plain reason");
        EscrowContract.Abi.DecodeRevert(Hex.Decode(await Cast.RunAsync("calldata", "Panic(uint256)", "17")))!.Message
            .Should().Contain("overflow");
        EscrowContract.Abi.DecodeRevert(Hex.Decode("0x12345678"))!.Message.Should().Contain("unknown error 0x12345678");
        EscrowContract.Abi.DecodeRevert([]).Should().BeNull();
    }

    [Fact]
    public void Terms_hash_is_keccak_of_abi_encoded_terms()
    {
        var terms = new EscrowTerms(A, B, A, H32, 5, 7);
        var encoded = AbiCodec.Encode(EscrowTerms.AbiTupleType.Components, terms.ToAbiTuple());
        encoded.Length.Should().Be(6 * 32);
        terms.Hash().Should().Equal(Keccak256.Hash(encoded));
    }

    [Fact]
    public void Bad_values_are_clear_errors()
    {
        FluentActions.Invoking(() => AbiCodec.Encode([AbiType.Address], ["0x12"])).Should().Throw<ArgumentException>().WithMessage("*address*String*");
        FluentActions.Invoking(() => AbiCodec.Encode([AbiType.Parse("uint8")], [BigInteger.Parse("256")])).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => AbiCodec.Decode([AbiType.Bytes], new byte[31])).Should().Throw<FormatException>();
        FluentActions.Invoking(() => AbiType.Parse("uint7")).Should().Throw<FormatException>();
    }
}
