using System.Numerics;
using FairDelegation.Chain.Crypto;
using Nethereum.Model;
using Nethereum.Util;

namespace FairDelegation.Chain.Transactions;

/// <summary>
/// An EIP-1559 (type 2) transaction: 0x02 || rlp([chainId, nonce, maxPriorityFeePerGas, maxFeePerGas, gasLimit,
/// to, value, data, accessList]). A null <see cref="To"/> creates a contract whose init code is <see cref="Data"/>.
/// The encoding is Nethereum's (<see cref="Transaction1559"/>); the signature is ours (the libsecp256k1 adapter), so
/// keys never pass through Nethereum's signer.
/// </summary>
public sealed record Eip1559Transaction(
    BigInteger ChainId,
    BigInteger Nonce,
    BigInteger MaxPriorityFeePerGas,
    BigInteger MaxFeePerGas,
    BigInteger GasLimit,
    EthereumAddress? To,
    BigInteger Value,
    byte[] Data)
{
    /// <summary>The EIP-2718 type byte.</summary>
    public const byte Type = 0x02;

    /// <summary>True when this transaction deploys a contract.</summary>
    public bool IsContractCreation => To is null;

    /// <summary>The payload that is signed: type byte followed by the RLP of the nine unsigned fields.</summary>
    public byte[] EncodeUnsigned() => ToModel(null).GetRLPEncodedRaw();

    /// <summary>keccak256 of <see cref="EncodeUnsigned"/>: what the sender signs.</summary>
    public byte[] SigningHash() => Keccak256.Hash(EncodeUnsigned());

    /// <summary>Nethereum's model of this transaction, signed when <paramref name="signature"/> is given.</summary>
    internal Transaction1559 ToModel(EcdsaSignature? signature)
    {
        if (MaxPriorityFeePerGas > MaxFeePerGas)
            throw new ArgumentException($"maxPriorityFeePerGas ({MaxPriorityFeePerGas}) exceeds maxFeePerGas ({MaxFeePerGas})");
        var to = To?.ToLowerHex() ?? "";
        var data = Hex.Encode(Data);
        if (signature is null)
            return new Transaction1559(ChainId, Nonce, MaxPriorityFeePerGas, MaxFeePerGas, GasLimit, to, Value, data, []);
        // RLP integers carry no leading zero bytes: yParity 0 is the empty string, r and s are minimal big-endian.
        var v = signature.V == 0 ? Array.Empty<byte>() : [signature.V];
        var model = new Signature(Minimal(signature.R), Minimal(signature.S), v);
        return new Transaction1559(ChainId, Nonce, MaxPriorityFeePerGas, MaxFeePerGas, GasLimit, to, Value, data, [], model);
    }

    private static byte[] Minimal(BigInteger value) => value.ToByteArray(isUnsigned: true, isBigEndian: true);
}

/// <summary>A signed type-2 transaction: its raw bytes (for eth_sendRawTransaction) and its hash.</summary>
public sealed class SignedTransaction
{
    public SignedTransaction(Eip1559Transaction transaction, EcdsaSignature signature)
    {
        Transaction = transaction;
        Signature = signature;
        Raw = transaction.ToModel(signature).GetRLPEncoded();
        Hash = Hex.Encode(Keccak256.Hash(Raw));
        Sender = EthereumAddress.FromPublicKey(Secp256k1.RecoverPublicKey(transaction.SigningHash(), signature));
    }

    public Eip1559Transaction Transaction { get; }
    public EcdsaSignature Signature { get; }

    /// <summary>0x02 || rlp([... , yParity, r, s]).</summary>
    public byte[] Raw { get; }

    /// <summary>The raw transaction as 0x-hex, as eth_sendRawTransaction and `cast mktx` show it.</summary>
    public string RawHex => Hex.Encode(Raw);

    /// <summary>The transaction hash (keccak256 of the raw bytes), 0x-hex lower case.</summary>
    public string Hash { get; }

    /// <summary>The address the signature recovers to.</summary>
    public EthereumAddress Sender { get; }

    /// <summary>For a contract creation, the address the contract will have: keccak256(rlp([sender, nonce]))[12..].</summary>
    public EthereumAddress? CreatedContractAddress =>
        Transaction.IsContractCreation ? ContractAddress.From(Sender, Transaction.Nonce) : null;
}

/// <summary>Addresses of contracts created by CREATE.</summary>
public static class ContractAddress
{
    /// <summary>keccak256(rlp([sender, nonce]))[12..] (Nethereum's ContractUtils).</summary>
    public static EthereumAddress From(EthereumAddress sender, BigInteger nonce) =>
        EthereumAddress.Parse(ContractUtils.CalculateContractAddress(sender.ToLowerHex(), nonce));
}
