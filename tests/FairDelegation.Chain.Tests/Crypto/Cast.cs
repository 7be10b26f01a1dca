using FairDelegation.Testing;

namespace FairDelegation.Chain.Tests.Crypto;

/// <summary>Foundry's cast, the independent implementation our primitives are checked against.</summary>
internal static class Cast
{
    public static async Task<string> RunAsync(params string[] args)
    {
        var r = await ProcessRunner.RunAsync(RepoPaths.Cast, args, timeout: TimeSpan.FromSeconds(30));
        r.EnsureSuccess();
        return r.StdOut.Trim();
    }
}
