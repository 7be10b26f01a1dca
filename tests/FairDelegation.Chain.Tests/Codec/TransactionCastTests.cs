using System.Globalization;
using System.Numerics;
using FairDelegation.Chain.Accounts;
using FairDelegation.Chain.Crypto;
using FairDelegation.Chain.Escrow;
using FairDelegation.Chain.Transactions;
using FairDelegation.Chain.Tests.Crypto;

namespace FairDelegation.Chain.Tests.Codec;

/// <summary>Our EIP-1559 transactions are byte-identical to Foundry's `cast mktx` for the same inputs.</summary>
public class TransactionCastTests
{
    private static string D(BigInteger v) => v.ToString(CultureInfo.InvariantCulture);

    private static async Task<string> CastMktxAsync(string key, Eip1559Transaction tx, params string[] target)
    {
        string[] args =
        [
            "mktx", "--private-key", key, "--nonce", D(tx.Nonce), "--gas-limit", D(tx.GasLimit),
            "--priority-gas-price", D(tx.MaxPriorityFeePerGas), "--gas-price", D(tx.MaxFeePerGas),
            "--chain", D(tx.ChainId), "--value", D(tx.Value), .. target,
        ];
        return await Cast.RunAsync(args);
    }

    [Theory]
    [InlineData(Keys.Anvil0, 31337, 0, 1, 2)]
    [InlineData(Keys.Anvil1, 1, 7, 1_000_000_000, 30_000_000_000)]
    [InlineData("0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318", 11155111, 300, 0, 5)]
    public async Task Call_transaction_equals_cast_mktx(string key, long chainId, long nonce, long tip, long maxFee)
    {
        var to = EthereumAddress.Parse("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
        var data = Hex.Decode("0xdeadbeef00000000000000000000000000000000000000000000000000000000000000ff");
        var tx = new Eip1559Transaction(chainId, nonce, tip, maxFee, 123_456, to, BigInteger.Parse("1000000000000000001"), data);
        var ours = EthAccount.FromPrivateKey(key).SignTransaction(tx);

        var cast = await CastMktxAsync(key, tx, to.ToString(), Hex.Encode(data));
        ours.RawHex.Should().Be(cast);
        ours.Sender.Should().Be(EthAccount.FromPrivateKey(key).Address);
        ours.Hash.Should().Be(Hex.Encode(Keccak256.Hash(Hex.Decode(cast))));
    }

    [Fact]
    public async Task Contract_creation_of_the_escrow_equals_cast_mktx_create()
    {
        var tx = new Eip1559Transaction(31337, 3, 1_000_000_000, 2_000_000_000, 900_000, null, 0, EscrowContract.CreationBytecode);
        var ours = EthAccount.FromPrivateKey(Keys.Anvil0).SignTransaction(tx);
        var cast = await CastMktxAsync(Keys.Anvil0, tx, "--create", Hex.Encode(EscrowContract.CreationBytecode));
        ours.RawHex.Should().Be(cast);
    }

    [Fact]
    public async Task Created_contract_address_equals_cast_compute_address()
    {
        var sender = EthAccount.FromPrivateKey(Keys.Anvil0).Address;
        foreach (var nonce in new[] { 0, 1, 127, 128, 70000 })
        {
            var cast = await Cast.RunAsync("compute-address", sender.ToString(), "--nonce", nonce.ToString(CultureInfo.InvariantCulture));
            cast.Should().EndWith(ContractAddress.From(sender, nonce).ToString());
        }
    }

    [Fact]
    public void Account_never_prints_its_key()
    {
        var account = EthAccount.FromPrivateKey(Keys.Anvil0);
        account.ToString().Should().NotContain(Keys.Anvil0[2..]).And.Contain(account.Address.ToString());
        FluentActions.Invoking(() => EthAccount.FromPrivateKey("0x1234")).Should().Throw<FormatException>()
            .Which.Message.Should().NotContain("1234");
    }

    [Fact]
    public void Priority_fee_above_max_fee_is_rejected()
    {
        var tx = new Eip1559Transaction(1, 0, 10, 5, 21000, EthereumAddress.Zero, 0, []);
        FluentActions.Invoking(() => tx.EncodeUnsigned()).Should().Throw<ArgumentException>();
    }
}
