using Trove.Actors.Sharding;
using Akka.Actor;
using Akka.Event;
using Trove.Actors.Compute;
using Trove.Actors.Guests;
using Trove.Actors.Instances;
using Trove.Actors.Pool;
using Trove.Actors.ReadModel;

namespace Trove.Actors.Reconciling;

/// <summary>
/// Compares, on start-up and then periodically, the servers the compute driver runs and the guests' broker users with
/// the instances the journal holds: it removes what no instance (and no pool) owns and starts again a live instance's guest that
/// stopped (not an older release's: the <see cref="OlderReleaseAdopter"/> takes those). Each removal and restart is logged. A cluster singleton on the workers.
/// A sweep runs beside the mailbox and ends when the reconciler stops: a sweep that held the mailbox kept the singleton's
/// termination message waiting for its asks, whose entities and pool were leaving too, and held a leaving node in
/// coordinated shutdown's cluster-exiting phase until its 10 s timeout.
/// </summary>
public sealed class Reconciler : ReceiveActor, IWithTimers
{
    private sealed record Sweep;

    private sealed record Swept(IReadOnlyDictionary<Repair, DateTimeOffset> Suspects);

    public ITimerScheduler Timers { get; set; } = null!;
    private IReadOnlyDictionary<Repair, DateTimeOffset> _suspects = new Dictionary<Repair, DateTimeOffset>();
    private readonly CancellationTokenSource _stopped = new();

    public Reconciler(ReadModelDb readModel, ICompute compute, GuestBrokerUsers brokerUsers, IGuestRpc guests, IActorRef instances,
        IActorRef pool, ReconcileSettings settings, TimeSpan askTimeout)
    {
        var log = Context.GetLogger();
        Receive<Sweep>(_ => SweepAsync(_suspects, _stopped.Token).PipeTo(Self, success: suspects => new Swept(suspects)));
        Receive<Swept>(swept =>
        {
            _suspects = swept.Suspects;
            Timers.StartSingleTimer(nameof(Sweep), new Sweep(), settings.Every);
        });

        async Task<IReadOnlyDictionary<Repair, DateTimeOffset>> SweepAsync(IReadOnlyDictionary<Repair, DateTimeOffset> suspects, CancellationToken ct)
        {
            try
            {
                // a pool's servers have ids no instance has yet: they count as live
                var pooled = await pool.Ask<PoolReplies.Listed>(new PoolCommands.List(), askTimeout, ct);
                var servers = await compute.ListServersAsync(ct);
                var users = await brokerUsers.InstancesWithUsersAsync(ct);
                // only what was observed is looked up: a node of 100,000 instances does not read them all every sweep
                var live = await readModel.LiveAmongAsync(InstanceRegistration.TypeName, servers.Select(s => s.InstanceId).Concat(users), ct);
                var seen = new Observed(live.Concat(pooled.Members.Select(m => m.Id)).ToHashSet(), servers, users);
                (suspects, var due) = ReconcileDecisions.Sweep(seen, suspects, DateTimeOffset.UtcNow, settings.OrphanGrace, settings.RestartGrace);
                foreach (var repair in due)
                {
                    using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    deadline.CancelAfter(askTimeout);
                    var inspected = await instances.AskEntityAsync<InstanceReplies.Inspected>(new InstanceCommands.Inspect(repair.InstanceId), deadline.Token);
                    if (!ReconcileDecisions.Confirmed(repair, inspected.State))
                        continue;
                    log.Warning("reconciler: {0}", repair);
                    await RepairAsync(repair, ct);
                }
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                log.Warning("reconciler: this sweep stopped ({0}); trying again in {1}", e.GetBaseException().Message, settings.Every);
            }
            return suspects;
        }

        async Task RepairAsync(Repair repair, CancellationToken ct)
        {
            switch (repair)
            {
                case RemoveServer remove:
                    await compute.DeleteServerAsync(remove.ServerId, ct);
                    break;
                case RestartGuest restart:
                    await compute.RecoverServerAsync(restart.ServerId, ct);
                    break;
                case RemoveBrokerUser user:
                    await guests.DeleteQueueAsync(user.InstanceId, ct);
                    await guests.DeleteBrokerUserAsync(user.InstanceId, ct);
                    break;
            }
        }
    }

    protected override void PreStart() => Self.Tell(new Sweep());

    protected override void PostStop() => _stopped.Cancel();

    public static Props Props(ReadModelDb readModel, ICompute compute, GuestBrokerUsers brokerUsers, IGuestRpc guests, IActorRef instances,
        IActorRef pool, ReconcileSettings settings, TimeSpan askTimeout) =>
        Akka.Actor.Props.Create(() => new Reconciler(readModel, compute, brokerUsers, guests, instances, pool, settings, askTimeout));
}
