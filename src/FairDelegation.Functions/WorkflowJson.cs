using System.Text.Json;

namespace FairDelegation.Functions;

/// <summary>The JSON options of every payload the Functions runtime stores for the workflows: the workflows' own (DurableJson).</summary>
internal static class WorkflowJson
{
    public static JsonSerializerOptions Options { get; } = FairDelegation.Workflows.DurableJson.Options;
}
