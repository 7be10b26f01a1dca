using System.CommandLine;

namespace FairDelegation.Cli;

/// <summary>A user-facing failure: printed as one line, exit code 1 (or the given code).</summary>
public sealed class CliException(string message, int exitCode = 1) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>Runs the command line so that every error is one clear line on stderr and a non-zero exit.</summary>
public static class CliErrors
{
    public static async Task<int> InvokeAsync(RootCommand root, string[] args)
    {
        // No response files: "@file.json" is how --sla takes a file (as --help shows), so an "@" argument stays the
        // argument instead of being expanded by the parser (which failed on a JSON file).
        var parse = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration
            {
                EnableDefaultExceptionHandler = false,
                // Ctrl+C cancels the command's token; leave it time to stop the processes and nodes it started.
                ProcessTerminationTimeout = TimeSpan.FromSeconds(20),
            });
        }
        catch (CliException e)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return e.ExitCode;
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("error: cancelled");
            return 130;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or ArgumentException
                                      or InvalidOperationException or System.Security.Cryptography.CryptographicException
                                      or HttpRequestException or TimeoutException)
        {
            // Library errors are written to be read by a person; no stack trace for them.
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return 1;
        }
    }
}
