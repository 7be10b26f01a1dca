using System.Numerics;

namespace FairDelegation.Chain.Crypto;

/// <summary>
/// An EIP-712 domain. Only the fields that are set take part in the EIP712Domain type, in the order the
/// standard fixes: name, version, chainId, verifyingContract, salt.
/// </summary>
public sealed record Eip712Domain(
    string? Name = null,
    string? Version = null,
    BigInteger? ChainId = null,
    EthereumAddress? VerifyingContract = null,
    byte[]? Salt = null)
{
    /// <summary>The EIP712Domain struct type for the fields that are set.</summary>
    public IReadOnlyList<TypedDataField> Fields()
    {
        var fields = new List<TypedDataField>();
        if (Name is not null) fields.Add(new("name", "string"));
        if (Version is not null) fields.Add(new("version", "string"));
        if (ChainId is not null) fields.Add(new("chainId", "uint256"));
        if (VerifyingContract is not null) fields.Add(new("verifyingContract", "address"));
        if (Salt is not null) fields.Add(new("salt", "bytes32"));
        return fields;
    }

    /// <summary>The domain as a value object for <see cref="TypedData"/>.</summary>
    public IReadOnlyDictionary<string, object?> Values()
    {
        var values = new Dictionary<string, object?>();
        if (Name is not null) values["name"] = Name;
        if (Version is not null) values["version"] = Version;
        if (ChainId is not null) values["chainId"] = ChainId.Value;
        if (VerifyingContract is not null) values["verifyingContract"] = VerifyingContract;
        if (Salt is not null) values["salt"] = Salt;
        return values;
    }
}

/// <summary>One member of an EIP-712 struct type: its name and its Solidity type ("uint256", "Person", "bytes32[]").</summary>
public sealed record TypedDataField(string Name, string Type);
