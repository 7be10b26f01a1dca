using System.Numerics;
using FairDelegation.Chain.Crypto;
using FairDelegation.Protocol.Agreements;
using FairDelegation.Protocol.Keys;
using FairDelegation.Protocol.Serialization;
using FairDelegation.Protocol.Sla;

namespace FairDelegation.Protocol.Tests;

/// <summary>Deterministic agreement terms for tests: sp's work key = anvil key 1, c's verifier key = anvil key 2.</summary>
internal static class TestTerms
{
    public static readonly EthereumAddress Escrow = EthereumAddress.Parse("0x5FbDB2315678afecb367f032d93F642f64180aa3");
    public static readonly EthereumAddress Customer = EthereumAddress.Parse("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
    public static readonly EthereumAddress Payee = EthereumAddress.Parse("0x90F79bf6EB2c4f870365E785982E1f101E93b906");

    public static DisposableKeyPair WorkKey() => TestKeys.Pair(TestKeys.Anvil1);

    public static DisposableKeyPair VerifierKey() => TestKeys.Pair(TestKeys.Anvil2);

    public static AgreementTerms Create(ServiceLevelAgreement? sla = null, BigInteger? wage = null) => new(
        ChainId: 31337,
        Escrow: Escrow,
        Customer: Customer,
        Payee: Payee,
        WorkPublicKey: WorkKey().PublicKey,
        VerifierKey: VerifierKey().Address,
        Wage: wage ?? BigInteger.Parse("1000000000000000000"),
        DeliveryDeadline: 1_900_000_000,
        EscrowDeadline: 1_900_003_600,
        Service: "train-classifier",
        Sla: sla ?? new MaxBytesSla(1 << 20),
        InputHash: Bytes32.Parse("0x" + new string('a', 64)),
        Nonce: Bytes32.Parse("0x" + new string('0', 62) + "01"));
}
