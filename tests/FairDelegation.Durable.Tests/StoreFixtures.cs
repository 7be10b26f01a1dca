using FairDelegation.Testing;

namespace FairDelegation.Durable.Tests;

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresCluster>
{
    public const string Name = "postgres";
}

/// <summary>How a test class gets a fresh, empty store.</summary>
public interface IStoreProvider
{
    /// <summary>Configures a builder for a store no other test uses (a new file or schema each call).</summary>
    Action<DurableTaskBuilder> NewStore();

    /// <summary>The same store again (a second worker, or a restarted one).</summary>
    Action<DurableTaskBuilder> SameStore();
}

public sealed class SqliteStoreProvider : IStoreProvider, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fd-durable-").FullName;
    private string? _current;

    public Action<DurableTaskBuilder> NewStore()
    {
        _current = $"Data Source={Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".db")}";
        return SameStore();
    }

    public Action<DurableTaskBuilder> SameStore()
    {
        var cs = _current ?? throw new InvalidOperationException("no store yet");
        return b => b.UseSqlite(cs);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}

public sealed class PostgresStoreProvider(PostgresCluster cluster) : IStoreProvider
{
    private string? _schema;

    public Action<DurableTaskBuilder> NewStore()
    {
        _schema = "t_" + Guid.NewGuid().ToString("N")[..16];
        return SameStore();
    }

    public Action<DurableTaskBuilder> SameStore()
    {
        var schema = _schema ?? throw new InvalidOperationException("no store yet");
        var cs = cluster.ConnectionString;
        return b => b.UsePostgres(cs, schema);
    }
}
