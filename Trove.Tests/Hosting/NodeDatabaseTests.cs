using LinqToDB.Data;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Trove.Actors.Hosting;
using Trove.Actors.ReadModel;
using Trove.Actors.Sql;
using Trove.Tests.Support;

namespace Trove.Tests.Hosting;

/// <summary>How the node's SQLite connections commit: only what derives from the journal skips waiting for the disk.</summary>
public sealed class NodeDatabaseTests : IDisposable
{
    private const long Normal = 1, Full = 2;
    private readonly string _dataDir = TroveNode.NewDataDir();

    [Fact]
    public async Task The_read_model_commits_without_waiting_for_the_disk_and_acknowledged_data_waits()
    {
        var settings = new TroveSettings { DataDir = _dataDir };
        await using var services = new ServiceCollection().AddLogging().AddTroveNode(settings).BuildServiceProvider();
        await using (var readModel = services.GetRequiredService<ReadModelDb>().Open())
            Assert.Equal(Normal, await SynchronousAsync(readModel));
        // the catalog's and configuration groups' connections: the same file, what the API acknowledged in it is on disk
        await using (var acknowledged = new SqlDatabase(settings.DatabaseProvider, settings.ReadModelConnection).Open())
            Assert.Equal(Full, await SynchronousAsync(acknowledged));
    }

    /// <summary>Microsoft.Data.Sqlite pools its native connections, which keep their PRAGMAs: a reopened one runs them
    /// again only for another synchronous mode (the read model and the catalog share a file, so a native connection).</summary>
    [Fact]
    public async Task A_pooled_connection_runs_its_PRAGMAs_once_and_again_for_another_synchronous_mode()
    {
        var settings = new TroveSettings { DataDir = _dataDir };
        var acknowledged = new SqlDatabase(settings.DatabaseProvider, settings.ReadModelConnection);
        object native;
        await using (var first = acknowledged.Open())
        {
            native = Native(first);
            await first.ExecuteAsync("PRAGMA busy_timeout = 7");
        }
        await using (var reopened = acknowledged.Open())
        {
            Assert.Same(native, Native(reopened));
            Assert.Equal(7, await reopened.ExecuteAsync<long>("PRAGMA busy_timeout"));
        }
        await using (var readModel = new SqlDatabase(settings.DatabaseProvider, settings.ReadModelConnection, derived: true).Open())
        {
            Assert.Same(native, Native(readModel));
            Assert.Equal(Normal, await SynchronousAsync(readModel));
            Assert.Equal((long)SqlDatabase.SqliteBusyTimeout.TotalMilliseconds, await readModel.ExecuteAsync<long>("PRAGMA busy_timeout"));
        }
        await using (var again = acknowledged.Open())
        {
            Assert.Same(native, Native(again));
            Assert.Equal(Full, await SynchronousAsync(again));
        }
    }

    private static object Native(DataConnection db) => ((SqliteConnection)db.OpenDbConnection()).Handle!;

    private static Task<long> SynchronousAsync(DataConnection db) => db.ExecuteAsync<long>("PRAGMA synchronous");

    public void Dispose() => Directory.Delete(_dataDir, recursive: true);
}
