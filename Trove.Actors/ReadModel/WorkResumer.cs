using Akka.Actor;
using Akka.Event;
using Trove.Actors.Backups;
using Trove.Actors.Instances;

namespace Trove.Actors.ReadModel;

/// <summary>
/// Keeps work in progress going wherever its entity lives: every <c>every</c>, wakes each instance and backup that
/// the read model shows busy (a build, a resize, a restart, a delete, a backup, an unacknowledged backup end).
/// A woken entity recovers and resumes its task; one already running ignores the wake. After a crash or a handoff
/// this starts the entity on its shard's new node; after a restart, on the restarted node. A cluster singleton.
/// </summary>
public sealed class WorkResumer : ReceiveActor, IWithTimers
{
    private sealed record Sweep;

    public ITimerScheduler Timers { get; set; } = null!;

    public WorkResumer(ReadModelDb readModel, IActorRef instances, IActorRef backups, TimeSpan every)
    {
        var log = Context.GetLogger();
        ReceiveAsync<Sweep>(async _ =>
        {
            try
            {
                foreach (var id in await readModel.BusyIdsAsync(InstanceRegistration.TypeName))
                    instances.Tell(new InstanceCommands.Wake(id));
                foreach (var id in await readModel.BusyIdsAsync(BackupRegistration.TypeName))
                    backups.Tell(new BackupCommands.Wake(id));
            }
            catch (Exception e)
            {
                log.Warning("work resumer: the read model could not be read ({0}); trying again in {1}", e.Message, every);
            }
        });
        _every = every;
    }

    private readonly TimeSpan _every;

    protected override void PreStart()
    {
        Self.Tell(new Sweep());
        Timers.StartPeriodicTimer(nameof(Sweep), new Sweep(), _every);
    }

    public static Props Props(ReadModelDb readModel, IActorRef instances, IActorRef backups, TimeSpan every) =>
        Akka.Actor.Props.Create(() => new WorkResumer(readModel, instances, backups, every));
}
