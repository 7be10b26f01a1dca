using System.Diagnostics;

namespace FairDelegation.Protocol.Sla;

/// <summary>
/// Where a <see cref="CommandSla"/> checker runs. The checker is the customer's program and the work is the provider's
/// unpaid plaintext: run as the provider's own user it could send the work away or read the node's key store before
/// anything is paid (issue 11 #5). A sandbox shows the checker only the work (read-only), the checker and a scratch folder
/// of its own, with no network, another user and resource limits. The provider node supplies one (bubblewrap); without
/// one a command SLA runs directly, which only a person checking a work on their own machine should allow.
/// </summary>
public abstract class CommandSandbox
{
    /// <summary>The work file's path as the checker sees it.</summary>
    public abstract string WorkPath { get; }

    /// <summary>The checker program's path as the checker sees it.</summary>
    public abstract string CheckerPath { get; }

    /// <summary>The process to start for <paramref name="argv"/> (already naming <see cref="WorkPath"/> and <see cref="CheckerPath"/>).</summary>
    public abstract ProcessStartInfo Start(IReadOnlyList<string> argv, string hostWorkPath, string? hostCheckerPath);

    /// <summary>True when <paramref name="sla"/> runs a customer's program (a command, also inside all-of).</summary>
    public static bool IsNeededFor(ServiceLevelAgreement sla) =>
        sla is CommandSla || (sla is AllOfSla all && all.All.Any(IsNeededFor));
}
