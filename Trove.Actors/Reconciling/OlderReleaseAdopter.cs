using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using Trove.Actors.Compute;
using Trove.Actors.Guests;
using Trove.Actors.Instances;

namespace Trove.Actors.Reconciling;

/// <summary>
/// Adopts the servers an older release made (see <see cref="ICompute.AdoptServerAsync"/>), on every worker node rather
/// than in the <see cref="Reconciler"/> singleton: during a rolling upgrade the singleton stays on the oldest node, an
/// older release's, while the nodes of this one already refuse those servers' guests. It sweeps when its node starts and
/// then while the cluster still has nodes of another release or it still finds such servers; the lock each adoption
/// takes on its server keeps two nodes from adopting the same one.
/// </summary>
public sealed class OlderReleaseAdopter : ReceiveActor, IWithTimers
{
    private sealed record Sweep;

    public ITimerScheduler Timers { get; set; } = null!;

    public OlderReleaseAdopter(ICompute compute, GuestBrokerUsers brokerUsers, IActorRef instances, ReconcileSettings settings, TimeSpan askTimeout)
    {
        var log = Context.GetLogger();
        var cluster = Cluster.Get(Context.System);
        ReceiveAsync<Sweep>(async _ =>
        {
            var waiting = 0;
            try
            {
                foreach (var server in (await compute.ListServersAsync(CancellationToken.None)).Where(s => s.MadeByOlderRelease))
                {
                    var adopt = new AdoptServer(server.InstanceId, server.Server.Id);
                    var inspected = await instances.Ask<InstanceReplies.Inspected>(new InstanceCommands.Inspect(adopt.InstanceId), askTimeout);
                    if (!ReconcileDecisions.Confirmed(adopt, inspected.State))
                    {
                        waiting += inspected.State is { IsDeleted: false } ? 1 : 0; // a deleted one's server is the reconciler's to remove
                        continue;
                    }
                    log.Warning("adopting the server of instance {0}, made by an older release", adopt.InstanceId);
                    // First the old guest's connection: a call it took goes back to the queue instead of being lost in its
                    // shutdown (an older guest rejects what its stop cancels), and it takes no other.
                    await brokerUsers.CloseGuestConnectionsAsync(adopt.InstanceId);
                    await compute.AdoptServerAsync(adopt.ServerId, await brokerUsers.GrantAsync(adopt.InstanceId), CancellationToken.None);
                }
            }
            catch (Exception e)
            {
                waiting++;
                log.Warning("adopting older releases' servers stopped ({0}); trying again in {1}", e.GetBaseException().Message, settings.Every);
            }
            var olderNodes = cluster.State.Members.Any(m => m.AppVersion != cluster.SelfMember.AppVersion);
            if (waiting > 0 || olderNodes)
                Timers.StartSingleTimer(nameof(Sweep), new Sweep(), settings.Every);
        });
    }

    protected override void PreStart() => Self.Tell(new Sweep());

    public static Props Props(ICompute compute, GuestBrokerUsers brokerUsers, IActorRef instances, ReconcileSettings settings, TimeSpan askTimeout) =>
        Akka.Actor.Props.Create(() => new OlderReleaseAdopter(compute, brokerUsers, instances, settings, askTimeout));
}
