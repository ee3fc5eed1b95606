using LinqToDB.Data;
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

    private static Task<long> SynchronousAsync(DataConnection db) => db.ExecuteAsync<long>("PRAGMA synchronous");

    public void Dispose() => Directory.Delete(_dataDir, recursive: true);
}
