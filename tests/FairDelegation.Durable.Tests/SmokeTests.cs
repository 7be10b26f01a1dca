namespace FairDelegation.Durable.Tests;
public class SmokeTests
{
    [Fact]
    public void Sqlite_loads() => FairDelegation.Durable.SqliteSmoke.Version().Should().StartWith("3.");
}
