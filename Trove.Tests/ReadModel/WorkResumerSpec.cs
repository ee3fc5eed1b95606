using Akka.Actor;
using LinqToDB;
using LinqToDB.Data;
using Trove.Actors.Backups;
using Trove.Actors.Instances;
using Trove.Actors.ReadModel;
using Trove.Actors.Sql;

namespace Trove.Tests.ReadModel;

/// <summary>The work resumer against a real SQLite read model, with probes for the shard regions.</summary>
public sealed class WorkResumerSpec : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"resumer-{Guid.NewGuid():N}.db");

    public WorkResumerSpec() : base("akka.loglevel = WARNING") { }

    void IDisposable.Dispose()
    {
        Shutdown();
        File.Delete(_file);
    }

    private async Task<ReadModelDb> ReadModelWithAsync(params (string Kind, string Id, bool Busy)[] rows)
    {
        var db = new ReadModelDb(new SqlDatabase("SQLite.MS", $"Data Source={_file};Pooling=false"));
        await db.EnsureCreatedAsync();
        await using var connection = db.Open();
        foreach (var (kind, id, busy) in rows)
            await connection.InsertAsync(new EntityRow { Kind = kind, Id = id, TenantId = "demo", Busy = busy, State = "{}" });
        return db;
    }

    [Fact]
    public async Task It_wakes_every_busy_instance_and_backup_at_once_and_again_each_period()
    {
        var db = await ReadModelWithAsync(("instance", "building", true), ("instance", "idle", false),
            ("backup", "running", true), ("backup", "done", false));
        var instances = CreateTestProbe();
        var backups = CreateTestProbe();

        Sys.ActorOf(WorkResumer.Props(db, instances, backups, TimeSpan.FromMilliseconds(300)));

        Assert.Equal("building", instances.ExpectMsg<InstanceCommands.Wake>().InstanceId);
        Assert.Equal("running", backups.ExpectMsg<BackupCommands.Wake>().BackupId);
        instances.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Assert.Equal("building", instances.ExpectMsg<InstanceCommands.Wake>(TimeSpan.FromSeconds(3)).InstanceId);
        Assert.Equal("running", backups.ExpectMsg<BackupCommands.Wake>(TimeSpan.FromSeconds(3)).BackupId);
    }

    [Fact]
    public async Task A_read_model_made_before_the_busy_column_gets_it()
    {
        await using (var old = new SqlDatabase("SQLite.MS", $"Data Source={_file};Pooling=false").Open())
            await old.ExecuteAsync("CREATE TABLE entity_view (kind TEXT NOT NULL, id TEXT NOT NULL, tenant_id TEXT NOT NULL, created_ticks INTEGER NOT NULL, " +
                                   "deleted INTEGER NOT NULL, state TEXT NOT NULL, PRIMARY KEY (kind, id)); " +
                                   "INSERT INTO entity_view VALUES ('instance', 'old', 'demo', 0, 0, '{}')");

        var db = await ReadModelWithAsync(("instance", "new", true));

        Assert.Equal(["new"], await db.BusyIdsAsync("instance"));
    }
}
