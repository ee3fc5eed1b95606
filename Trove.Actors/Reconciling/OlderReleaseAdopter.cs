using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using Trove.Actors.Compute;
using Trove.Actors.Guests;
using Trove.Actors.Instances;
using Trove.Actors.Sharding;

namespace Trove.Actors.Reconciling;

/// <summary>
/// Keeps this node's <see cref="OlderReleaseGuests"/> (whose guests' reports and replies it takes without a guest user)
/// and adopts those servers (see <see cref="ICompute.AdoptServerAsync"/>) once every node of the cluster runs this
/// release: while older nodes remain, an adopted guest could not answer their calls (it replies through the reply
/// exchange, which their reply queues are not bound to). It runs on every node that calls guests or reads their reports,
/// not as a singleton: during a rolling upgrade a singleton would stay on the oldest node, an older release's. It sweeps
/// when its node starts, then while the cluster has nodes of another release or such servers remain; the lock each
/// adoption takes on its server keeps two nodes from adopting the same one.
/// </summary>
public sealed class OlderReleaseAdopter : ReceiveActor, IWithTimers
{
    private sealed record Sweep;

    public ITimerScheduler Timers { get; set; } = null!;

    public OlderReleaseAdopter(ICompute compute, GuestBrokerUsers brokerUsers, OlderReleaseGuests olderReleases, IActorRef instances,
        bool adopts, ReconcileSettings settings, TimeSpan askTimeout)
    {
        var log = Context.GetLogger();
        var cluster = Cluster.Get(Context.System);
        ReceiveAsync<Sweep>(async _ =>
        {
            var remaining = 1;
            try
            {
                var servers = (await compute.ListServersAsync(CancellationToken.None)).Where(s => s.MadeByOlderRelease).ToList();
                olderReleases.Replace(servers.Select(s => s.InstanceId));
                remaining = servers.Count;
                if (adopts && !ClusterReleases.Mixed(cluster))
                    foreach (var server in servers)
                        await AdoptAsync(new AdoptServer(server.InstanceId, server.Server.Id));
            }
            catch (Exception e)
            {
                log.Warning("adopting older releases' servers stopped ({0}); trying again in {1}", e.GetBaseException().Message, settings.Every);
            }
            if (remaining > 0 || ClusterReleases.Mixed(cluster))
                Timers.StartSingleTimer(nameof(Sweep), new Sweep(), settings.Every);
        });

        async Task AdoptAsync(AdoptServer adopt)
        {
            var inspected = await instances.AskEntityAsync<InstanceReplies.Inspected>(new InstanceCommands.Inspect(adopt.InstanceId), askTimeout);
            if (!ReconcileDecisions.Confirmed(adopt, inspected.State))
                return; // busy (next sweep), or deleted (the reconciler removes its server)
            log.Warning("adopting the server of instance {0}, made by an older release", adopt.InstanceId);
            // First the old guest's connection: a call it took goes back to the queue instead of being lost in its
            // shutdown (an older guest rejects what its stop cancels), and it takes no other.
            await compute.AdoptServerAsync(adopt.ServerId, await brokerUsers.GrantAsync(adopt.InstanceId),
                () => brokerUsers.CloseGuestConnectionsAsync(adopt.InstanceId), CancellationToken.None);
        }
    }

    protected override void PreStart() => Self.Tell(new Sweep());

    public static Props Props(ICompute compute, GuestBrokerUsers brokerUsers, OlderReleaseGuests olderReleases, IActorRef instances,
        bool adopts, ReconcileSettings settings, TimeSpan askTimeout) =>
        Akka.Actor.Props.Create(() => new OlderReleaseAdopter(compute, brokerUsers, olderReleases, instances, adopts, settings, askTimeout));
}
