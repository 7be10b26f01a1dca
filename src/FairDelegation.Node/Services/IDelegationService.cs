namespace FairDelegation.Node.Services;

/// <summary>One run of a service: the customer's input file, where the work goes, and the run's limits.</summary>
/// <param name="InputPath">The customer's input, fetched into a local file.</param>
/// <param name="OutputPath">Where the service writes the work w (the file does not exist yet).</param>
/// <param name="Attempt">1 for the first run; a later attempt follows a verifier rejection.</param>
/// <param name="TimeLimit">The run is stopped after this long.</param>
public sealed record ServiceRun(string InputPath, string OutputPath, int Attempt, TimeSpan TimeLimit);

/// <summary>A service a provider offers (step 3 produces the work with it).</summary>
public interface IDelegationService
{
    /// <summary>The name customers ask for (train-classifier, or a registered external command's name).</summary>
    string Name { get; }

    /// <summary>Produces the work from the input. Throws <see cref="ServiceFailedException"/> when it cannot.</summary>
    Task ProduceAsync(ServiceRun run, CancellationToken cancellationToken);
}

/// <summary>The service could not produce work (bad input, crash, time limit).</summary>
public sealed class ServiceFailedException(string message) : Exception(message);
