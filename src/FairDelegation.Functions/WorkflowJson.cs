using System.Text.Json;
using FairDelegation.Workflows;

namespace FairDelegation.Functions;

/// <summary>
/// The JSON options of every payload the Functions runtime stores for the workflows: the node's
/// (<see cref="DurableJson.Options"/>, wei as decimal strings), so both hosts write the same history.
/// </summary>
internal static class WorkflowJson
{
    public static JsonSerializerOptions Options => DurableJson.Options;
}
