using Akka.Actor;
using Akka.Event;

namespace Trove.Actors.ReadModel;

/// <summary>A kind of entity whose work the <see cref="WorkResumer"/> keeps going: its shard region and the message
/// that wakes one of its entities.</summary>
public sealed record ResumableKind(string Kind, IActorRef Region, Func<string, object> Wake);

/// <summary>
/// Keeps work in progress going wherever its entity lives: at start and then <c>every</c> after each sweep, wakes each entity that
/// the read model shows busy (a build, a resize, a restart, a delete, a backup, an unacknowledged backup end).
/// A woken entity recovers and resumes its task; one already running ignores the wake. After a crash or a handoff
/// this starts the entity on its shard's new node; after a restart, on the restarted node. A cluster singleton.
/// </summary>
public sealed class WorkResumer : ReceiveActor, IWithTimers
{
    private sealed record Sweep;

    public ITimerScheduler Timers { get; set; } = null!;

    public WorkResumer(ReadModelDb readModel, IReadOnlyList<ResumableKind> kinds, TimeSpan every)
    {
        var log = Context.GetLogger();
        ReceiveAsync<Sweep>(async _ =>
        {
            try
            {
                foreach (var kind in kinds)
                foreach (var id in await readModel.BusyIdsAsync(kind.Kind))
                    kind.Region.Tell(kind.Wake(id));
            }
            catch (Exception e)
            {
                log.Warning("work resumer: the read model could not be read ({0}); trying again in {1}", e.Message, every);
            }
            Timers.StartSingleTimer(nameof(Sweep), new Sweep(), every); // the next one a period after this ended: none pile up
        });
    }

    protected override void PreStart() => Self.Tell(new Sweep());

    public static Props Props(ReadModelDb readModel, IReadOnlyList<ResumableKind> kinds, TimeSpan every) =>
        Akka.Actor.Props.Create(() => new WorkResumer(readModel, kinds, every));
}
