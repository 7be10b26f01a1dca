using System.Numerics;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;

namespace FairDelegation.Chain.Escrow.Messages;

// The escrow's ERC-20 functions and event (docs/contract.md, "ERC-20 wages") as Nethereum typed messages, beside the
// ETH ones of EscrowFunctions.cs. Claims and refunds of token escrows raise the same KeyRevealed and Refunded.

/// <summary>The contract's TokenTerms struct: Terms with the token appended (7 words).</summary>
public sealed class TokenTermsStruct
{
    [Parameter("address", "customer", 1)] public string Customer { get; set; } = "";
    [Parameter("address", "payee", 2)] public string Payee { get; set; } = "";
    [Parameter("address", "workKey", 3)] public string WorkKey { get; set; } = "";
    [Parameter("bytes32", "workHash", 4)] public byte[] WorkHash { get; set; } = [];
    [Parameter("uint256", "amount", 5)] public BigInteger Amount { get; set; }
    [Parameter("uint256", "deadline", 6)] public BigInteger Deadline { get; set; }
    [Parameter("address", "token", 7)] public string Token { get; set; } = "";
}

/// <summary>openToken(bytes32 detailsHash, address payee, address workKey, bytes32 workHash, uint256 amount, uint256 deadline, address token): pulls amount (approve first).</summary>
[Function("openToken")]
public sealed class OpenTokenFunction : FunctionMessage
{
    [Parameter("bytes32", "detailsHash", 1)] public byte[] DetailsHash { get; set; } = [];
    [Parameter("address", "payee", 2)] public string Payee { get; set; } = "";
    [Parameter("address", "workKey", 3)] public string WorkKey { get; set; } = "";
    [Parameter("bytes32", "workHash", 4)] public byte[] WorkHash { get; set; } = [];
    [Parameter("uint256", "amount", 5)] public BigInteger Amount { get; set; }
    [Parameter("uint256", "deadline", 6)] public BigInteger Deadline { get; set; }
    [Parameter("address", "token", 7)] public string Token { get; set; } = "";
}

/// <summary>openTokenBatch(address token, Opening[] openings): one transferFrom of the sum.</summary>
[Function("openTokenBatch")]
public sealed class OpenTokenBatchFunction : FunctionMessage
{
    [Parameter("address", "token", 1)] public string Token { get; set; } = "";
    [Parameter("tuple[]", "openings", 2)] public List<OpeningStruct> Openings { get; set; } = [];
}

/// <summary>claimToken(TokenTerms terms, uint256 sk).</summary>
[Function("claimToken")]
public sealed class ClaimTokenFunction : FunctionMessage
{
    [Parameter("tuple", "terms", 1)] public TokenTermsStruct Terms { get; set; } = new();
    [Parameter("uint256", "sk", 2)] public BigInteger PrivateKey { get; set; }
}

/// <summary>refundToken(TokenTerms terms).</summary>
[Function("refundToken")]
public sealed class RefundTokenFunction : FunctionMessage
{
    [Parameter("tuple", "terms", 1)] public TokenTermsStruct Terms { get; set; } = new();
}

/// <summary>TokenEscrowOpened(address indexed workKey, bytes32 indexed agreementId, customer, payee, workHash, amount, deadline, token).</summary>
[Event("TokenEscrowOpened")]
public sealed class TokenEscrowOpenedEventDto : IEventDTO
{
    [Parameter("address", "workKey", 1, true)] public string WorkKey { get; set; } = "";
    [Parameter("bytes32", "agreementId", 2, true)] public byte[] AgreementId { get; set; } = [];
    [Parameter("address", "customer", 3, false)] public string Customer { get; set; } = "";
    [Parameter("address", "payee", 4, false)] public string Payee { get; set; } = "";
    [Parameter("bytes32", "workHash", 5, false)] public byte[] WorkHash { get; set; } = [];
    [Parameter("uint256", "amount", 6, false)] public BigInteger Amount { get; set; }
    [Parameter("uint256", "deadline", 7, false)] public BigInteger Deadline { get; set; }
    [Parameter("address", "token", 8, false)] public string Token { get; set; } = "";
}
