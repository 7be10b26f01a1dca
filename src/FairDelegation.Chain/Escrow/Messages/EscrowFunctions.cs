using System.Numerics;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;

namespace FairDelegation.Chain.Escrow.Messages;

// FairDelegationEscrow's functions as Nethereum typed messages: Nethereum encodes the call data
// (`message.GetCallData()`) and decodes the outputs. The names and parameter order follow
// contracts/FairDelegationEscrow.sol; `EscrowAbiTests` checks every selector against the ABI solc emits.

/// <summary>The contract's Terms struct: what it hashes and stores per work key while an escrow is open.</summary>
public sealed class TermsStruct
{
    [Parameter("address", "customer", 1)] public string Customer { get; set; } = "";
    [Parameter("address", "payee", 2)] public string Payee { get; set; } = "";
    [Parameter("address", "workKey", 3)] public string WorkKey { get; set; } = "";
    [Parameter("bytes32", "workHash", 4)] public byte[] WorkHash { get; set; } = [];
    [Parameter("uint256", "amount", 5)] public BigInteger Amount { get; set; }
    [Parameter("uint256", "deadline", 6)] public BigInteger Deadline { get; set; }
}

/// <summary>One element of openBatch's array.</summary>
public sealed class OpeningStruct
{
    [Parameter("bytes32", "detailsHash", 1)] public byte[] DetailsHash { get; set; } = [];
    [Parameter("address", "payee", 2)] public string Payee { get; set; } = "";
    [Parameter("address", "workKey", 3)] public string WorkKey { get; set; } = "";
    [Parameter("bytes32", "workHash", 4)] public byte[] WorkHash { get; set; } = [];
    [Parameter("uint256", "amount", 5)] public BigInteger Amount { get; set; }
    [Parameter("uint256", "deadline", 6)] public BigInteger Deadline { get; set; }
}

/// <summary>open(bytes32 detailsHash, address payee, address workKey, bytes32 workHash, uint256 deadline), payable.</summary>
[Function("open")]
public sealed class OpenFunction : FunctionMessage
{
    [Parameter("bytes32", "detailsHash", 1)] public byte[] DetailsHash { get; set; } = [];
    [Parameter("address", "payee", 2)] public string Payee { get; set; } = "";
    [Parameter("address", "workKey", 3)] public string WorkKey { get; set; } = "";
    [Parameter("bytes32", "workHash", 4)] public byte[] WorkHash { get; set; } = [];
    [Parameter("uint256", "deadline", 5)] public BigInteger Deadline { get; set; }
}

/// <summary>openBatch((bytes32,address,address,bytes32,uint256,uint256)[] openings), payable.</summary>
[Function("openBatch")]
public sealed class OpenBatchFunction : FunctionMessage
{
    [Parameter("tuple[]", "openings", 1)] public List<OpeningStruct> Openings { get; set; } = [];
}

/// <summary>claim(Terms terms, uint256 sk): reveals the work key's private key and pays the payee.</summary>
[Function("claim")]
public sealed class ClaimFunction : FunctionMessage
{
    [Parameter("tuple", "terms", 1)] public TermsStruct Terms { get; set; } = new();
    [Parameter("uint256", "sk", 2)] public BigInteger PrivateKey { get; set; }
}

/// <summary>refund(Terms terms): from the deadline on, returns the deposit to the customer.</summary>
[Function("refund")]
public sealed class RefundFunction : FunctionMessage
{
    [Parameter("tuple", "terms", 1)] public TermsStruct Terms { get; set; } = new();
}

/// <summary>escrows(address workKey) view returns (bytes32): terms hash, 0x…01 once claimed, zero if none.</summary>
[Function("escrows", "bytes32")]
public sealed class EscrowsFunction : FunctionMessage
{
    [Parameter("address", "workKey", 1)] public string WorkKey { get; set; } = "";
}

/// <summary>agreementIdOf(bytes32 detailsHash, address workKey) pure returns (bytes32).</summary>
[Function("agreementIdOf", "bytes32")]
public sealed class AgreementIdOfFunction : FunctionMessage
{
    [Parameter("bytes32", "detailsHash", 1)] public byte[] DetailsHash { get; set; } = [];
    [Parameter("address", "workKey", 2)] public string WorkKey { get; set; } = "";
}

/// <summary>The single bytes32 output of escrows and agreementIdOf.</summary>
[FunctionOutput]
public sealed class Bytes32Output : IFunctionOutputDTO
{
    [Parameter("bytes32", "", 1)] public byte[] Value { get; set; } = [];
}
