using System.Text;
using DurableTask.Core;
using DurableTask.Core.Query;

namespace FairDelegation.Durable.Sqlite;

public sealed partial class SqliteOrchestrationService
{
    private const int DefaultPageSize = 100;

    /// <summary>
    /// One page of instances in instance-id order, filtered by status, creation time and id prefix. The
    /// continuation token is the last id of the page (base64), so pages stay stable while instances are added.
    /// </summary>
    public async Task<OrchestrationQueryResult> GetOrchestrationWithQueryAsync(OrchestrationQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.PageSize < 0) throw new ArgumentOutOfRangeException(nameof(query), query.PageSize, "PageSize must not be negative");
        var pageSize = query.PageSize == 0 ? DefaultPageSize : query.PageSize;
        await _db.EnsureCreatedAsync(cancellationToken);
        await using var c = await _db.OpenReaderAsync(cancellationToken);
        await using var cmd = c.CreateCommand();
        var sql = new StringBuilder($"SELECT {StateColumns}, {(query.FetchInputsAndOutputs ? "input, output" : "NULL, NULL")} FROM instances WHERE 1 = 1");
        if (!string.IsNullOrEmpty(query.ContinuationToken))
        {
            string after;
            try { after = Encoding.UTF8.GetString(Convert.FromBase64String(query.ContinuationToken)); }
            catch (FormatException) { throw new ArgumentException("the continuation token is not one this provider issued", nameof(query)); }
            sql.Append(" AND instance_id > $after");
            cmd.Parameters.AddWithValue("$after", after);
        }
        if (!string.IsNullOrEmpty(query.InstanceIdPrefix))
        {
            sql.Append(" AND substr(instance_id, 1, $plen) = $prefix");
            cmd.Parameters.AddWithValue("$plen", query.InstanceIdPrefix.Length);
            cmd.Parameters.AddWithValue("$prefix", query.InstanceIdPrefix);
        }
        if (query.CreatedTimeFrom is { } from) { sql.Append(" AND created_at >= $from"); cmd.Parameters.AddWithValue("$from", Serialization.Ms(from)); }
        if (query.CreatedTimeTo is { } to) { sql.Append(" AND created_at <= $to"); cmd.Parameters.AddWithValue("$to", Serialization.Ms(to)); }
        if (query.RuntimeStatus is { Count: > 0 } statuses)
            sql.Append(" AND status IN (").Append(string.Join(",", statuses.Select(s => (int)s))).Append(')');
        sql.Append(" ORDER BY instance_id LIMIT $limit");
        cmd.Parameters.AddWithValue("$limit", pageSize + 1);
        cmd.CommandText = sql.ToString();
        var states = new List<OrchestrationState>(pageSize);
        var more = false;
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken))
        {
            while (await r.ReadAsync(cancellationToken))
            {
                if (states.Count == pageSize) { more = true; break; }
                states.Add(ReadState(r));
            }
        }
        var token = more ? Convert.ToBase64String(Encoding.UTF8.GetBytes(states[^1].OrchestrationInstance.InstanceId)) : null;
        return new OrchestrationQueryResult(states, token);
    }

    private static readonly int[] TerminalStatuses =
        [(int)OrchestrationStatus.Completed, (int)OrchestrationStatus.Failed, (int)OrchestrationStatus.Terminated, (int)OrchestrationStatus.Canceled];

    /// <summary>Deletes a finished instance with its history; a pending, running or suspended one is kept (0 deleted).</summary>
    public async Task<PurgeResult> PurgeInstanceStateAsync(string instanceId)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        await _db.EnsureCreatedAsync(CancellationToken.None);
        var deleted = await _db.WriteAsync(async w =>
        {
            var status = await w.ScalarAsync("SELECT status FROM instances WHERE instance_id = $id", ("$id", instanceId));
            if (status is not long s || !Serialization.IsTerminal((OrchestrationStatus)s)) return 0;
            await DeleteInstanceRowsAsync(w, instanceId);
            return 1;
        });
        _historyCache.TryRemove(instanceId, out _);
        return new PurgeResult(deleted);
    }

    /// <summary>Deletes finished instances created in the filter's window (and with its statuses, when it names any).</summary>
    public async Task<PurgeResult> PurgeInstanceStateAsync(PurgeInstanceFilter purgeInstanceFilter)
    {
        ArgumentNullException.ThrowIfNull(purgeInstanceFilter);
        var statuses = purgeInstanceFilter.RuntimeStatus?.Select(s => (int)s).Where(TerminalStatuses.Contains).ToArray() is { Length: > 0 } named ? named : TerminalStatuses;
        var sql = new StringBuilder("SELECT instance_id FROM instances WHERE created_at >= $from");
        if (purgeInstanceFilter.CreatedTimeTo is not null) sql.Append(" AND created_at <= $to");
        sql.Append(" AND status IN (").Append(string.Join(",", statuses)).Append(')');
        return await PurgeWhereAsync(sql.ToString(),
            ("$from", Serialization.Ms(purgeInstanceFilter.CreatedTimeFrom)),
            ("$to", purgeInstanceFilter.CreatedTimeTo is { } to ? Serialization.Ms(to) : null));
    }

    public async Task PurgeOrchestrationHistoryAsync(DateTime thresholdDateTimeUtc, OrchestrationStateTimeRangeFilterType timeRangeFilterType)
    {
        var column = timeRangeFilterType switch
        {
            OrchestrationStateTimeRangeFilterType.OrchestrationCreatedTimeFilter => "created_at",
            OrchestrationStateTimeRangeFilterType.OrchestrationLastUpdatedTimeFilter => "last_updated_at",
            OrchestrationStateTimeRangeFilterType.OrchestrationCompletedTimeFilter => "completed_at",
            _ => throw new ArgumentOutOfRangeException(nameof(timeRangeFilterType), timeRangeFilterType, "unknown time filter"),
        };
        await PurgeWhereAsync($"SELECT instance_id FROM instances WHERE {column} < $threshold AND status IN ({string.Join(",", TerminalStatuses)})",
            ("$threshold", Serialization.Ms(thresholdDateTimeUtc)));
    }

    private async Task<PurgeResult> PurgeWhereAsync(string selectIds, params (string, object?)[] ps)
    {
        await _db.EnsureCreatedAsync(CancellationToken.None);
        var deleted = await _db.WriteAsync(async w =>
        {
            var ids = new List<string>();
            await using (var r = await w.Command(selectIds, ps).ExecuteReaderAsync())
                while (await r.ReadAsync()) ids.Add(r.GetString(0));
            foreach (var id in ids) await DeleteInstanceRowsAsync(w, id);
            foreach (var id in ids) _historyCache.TryRemove(id, out _);
            return ids.Count;
        });
        return new PurgeResult(deleted);
    }
}
