using System.Numerics;
using FairDelegation.Node.Model;

namespace FairDelegation.Node.Customer;

/// <summary>What a customer asks for: a service from a provider, on an input, under an SLA, for at most a wage.</summary>
public sealed record DelegationRequest
{
    /// <summary>
    /// The provider node's base URL; null: the market chooses the provider (by service and maximum wage, among the
    /// registry's providers; docs/market.md) before (0).
    /// </summary>
    public string? ProviderUrl { get; init; }

    /// <summary>
    /// The identity the provider must announce (0x...): set by the market step to the registered identity whose quote
    /// was chosen, so (0) agrees with that provider and no other.
    /// </summary>
    public string? ProviderIdentity { get; init; }

    /// <summary>The wage's currency: null or "ETH", or an ERC-20 token's address.</summary>
    public string? Currency { get; init; }

    public required string Service { get; init; }

    /// <summary>The input's blob name in the customer's own store.</summary>
    public required string InputBlob { get; init; }

    /// <summary>
    /// The input's SHA-256 (hex) as the store computed it when the input was written, when the caller has it (the HTTP
    /// API does): (0) then takes H(input) from here instead of reading the blob's properties.
    /// </summary>
    public string? InputSha256 { get; init; }

    /// <summary>The SLA the verifier checks: the protocol layer's SLA JSON document (its "kind" says which).</summary>
    public required string Sla { get; init; }

    /// <summary>The verifier's hidden assets (e.g. "test-set"), by asset name, as blob names in the customer's store.</summary>
    public IReadOnlyDictionary<string, string> Assets { get; init; } = new Dictionary<string, string>();

    /// <summary>wage_c: the most the customer pays, in wei (or the token's base units).</summary>
    public required BigInteger MaxWage { get; init; }

    /// <summary>
    /// 0 for the first quote; n for the n-th fresh quote, asked for when somebody else took the quoted work key's escrow
    /// slot (issue 11 #7). Keys the round's proposal id, verifier key and messages, so each round is a new agreement.
    /// </summary>
    public int QuoteRound { get; init; }
}

/// <summary>The customer orchestration's input: the request plus the waits fixed at its start.</summary>
public sealed record CustomerDelegationInput(DelegationRequest Request, DelegationTimeouts Timeouts);
