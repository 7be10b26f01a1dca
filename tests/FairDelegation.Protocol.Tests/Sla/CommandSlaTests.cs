using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using FairDelegation.Protocol.Sla;

namespace FairDelegation.Protocol.Tests.Sla;

public class CommandSlaTests
{
    // A customer-supplied checker: the work must start with "OK"; otherwise it explains why on stderr.
    private const string Checker = """
        #!/bin/sh
        if head -c 2 "$1" | grep -q '^OK'; then exit 0; fi
        echo "first bytes are not OK" >&2
        exit 3
        """;

    private static async Task<SlaVerdict> Run(CommandSla sla, string work, Dictionary<string, byte[]>? assets = null)
    {
        using var files = new TempFiles();
        assets ??= [];
        sla.Validate(assets);
        return await sla.CheckAsync(new SlaCheckContext(files.Write("work", work), assets));
    }

    [Fact]
    public async Task Checker_from_the_package_accepts_and_rejects_with_its_stderr_as_reason()
    {
        var checker = Encoding.UTF8.GetBytes(Checker.ReplaceLineEndings("\n"));
        var sla = new CommandSla(["{checker}", "{work}"], CheckerAsset: "checker",
            CheckerSha256: "0x" + Convert.ToHexStringLower(SHA256.HashData(checker)));
        var assets = new Dictionary<string, byte[]> { ["checker"] = checker };
        (await Run(sla, "OK fine", assets)).Compliant.Should().BeTrue();
        var fail = await Run(sla, "nope", assets);
        fail.Compliant.Should().BeFalse();
        fail.Reason.Should().Contain("exit 3").And.Contain("first bytes are not OK");
    }

    [Fact]
    public void A_checker_that_is_not_the_committed_one_is_refused()
    {
        var sla = new CommandSla(["{checker}"], CheckerAsset: "checker", CheckerSha256: "0x" + new string('0', 64));
        FluentActions.Invoking(() => sla.Validate(new Dictionary<string, byte[]> { ["checker"] = [1] }))
            .Should().Throw<FormatException>().WithMessage("*SHA-256*");
    }

    [Fact]
    public async Task Work_path_is_appended_when_not_templated()
    {
        (await Run(new CommandSla(["grep", "-q", "needle"]), "hay needle hay")).Compliant.Should().BeTrue();
        (await Run(new CommandSla(["grep", "-q", "needle"]), "hay hay")).Compliant.Should().BeFalse();
    }

    [Fact]
    public async Task Timeout_kills_the_whole_process_tree()
    {
        var marker = Path.Combine(Path.GetTempPath(), "fd-sleep-" + Guid.NewGuid().ToString("N"));
        var sw = Stopwatch.StartNew();
        // The shell starts a grandchild that would outlive a kill of the shell alone.
        var verdict = await Run(new CommandSla(["sh", "-c", $"sleep 30 & echo $! > {marker}; wait", "checker"], TimeoutMilliseconds: 300), "x");
        sw.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10));
        verdict.Compliant.Should().BeFalse();
        verdict.Reason.Should().Contain("timed out");
        var pid = int.Parse((await File.ReadAllTextAsync(marker)).Trim());
        File.Delete(marker);
        await Task.Delay(200);
        IsRunning(pid).Should().BeFalse("the grandchild must be killed with the checker");
    }

    [Fact]
    public async Task Output_beyond_the_limit_is_a_violation()
    {
        var verdict = await Run(new CommandSla(["sh", "-c", "yes", "checker"], MaxOutputBytes: 100_000), "x");
        verdict.Compliant.Should().BeFalse();
        verdict.Reason.Should().Contain("output limit");
    }

    [Fact]
    public async Task A_missing_program_is_a_violation_not_a_crash()
    {
        var verdict = await Run(new CommandSla(["/nonexistent/checker"]), "x");
        verdict.Compliant.Should().BeFalse();
        verdict.Reason.Should().Contain("could not be started");
    }

    /// <summary>Alive and not a zombie (a killed orphan may wait for a reaper that never comes in a container).</summary>
    private static bool IsRunning(int pid)
    {
        var stat = $"/proc/{pid}/stat";
        if (!File.Exists(stat)) return false;
        try
        {
            var text = File.ReadAllText(stat);
            var state = text[(text.LastIndexOf(')') + 2)..].Split(' ')[0];
            return state is not ("Z" or "X");
        }
        catch (IOException) { return false; }
    }
}
