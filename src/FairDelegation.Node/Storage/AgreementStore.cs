using FairDelegation.Node.Configuration;

namespace FairDelegation.Node.Storage;

/// <summary>
/// Maps agreement ids to the orchestration instances that run them (the chain watcher and the peer routes look
/// agreements up here) and pins the peer's identity for each agreement.
/// </summary>
public sealed class AgreementStore(NodeDatabase database)
{
    /// <summary>Records an agreement; recording the same one again is a no-op (activities may run twice).</summary>
    public void Record(AgreementRecord a)
    {
        using var c = database.Open();
        NodeDatabase.Execute(c, """
            INSERT OR IGNORE INTO agreements (agreement_id, role, instance_id, work_key, peer_url, peer_identity, terms_json, created_utc)
            VALUES ($a, $r, $i, $w, $u, $p, $t, $c)
            """,
            ("$a", a.AgreementId.ToLowerInvariant()), ("$r", a.Role.ToString()), ("$i", a.InstanceId), ("$w", a.WorkKey.ToLowerInvariant()), ("$u", a.PeerUrl),
            ("$p", a.PeerIdentity.ToLowerInvariant()), ("$t", a.TermsJson), ("$c", a.CreatedUtc.ToString("O")));
    }

    /// <summary>The agreement as seen by one role, or null.</summary>
    public AgreementRecord? Find(string agreementId, NodeRole role) =>
        Query("SELECT * FROM agreements WHERE agreement_id = $a AND role = $r", ("$a", agreementId.ToLowerInvariant()), ("$r", role.ToString())).FirstOrDefault();

    /// <summary>Every role's record of an agreement (both when a node plays both sides in a test).</summary>
    public IReadOnlyList<AgreementRecord> FindAll(string agreementId) =>
        Query("SELECT * FROM agreements WHERE agreement_id = $a", ("$a", agreementId.ToLowerInvariant()));

    /// <summary>Every record whose escrow is named by this work key (address, 0x-hex).</summary>
    public IReadOnlyList<AgreementRecord> FindByWorkKey(string workKey) =>
        Query("SELECT * FROM agreements WHERE work_key = $w", ("$w", workKey.ToLowerInvariant()));

    private List<AgreementRecord> Query(string sql, params (string, object?)[] p)
    {
        using var c = database.Open();
        using var cmd = NodeDatabase.Command(c, sql, p);
        using var r = cmd.ExecuteReader();
        var list = new List<AgreementRecord>();
        while (r.Read())
        {
            list.Add(new AgreementRecord(r.GetString(0), Enum.Parse<NodeRole>(r.GetString(1)), r.GetString(2), r.GetString(3),
                r.GetString(4), r.GetString(5), r.GetString(6), DateTimeOffset.Parse(r.GetString(7), System.Globalization.CultureInfo.InvariantCulture)));
        }
        return list;
    }
}
