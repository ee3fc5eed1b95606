using Akka.Actor;
using Akka.Hosting;
using LinqToDB;
using LinqToDB.Data;
using Trove.Actors.Backups;
using Trove.Actors.Hosting;
using Trove.Actors.Instances;
using Trove.Actors.ReadModel;
using Trove.Actors.Sql;
using Trove.Tests.Support;
using System.Text.Json;

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

        var registry = new ActorRegistry();
        registry.Register<InstanceRegion>(instances);
        registry.Register<BackupRegion>(backups);
        Sys.ActorOf(WorkResumer.Props(db, TroveNodeExtensions.ResumableKinds(registry), TimeSpan.FromMilliseconds(300)));

        // The first sweep, then the next: only the busy ones, each time (a first query can be slow on a loaded machine).
        for (var sweep = 0; sweep < 2; sweep++)
        {
            Assert.Equal("building", instances.ExpectMsg<InstanceCommands.Wake>(TimeSpan.FromSeconds(10)).InstanceId);
            Assert.Equal("running", backups.ExpectMsg<BackupCommands.Wake>(TimeSpan.FromSeconds(10)).BackupId);
        }
    }

    [Fact]
    public async Task A_read_model_made_before_the_busy_column_gets_it_with_the_work_then_in_progress()
    {
        var building = InstanceState.Apply(null, (InstanceEvents.Created)InstanceDecisions.Create(null,
            new InstanceCommands.Create("building", Requests.Postgres()), DateTimeOffset.UtcNow).Events[0])!;
        var active = InstanceState.Apply(building, new InstanceEvents.BuildCompleted(DateTimeOffset.UtcNow))!;
        await using (var old = new SqlDatabase("SQLite.MS", $"Data Source={_file};Pooling=false").Open())
        {
            await old.ExecuteAsync("CREATE TABLE entity_view (kind TEXT NOT NULL, id TEXT NOT NULL, tenant_id TEXT NOT NULL, " +
                                   "created_ticks INTEGER NOT NULL, deleted INTEGER NOT NULL, state TEXT NOT NULL, PRIMARY KEY (kind, id))");
            foreach (var (id, state) in new[] { ("building", building), ("active", active) })
                await old.ExecuteAsync("INSERT INTO entity_view VALUES ('instance', @id, 'demo', 0, 0, @state)",
                    new DataParameter("id", id), new DataParameter("state", JsonSerializer.Serialize(state, ReadModelDb.Json)));
        }

        var db = new ReadModelDb(new SqlDatabase("SQLite.MS", $"Data Source={_file};Pooling=false"));
        await db.EnsureCreatedAsync([InstanceRegistration.Projection]);

        Assert.Equal(["building"], await db.BusyIdsAsync("instance"));
    }
}
