namespace FairDelegation.Durable;

/// <summary>The orchestrator's code no longer matches its recorded history; the instance fails with this.</summary>
public sealed class NonDeterministicOrchestrationException(string message) : Exception(message)
{
    public const string ErrorTypeName = "NonDeterminismError";
}
