using System.Text.Json;
using LinqToDB;
using Trove.Actors.Configurations;
using Trove.Actors.Instances;
using Trove.Actors.ReadModel;
using Trove.Actors.Sql;

namespace Trove.Tests.Configurations;

/// <summary>The configuration roll-out against a real SQLite store (groups and read model), with a probe for the
/// instance region: a change stored before a crash reaches every attached instance that lacks it, and only those.</summary>
public sealed class ConfigurationRolloutSpec : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"rollout-{Guid.NewGuid():N}.db");
    private readonly SqlDatabase _database;

    public ConfigurationRolloutSpec() : base("akka.loglevel = WARNING") =>
        _database = new SqlDatabase("SQLite.MS", $"Data Source={_file};Pooling=false");

    void IDisposable.Dispose()
    {
        Shutdown();
        File.Delete(_file);
    }

    [Fact]
    public async Task A_change_stored_before_a_crash_reaches_each_attached_instance_that_lacks_it_on_the_next_sweep()
    {
        var repository = new ConfigurationRepository(_database);
        await repository.EnsureSeededAsync(Path.Combine(AppContext.BaseDirectory, "hocon", "validation-rules"));
        var readModel = new ReadModelDb(_database);
        await readModel.EnsureCreatedAsync([InstanceRegistration.Projection]);
        await repository.InsertAsync(new ConfigurationRow
        {
            Id = "g1", TenantId = "demo", Name = "tuned", Datastore = "postgresql", DatastoreVersion = "15",
            ValuesJson = JsonSerializer.Serialize(new Dictionary<string, int> { ["work_mem"] = 4096 }), CreatedTicks = 1, UpdatedTicks = 1,
        });
        // The group changed (its row is stored) and then the node crashed before any attached instance heard of it.
        await repository.UpdateValuesAsync("g1", new Dictionary<string, JsonElement> { ["work_mem"] = JsonSerializer.SerializeToElement(8192) });
        var revision = (await repository.GetAsync("demo", "g1"))!.UpdatedTicks;
        await AddAsync(readModel, Attached("behind-1", revision: 1));
        await AddAsync(readModel, Attached("behind-2", revision: 1));
        await AddAsync(readModel, Attached("current", revision: revision));
        await AddAsync(readModel, Attached("other-group", revision: 1) with { ConfigurationId = "g2" });
        await AddAsync(readModel, Attached("from-before-revisions", revision: null));

        var instances = CreateTestProbe();
        Sys.ActorOf(ConfigurationRollout.Props(repository, readModel, instances, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5)));

        var told = new List<InstanceCommands.AttachConfiguration>();
        for (var i = 0; i < 2; i++)
        {
            var attach = instances.ExpectMsg<InstanceCommands.AttachConfiguration>(TimeSpan.FromSeconds(15));
            told.Add(attach);
            await ProjectAsync(readModel, Attached(attach.InstanceId, attach.Revision)); // as the projection follows the entity
            instances.Reply(new InstanceReplies.Accepted(Attached(attach.InstanceId, attach.Revision)));
        }
        Assert.Equal(["behind-1", "behind-2"], told.Select(t => t.InstanceId).Order());
        Assert.All(told, t => Assert.Equal(revision, t.Revision));
        Assert.All(told, t => Assert.Equal("8192", t.Overrides["work_mem"]));
        instances.ExpectNoMsg(TimeSpan.FromMilliseconds(800)); // sweeps on: the current, the other group's and the older ones are left alone
    }

    private static InstanceState Attached(string id, long? revision) =>
        InstanceState.Apply(
            InstanceState.Apply(null, new InstanceEvents.Created(id, "demo", id, "small", 512, 1, "postgresql", "15", [], [], T0)),
            new InstanceEvents.ConfigurationAttached("g1", false, T0, revision));

    private static async Task ProjectAsync(ReadModelDb readModel, InstanceState state)
    {
        await using var connection = readModel.Open();
        await connection.GetTable<EntityRow>().Where(r => r.Id == state.Id).Set(r => r.State, JsonSerializer.Serialize(state)).UpdateAsync();
    }

    private static async Task AddAsync(ReadModelDb readModel, InstanceState state)
    {
        await using var connection = readModel.Open();
        await connection.InsertAsync(new EntityRow
        {
            Kind = InstanceRegistration.TypeName, Id = state.Id, TenantId = state.TenantId, CreatedTicks = 1,
            State = JsonSerializer.Serialize(state),
        });
    }
}
