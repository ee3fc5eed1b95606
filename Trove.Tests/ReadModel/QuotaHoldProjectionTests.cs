using Akka.Actor;
using LinqToDB;
using LinqToDB.Async;
using Trove.Actors.Instances;
using Trove.Actors.ReadModel;
using Trove.Actors.Tenants;
using Trove.Tests.Support;
using static Trove.Actors.Instances.InstanceCommands;

namespace Trove.Tests.ReadModel;

/// <summary>
/// The quota-hold projection on the node's own journal (SQLite, with its serializer and tags) and read model, fed by
/// real instance entities and a real tenant: a hold is open (busy) from the request until the create or the resize
/// keeps it or the entity gives it back, so that the work resumer wakes exactly the entities that still hold quota.
/// </summary>
public sealed class QuotaHoldProjectionTests : IAsyncLifetime
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);
    // The tenant's answer gets all of Within: on a loaded machine its journal write took over 5 s, the entity gave up and
    // gave the quota back, and the test never saw the interrupted create's reservation.
    private static readonly InstanceSettings Settings = new() { QuotaTimeout = Within, RetryDelay = TimeSpan.FromMilliseconds(200) };

    private readonly FakeCompute _compute = new();
    private readonly FakeGuestRpc _guests = new();
    private JournalHost _journal = null!;
    private ActorSystem _system = null!;
    private ReadModelDb _readModel = null!;
    private IActorRef _tenant = null!;

    public async Task InitializeAsync()
    {
        _journal = await JournalHost.StartAsync("holds");
        _system = _journal.System;
        _readModel = _journal.ReadModel;
        _tenant = _system.ActorOf(TenantActor.Props("demo", new QuotaLimits(Instances: 5, Volumes: 20, Backups: 5)));
        _system.ActorOf(EntityProjection<QuotaHolds, QuotaEvents.IHoldEvent>.Props(_readModel, InstanceRegistration.QuotaHoldProjection, TimeSpan.FromSeconds(1)));
    }

    public async Task DisposeAsync() => await _journal.DisposeAsync();

    private IActorRef Entity(string id) => _system.ActorOf(InstanceActor.Props(id, _compute, _guests, _tenant, Settings));

    private async Task<int> InstancesUsedAsync() =>
        (await _tenant.Ask<TenantReplies.Quotas>(new TenantCommands.GetQuotas("demo"), Within)).Usage.Instances;

    private async Task<IReadOnlyList<(string Id, bool Busy)>> HoldRowsAsync()
    {
        await using var db = _readModel.Open();
        return (await db.GetTable<EntityRow>().Where(r => r.Kind == InstanceRegistration.QuotaHoldKind).OrderBy(r => r.Id)
            .Select(r => new { r.Id, r.Busy }).ToListAsync()).Select(r => (r.Id, r.Busy)).ToList();
    }

    private static async Task EventuallyAsync<T>(Func<Task<T>> read, T expected)
    {
        var deadline = DateTime.UtcNow + Within;
        T actual;
        while (!Equals(actual = await read(), expected) && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        Assert.Equal(expected, actual);
    }

    private static async Task StopAsync(IActorRef entity) => await entity.GracefulStop(Within);

    [Fact]
    public async Task A_hold_is_open_until_its_create_or_resize_keeps_it_or_its_entity_gives_it_back()
    {
        // A create that happens: kept with the instance.
        var kept = Entity("kept");
        Assert.IsType<InstanceReplies.Accepted>(await kept.Ask<InstanceReply>(new Create("kept", Requests.Postgres()), Within));

        // A create whose node stops after the tenant reserved and before the instance was kept.
        var prepareHeld = new TaskCompletionSource();
        _guests.CastGate = prepareHeld.Task;
        var interrupted = Entity("interrupted");
        interrupted.Tell(new Create("interrupted", Requests.Postgres()));
        await EventuallyAsync(InstancesUsedAsync, 2);
        await StopAsync(interrupted);
        prepareHeld.SetResult();

        await EventuallyAsync(async () => string.Join(",", await HoldRowsAsync()), "(interrupted, True),(kept, False)");
        Assert.Equal(["interrupted"], await _readModel.BusyIdsAsync(InstanceRegistration.QuotaHoldKind));

        // Woken (as the work resumer does), the entity gives its quota back, and the hold is closed.
        Entity("interrupted");
        await EventuallyAsync(InstancesUsedAsync, 1);
        await EventuallyAsync(async () => (await _readModel.BusyIdsAsync(InstanceRegistration.QuotaHoldKind)).Count, 0);

        // A resize holds the growth until it is done, then keeps it.
        await EventuallyAsync(async () => (await kept.Ask<InstanceReplies.Found>(new Get("kept", "demo"), Within)).State.ServerId is not null, true);
        Assert.IsType<InstanceReplies.HeartbeatAck>(await kept.Ask<InstanceReply>(new ReportHeartbeat("kept", "healthy", DateTimeOffset.UtcNow), Within));
        Assert.IsType<InstanceReplies.Accepted>(await kept.Ask<InstanceReply>(Resize.Grow("kept", "demo", 3), Within));
        await EventuallyAsync(async () => (await kept.Ask<InstanceReplies.Found>(new Get("kept", "demo"), Within)).State.VolumeSize, 3);
        await EventuallyAsync(async () => (await HoldOfAsync("kept"))?.Resize?.Stage, QuotaStage.Kept);
        Assert.Equal("demo", (await HoldOfAsync("kept"))?.TenantId);
        Assert.Equal(QuotaStage.Kept, (await HoldOfAsync("kept"))?.Create?.Stage);
        Assert.Empty(await _readModel.BusyIdsAsync(InstanceRegistration.QuotaHoldKind));
    }

    [Fact]
    public async Task A_resize_interrupted_after_the_tenant_granted_it_stays_open_until_its_woken_entity_gives_the_growth_back()
    {
        var entity = Entity("grown");
        Assert.IsType<InstanceReplies.Accepted>(await entity.Ask<InstanceReply>(new Create("grown", Requests.Postgres()), Within));
        await EventuallyAsync(async () => (await entity.Ask<InstanceReplies.Found>(new Get("grown", "demo"), Within)).State.ServerId is not null, true);
        await entity.Ask<InstanceReply>(new ReportHeartbeat("grown", "healthy", DateTimeOffset.UtcNow), Within);
        await StopAsync(entity);

        // the tenant takes the growth, but its answer is lost with the node
        var deaf = _system.ActorOf(InstanceActor.Props("grown", _compute, _guests, _system.ActorOf(Props.Create(() => new LosesResizeAnswers(_tenant))),
            Settings with { QuotaTimeout = TimeSpan.FromMinutes(1) }));
        deaf.Tell(Resize.Grow("grown", "demo", 4));
        await EventuallyAsync(async () => (await _tenant.Ask<TenantReplies.Quotas>(new TenantCommands.GetQuotas("demo"), Within)).Usage.Volumes, 4);
        await StopAsync(deaf);
        await EventuallyAsync(async () => (await HoldOfAsync("grown"))?.Resize?.Stage, QuotaStage.Requested);
        Assert.Equal(["grown"], await _readModel.BusyIdsAsync(InstanceRegistration.QuotaHoldKind));

        Entity("grown"); // woken
        await EventuallyAsync(async () => (await _tenant.Ask<TenantReplies.Quotas>(new TenantCommands.GetQuotas("demo"), Within)).Usage.Volumes, 1);
        await EventuallyAsync(async () => (await HoldOfAsync("grown"))?.Resize?.Stage, QuotaStage.Released);
        Assert.Empty(await _readModel.BusyIdsAsync(InstanceRegistration.QuotaHoldKind));
    }

    /// <summary>Forwards to the tenant, but its answer to a resize goes nowhere.</summary>
    private sealed class LosesResizeAnswers : ReceiveActor
    {
        public LosesResizeAnswers(IActorRef tenant) =>
            ReceiveAny(m => tenant.Tell(m, m is TenantCommands.ResizeInstance ? ActorRefs.Nobody : Sender));
    }

    /// <summary>The instance's row, as the projection last wrote it; null before it wrote one.</summary>
    private async Task<QuotaHolds?> HoldOfAsync(string id)
    {
        await using var db = _readModel.Open();
        var row = await db.GetTable<EntityRow>().FirstOrDefaultAsync(r => r.Kind == InstanceRegistration.QuotaHoldKind && r.Id == id);
        return row is null ? null : System.Text.Json.JsonSerializer.Deserialize<QuotaHolds>(row.State);
    }

    [Fact]
    public void The_holds_fold_from_their_events_alone()
    {
        var at = DateTimeOffset.UtcNow;
        QuotaHolds? holds = null;
        holds = QuotaHolds.Apply(holds, new QuotaEvents.Requested("demo", 1, 512, at));
        Assert.True(holds.IsOpen);
        holds = QuotaHolds.Apply(holds, new QuotaEvents.Reserved(at));
        Assert.True(holds.IsOpen);
        holds = QuotaHolds.Apply(holds, new QuotaEvents.Kept(at));
        Assert.False(holds.IsOpen);
        holds = QuotaHolds.Apply(holds, new QuotaEvents.ResizeRequested(3, 512, 1, 512, at));
        Assert.True(holds.IsOpen);
        holds = QuotaHolds.Apply(holds, new QuotaEvents.ResizeReserved(at));
        Assert.True(holds.IsOpen);
        holds = QuotaHolds.Apply(holds, new QuotaEvents.ResizeReleased(at));
        Assert.False(holds.IsOpen);
        Assert.Equal("demo", holds.TenantId);

        // an instance created before the hold events existed: its first is a resize's, and a given-back create stays closed
        var older = QuotaHolds.Apply(null, new QuotaEvents.ResizeRequested(3, 512, 1, 512, at));
        Assert.True(older.IsOpen);
        Assert.False(QuotaHolds.Apply(older, new QuotaEvents.ResizeKept(at)).IsOpen);
        var refused = QuotaHolds.Apply(QuotaHolds.Apply(null, new QuotaEvents.Requested("demo", 1, 512, at)), new QuotaEvents.Released(at));
        Assert.False(refused.IsOpen);
    }
}
