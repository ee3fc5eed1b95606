using Akka.Actor;
using Akka.Hosting;
using LinqToDB;
using LinqToDB.Async;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Trove.Actors.Hosting;
using Trove.Actors.Instances;
using Trove.Actors.ReadModel;
using Trove.Actors.Sql;
using Trove.Actors.Tenants;
using Trove.Tests.Support;
using static Trove.Actors.Instances.InstanceCommands;

namespace Trove.Tests.ReadModel;

/// <summary>
/// A projection that starts while its journal cannot yet say it is initialised. The read journal's constructor asks the
/// write journal and gives up after 5 s (Akka.Persistence.Sql); on a node starting at a load of ~30 that ask timed out,
/// the projection's constructor threw, and its singleton stayed dead for the node's life: no quota holds, no backstop
/// rows. Here the journal's database is held locked for longer than that ask waits, as a busy disk would hold it.
/// </summary>
public sealed class ProjectionStartTests : IAsyncLifetime
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);
    private readonly string _dataDir = TroveNode.NewDataDir();
    private readonly TroveSettings _settings;
    private IHost _host = null!;
    private ActorSystem _system = null!;
    private ReadModelDb _readModel = null!;

    public ProjectionStartTests() => _settings = new TroveSettings { DataDir = _dataDir };

    public async Task InitializeAsync()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddAkka("projection-start", b => b.WithTroveJournal(_settings));
        _host = builder.Build();
        await _host.StartAsync();
        _system = _host.Services.GetRequiredService<ActorSystem>();
        _readModel = new ReadModelDb(new SqlDatabase(_settings.DatabaseProvider, _settings.ReadModelConnection));
        await _readModel.EnsureCreatedAsync();
    }

    public async Task DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        Directory.Delete(_dataDir, recursive: true);
    }

    [Fact]
    public async Task A_projection_started_before_its_journal_can_answer_projects_once_it_can()
    {
        await using (var locker = new SqliteConnection(_settings.JournalConnection + ";Pooling=False"))
        {
            await locker.OpenAsync();
            await using (var hold = locker.CreateCommand())
            {
                hold.CommandText = "BEGIN EXCLUSIVE";
                await hold.ExecuteNonQueryAsync();
            }
            var projection = _system.ActorOf(EntityProjection<QuotaHolds, QuotaEvents.IHoldEvent>.Props(_readModel,
                InstanceRegistration.QuotaHoldProjection, TimeSpan.FromMilliseconds(200)));
            await WatchAsync(projection, TimeSpan.FromSeconds(7)); // longer than the read journal's 5 s ask
        }

        var tenant = _system.ActorOf(TenantActor.Props("demo", new QuotaLimits(Instances: 5, Volumes: 20, Backups: 5)));
        var entity = _system.ActorOf(InstanceActor.Props("held", new FakeCompute(), new FakeGuestRpc(), tenant,
            new InstanceSettings { QuotaTimeout = Within }));
        Assert.IsType<InstanceReplies.Accepted>(await entity.Ask<InstanceReply>(new Create("held", Requests.Postgres()), Within));

        var deadline = DateTime.UtcNow + Within;
        while (!await HasHoldRowAsync("held") && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        Assert.True(await HasHoldRowAsync("held"), "the projection wrote no row for the instance's hold");
    }

    /// <summary>Fails if the projection stops while the lock is held.</summary>
    private static async Task WatchAsync(IActorRef projection, TimeSpan during)
    {
        using var watching = new CancellationTokenSource(during);
        var stopped = await projection.WatchAsync(watching.Token);
        Assert.False(stopped, "the projection stopped while its journal could not answer");
    }

    private async Task<bool> HasHoldRowAsync(string id)
    {
        await using var db = _readModel.Open();
        return await db.GetTable<EntityRow>().AnyAsync(r => r.Kind == InstanceRegistration.QuotaHoldKind && r.Id == id);
    }
}
