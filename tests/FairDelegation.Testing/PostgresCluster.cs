using FairDelegation.Durable.Stores.Postgres;
using Xunit;

namespace FairDelegation.Testing;

/// <summary>
/// xunit fixture: a private PostgreSQL cluster (initdb into a temp dir owned by postgres, postgres on a free
/// port, fsync off) for one test collection. Give each test class its own database with
/// <see cref="CreateDatabaseAsync"/>. Disposing stops the server and deletes the directory.
/// </summary>
public sealed class PostgresCluster : IAsyncLifetime
{
    private PostgresLocalCluster? _cluster;
    private int _databases;

    public PostgresLocalCluster Cluster => _cluster ?? throw new InvalidOperationException("the PostgreSQL fixture is not started");

    /// <summary>Connection string to the cluster's "postgres" database.</summary>
    public string ConnectionString => Cluster.ConnectionString();

    public int Port => Cluster.Port;

    public async Task InitializeAsync() => _cluster = await PostgresLocalCluster.StartAsync(durable: false);

    /// <summary>A fresh, empty database; returns its connection string.</summary>
    public Task<string> CreateDatabaseAsync(string prefix = "test") =>
        Cluster.CreateDatabaseAsync($"{prefix.ToLowerInvariant()}_{Interlocked.Increment(ref _databases)}_{Guid.NewGuid().ToString("N")[..8]}");

    public async Task DisposeAsync()
    {
        if (_cluster is not null) await _cluster.DisposeAsync();
    }
}
