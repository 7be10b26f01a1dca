using Microsoft.Data.Sqlite;

namespace FairDelegation.Durable.TestWorker;

/// <summary>
/// The crash tests' observable world: every activity execution is logged (attempts), and its side effect is an
/// INSERT OR IGNORE keyed by the idempotency key (effects), so "exactly once" is checkable from outside.
/// </summary>
public static class SideEffects
{
    public static string Database(string dir) => Path.Combine(dir, "side-effects.db");

    public static void Record(string dir, string key, string label)
    {
        using var c = new SqliteConnection($"Data Source={Database(dir)};Pooling=false");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = """
            PRAGMA busy_timeout=10000;
            CREATE TABLE IF NOT EXISTS attempts(key TEXT NOT NULL, label TEXT NOT NULL, pid INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS effects(key TEXT PRIMARY KEY, label TEXT NOT NULL);
            INSERT INTO attempts(key, label, pid) VALUES($key, $label, $pid);
            """;
        cmd.Parameters.AddWithValue("$key", key);
        cmd.Parameters.AddWithValue("$label", label);
        cmd.Parameters.AddWithValue("$pid", Environment.ProcessId);
        cmd.ExecuteNonQuery();
    }

    public static void Apply(string dir, string key, string label)
    {
        using var c = new SqliteConnection($"Data Source={Database(dir)};Pooling=false");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "PRAGMA busy_timeout=10000; INSERT OR IGNORE INTO effects(key, label) VALUES($key, $label);";
        cmd.Parameters.AddWithValue("$key", key);
        cmd.Parameters.AddWithValue("$label", label);
        cmd.ExecuteNonQuery();
    }
}
