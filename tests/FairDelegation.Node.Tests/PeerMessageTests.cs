using FairDelegation.Chain.Crypto;
using FairDelegation.Node.Configuration;
using FairDelegation.Node.Peers;
using FairDelegation.Node.Storage;
using Microsoft.Extensions.Options;

namespace FairDelegation.Node.Tests;

public sealed class PeerMessageTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fd-peer-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private NodeIdentity Identity(string name) => NodeIdentity.LoadOrCreate(Path.Combine(_dir, name + ".key"));

    private PeerInbox Inbox(NodeIdentity me) =>
        new(new NodeDatabase(Path.Combine(_dir, "node.db")), me, Options.Create(new NodeOptions()), TimeProvider.System);

    [Fact]
    public void A_signed_envelope_verifies_and_any_change_breaks_it()
    {
        var alice = Identity("alice");
        var bob = Identity("bob");
        var m = PeerEnvelope.Create(alice, "work-delivered", "0x" + new string('a', 64), bob.Address.ToLowerHex(), """{"x":1}""", DateTimeOffset.UtcNow);
        m.VerifySender().Should().Be(alice.Address);

        foreach (var tampered in new[]
                 {
                     m with { Body = """{"x":2}""" }, m with { AgreementId = "0x" + new string('b', 64) },
                     m with { Timestamp = m.Timestamp + 1 }, m with { To = alice.Address.ToLowerHex() }, m with { Kind = "quote" },
                     m with { From = bob.Address.ToLowerHex() },
                 })
        {
            tampered.Invoking(t => t.VerifySender()).Should().Throw<PeerAuthenticationException>();
        }
    }

    [Fact]
    public async Task A_replayed_message_gets_the_stored_reply_and_runs_the_handler_once()
    {
        var customer = Identity("customer");
        var provider = Identity("provider");
        var inbox = Inbox(provider);
        var m = PeerEnvelope.Create(customer, "quote-request", "0x01", provider.Address.ToLowerHex(), "{}", DateTimeOffset.UtcNow);
        var runs = 0;
        Task<string> Handle(EthereumAddress _) { runs++; return Task.FromResult("""{"ok":true}"""); }

        var first = await inbox.ReceiveAsync(m, "quote-request", null, Handle);
        var second = await inbox.ReceiveAsync(m, "quote-request", null, Handle);

        runs.Should().Be(1);
        second.Should().Be(first);
        first.VerifySender().Should().Be(provider.Address);
        first.To.Should().Be(customer.Address.ToLowerHex());
    }

    [Fact]
    public async Task Messages_for_another_node_from_another_sender_or_too_old_are_refused()
    {
        var customer = Identity("customer");
        var provider = Identity("provider");
        var stranger = Identity("stranger");
        var inbox = Inbox(provider);
        Task<string> Handle(EthereumAddress _) => Task.FromResult("{}");

        var toOther = PeerEnvelope.Create(customer, "k", "0x01", stranger.Address.ToLowerHex(), "{}", DateTimeOffset.UtcNow);
        await inbox.Invoking(i => i.ReceiveAsync(toOther, "k", null, Handle)).Should().ThrowAsync<PeerAuthenticationException>().WithMessage("*addressed*");

        var old = PeerEnvelope.Create(customer, "k", "0x01", provider.Address.ToLowerHex(), "{}", DateTimeOffset.UtcNow.AddHours(-1));
        await inbox.Invoking(i => i.ReceiveAsync(old, "k", null, Handle)).Should().ThrowAsync<PeerAuthenticationException>().WithMessage("*timestamp*");

        var fromStranger = PeerEnvelope.Create(stranger, "k", "0x01", provider.Address.ToLowerHex(), "{}", DateTimeOffset.UtcNow);
        await inbox.Invoking(i => i.ReceiveAsync(fromStranger, "k", customer.Address, Handle)).Should().ThrowAsync<PeerAuthenticationException>().WithMessage("*is with*");
    }

    [Fact]
    public async Task A_failed_handler_leaves_the_message_retryable()
    {
        var customer = Identity("customer");
        var provider = Identity("provider");
        var inbox = Inbox(provider);
        var m = PeerEnvelope.Create(customer, "k", "0x01", provider.Address.ToLowerHex(), "{}", DateTimeOffset.UtcNow);
        await inbox.Invoking(i => i.ReceiveAsync(m, "k", null, _ => throw new FormatException("bad"))).Should().ThrowAsync<FormatException>();
        var reply = await inbox.ReceiveAsync(m, "k", null, _ => Task.FromResult("""{"second":true}"""));
        reply.Body.Should().Contain("second");
    }
}
