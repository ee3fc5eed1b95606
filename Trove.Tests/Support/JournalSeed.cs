using Akka.Actor;
using Akka.Persistence;

namespace Trove.Tests.Support;

/// <summary>Writes events into an entity's journal before the entity starts, so that a spec recovers it from any
/// intermediate state; answers <see cref="Done"/> once they are written.</summary>
public sealed class JournalSeed : ReceivePersistentActor
{
    public sealed record Done;

    public override string PersistenceId { get; }

    public JournalSeed(string persistenceId, IReadOnlyList<object> events, IActorRef replyTo)
    {
        PersistenceId = persistenceId;
        Recover<RecoveryCompleted>(_ =>
        {
            PersistAll(events, _ => { });
            DeferAsync(events, _ => replyTo.Tell(new Done()));
        });
        Recover<object>(_ => { }); // after RecoveryCompleted's: the first handler that matches takes it
        CommandAny(_ => { });
    }

    /// <summary>Writes <paramref name="events"/> as <paramref name="persistenceId"/> and waits until they are.</summary>
    public static void Write(Akka.TestKit.Xunit2.TestKit kit, string persistenceId, params object[] events)
    {
        var probe = kit.CreateTestProbe();
        var seed = kit.Sys.ActorOf(Props.Create(() => new JournalSeed(persistenceId, events, probe.Ref)));
        probe.ExpectMsg<Done>(TimeSpan.FromSeconds(5));
        kit.Sys.Stop(seed);
    }
}
