using Microsoft.Data.Sqlite;

namespace FairDelegation.Node.Storage;

/// <summary>
/// The node's own SQLite file: agreements it takes part in, peer messages already processed (idempotence),
/// blobs shared with peers by token, and the chain watcher's cursor. The durable engine keeps its own store.
/// </summary>
public sealed class NodeDatabase
{
    private readonly string _connectionString;

    public NodeDatabase(string path)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = full,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        using var c = Open();
        Execute(c, """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS agreements (
                agreement_id TEXT NOT NULL,
                role TEXT NOT NULL,
                instance_id TEXT NOT NULL,
                work_key TEXT NOT NULL,
                peer_url TEXT NOT NULL,
                peer_identity TEXT NOT NULL,
                terms_json TEXT NOT NULL,
                created_utc TEXT NOT NULL,
                PRIMARY KEY (agreement_id, role));
            CREATE INDEX IF NOT EXISTS agreements_by_work_key ON agreements (work_key);
            CREATE TABLE IF NOT EXISTS peer_messages (
                message_id TEXT PRIMARY KEY,
                agreement_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                sender TEXT NOT NULL,
                received_utc TEXT NOT NULL,
                response_json TEXT);
            CREATE TABLE IF NOT EXISTS shares (
                token TEXT PRIMARY KEY,
                agreement_id TEXT NOT NULL,
                blob_name TEXT NOT NULL,
                length INTEGER NOT NULL,
                sha256 TEXT NOT NULL,
                created_utc TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS raised_events (
                log_key TEXT PRIMARY KEY,
                raised_utc TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS chain_cursor (
                name TEXT PRIMARY KEY,
                value TEXT NOT NULL);
            """);
    }

    /// <summary>A new open connection (pooled); the caller disposes it.</summary>
    public SqliteConnection Open()
    {
        var c = new SqliteConnection(_connectionString);
        c.Open();
        // WAL with synchronous=NORMAL, like the engine's store by default: a commit survives a process crash without an
        // fsync each; a power loss may drop the last commits. (The key store keeps FULL: a work key must never be lost.)
        Execute(c, "PRAGMA synchronous = NORMAL;");
        return c;
    }

    internal static int Execute(SqliteConnection c, string sql, params (string Name, object? Value)[] parameters)
    {
        using var cmd = Command(c, sql, parameters);
        return cmd.ExecuteNonQuery();
    }

    internal static SqliteCommand Command(SqliteConnection c, string sql, params (string Name, object? Value)[] parameters)
    {
        var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return cmd;
    }
}
