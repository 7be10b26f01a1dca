using System.Data.Common;
using System.Text.Json;
using FairDelegation.Durable.Client;

namespace FairDelegation.Durable.Stores;

/// <summary>
/// An instance row as both stores select it: instance_id, name, status, created_at, last_updated_at, custom_status,
/// failure, then (when payloads are asked for) input, output.
/// </summary>
internal static class InstanceRows
{
    public static InstanceRecord Read(DbDataReader r, bool payloads) => new(
        r.GetString(0), r.GetString(1), (OrchestrationRuntimeStatus)r.GetInt32(2),
        StoreTime.FromMs(r.GetInt64(3)), StoreTime.FromMs(r.GetInt64(4)),
        payloads && !r.IsDBNull(7) ? r.GetString(7) : null,
        payloads && !r.IsDBNull(8) ? r.GetString(8) : null,
        r.IsDBNull(5) ? null : r.GetString(5),
        r.IsDBNull(6) ? null : JsonSerializer.Deserialize<TaskFailureDetails>(r.GetString(6)));
}
