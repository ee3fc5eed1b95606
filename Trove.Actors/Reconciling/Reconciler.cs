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
/// </summary>
public sealed class Reconciler : ReceiveActor, IWithTimers
{
    private sealed record Sweep;

    public ITimerScheduler Timers { get; set; } = null!;
    private IReadOnlyDictionary<Repair, DateTimeOffset> _suspects = new Dictionary<Repair, DateTimeOffset>();

    public Reconciler(ReadModelDb readModel, ICompute compute, GuestBrokerUsers brokerUsers, IGuestRpc guests, IActorRef instances,
        IActorRef pool, ReconcileSettings settings, TimeSpan askTimeout)
    {
        var log = Context.GetLogger();
        ReceiveAsync<Sweep>(async _ =>
        {
            try
            {
                // a pool's servers have ids no instance has yet: they count as live
                var pooled = await pool.Ask<PoolReplies.Listed>(new PoolCommands.List(), askTimeout);
                var servers = await compute.ListServersAsync(CancellationToken.None);
                var users = await brokerUsers.InstancesWithUsersAsync();
                // only what was observed is looked up: a node of 100,000 instances does not read them all every sweep
                var live = await readModel.LiveAmongAsync(InstanceRegistration.TypeName, servers.Select(s => s.InstanceId).Concat(users));
                var seen = new Observed(live.Concat(pooled.Members.Select(m => m.Id)).ToHashSet(), servers, users);
                (_suspects, var due) = ReconcileDecisions.Sweep(seen, _suspects, DateTimeOffset.UtcNow, settings.OrphanGrace, settings.RestartGrace);
                foreach (var repair in due)
                {
                    var inspected = await instances.AskEntityAsync<InstanceReplies.Inspected>(new InstanceCommands.Inspect(repair.InstanceId), askTimeout);
                    if (!ReconcileDecisions.Confirmed(repair, inspected.State))
                        continue;
                    log.Warning("reconciler: {0}", repair);
                    await RepairAsync(repair);
                }
            }
            catch (Exception e)
            {
                log.Warning("reconciler: this sweep stopped ({0}); trying again in {1}", e.GetBaseException().Message, settings.Every);
            }
            Timers.StartSingleTimer(nameof(Sweep), new Sweep(), settings.Every);
        });

        async Task RepairAsync(Repair repair)
        {
            switch (repair)
            {
                case RemoveServer remove:
                    await compute.DeleteServerAsync(remove.ServerId, CancellationToken.None);
                    break;
                case RestartGuest restart:
                    await compute.RecoverServerAsync(restart.ServerId, CancellationToken.None);
                    break;
                case RemoveBrokerUser user:
                    await guests.DeleteQueueAsync(user.InstanceId);
                    await guests.DeleteBrokerUserAsync(user.InstanceId);
                    break;
            }
        }
    }

    protected override void PreStart() => Self.Tell(new Sweep());

    public static Props Props(ReadModelDb readModel, ICompute compute, GuestBrokerUsers brokerUsers, IGuestRpc guests, IActorRef instances,
        IActorRef pool, ReconcileSettings settings, TimeSpan askTimeout) =>
        Akka.Actor.Props.Create(() => new Reconciler(readModel, compute, brokerUsers, guests, instances, pool, settings, askTimeout));
}
