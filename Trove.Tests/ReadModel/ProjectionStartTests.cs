using Akka.Actor;
using LinqToDB;
using LinqToDB.Async;
using Microsoft.Data.Sqlite;
using Trove.Actors.Instances;
using Trove.Actors.ReadModel;
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
    private JournalHost _journal = null!;

    public async Task InitializeAsync() => _journal = await JournalHost.StartAsync("projection-start");

    public async Task DisposeAsync() => await _journal.DisposeAsync();

    [Fact]
    public async Task A_projection_started_before_its_journal_can_answer_projects_once_it_can()
    {
        await using (var locker = new SqliteConnection(_journal.Settings.JournalConnection + ";Pooling=False"))
        {
            await locker.OpenAsync();
            await using (var hold = locker.CreateCommand())
            {
                hold.CommandText = "BEGIN EXCLUSIVE";
                await hold.ExecuteNonQueryAsync();
            }
            var projection = _journal.System.ActorOf(EntityProjection<QuotaHolds, QuotaEvents.IHoldEvent>.Props(_journal.ReadModel,
                InstanceRegistration.QuotaHoldProjection, TimeSpan.FromMilliseconds(200)));
            await WatchAsync(projection, TimeSpan.FromSeconds(7)); // longer than the read journal's 5 s ask
        }

        var tenant = _journal.System.ActorOf(TenantActor.Props("demo", new QuotaLimits(Instances: 5, Volumes: 20, Backups: 5)));
        var entity = _journal.System.ActorOf(InstanceActor.Props("held", new FakeCompute(), new FakeGuestRpc(), tenant,
            new InstanceSettings { QuotaTimeout = Within }));
        Assert.IsType<InstanceReplies.Accepted>(await entity.Ask<InstanceReply>(new Create("held", Requests.Postgres()), Within));

        await Poll.UntilAsync(() => HasHoldRowAsync("held"), "the projection's row for the instance's hold", (int)Within.TotalSeconds);
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
        await using var db = _journal.ReadModel.Open();
        return await db.GetTable<EntityRow>().AnyAsync(r => r.Kind == InstanceRegistration.QuotaHoldKind && r.Id == id);
    }
}
