using System.Diagnostics;
using Trove.Actors.Telemetry;
using Akka.Actor;
using Akka.Persistence;
using Trove.Actors.Sharding;
using static Trove.Actors.Tenants.TenantCommands;
using static Trove.Actors.Tenants.TenantEvents;

namespace Trove.Actors.Tenants;

/// <summary>
/// A tenant's quota: the sharded entity that owns its usage, so that creates racing on several nodes are
/// serialized here and never go over a limit. Replies only after the reservation is persisted. Each command is decided
/// at once on the state with every earlier decision in it, written or not, and the commands of a burst are not held
/// while each one's event is written: those decided during a write are written together in the next. A write that
/// fails stops the entity, and none after it is made; it comes back with what was written.
/// </summary>
public sealed class TenantActor : ReceivePersistentActor
{
    /// <summary>Every decision, written or on its way to the journal.</summary>
    private TenantState _state = TenantState.Empty;
    /// <summary>As the journal has it: what a snapshot holds.</summary>
    private TenantState _journaled = TenantState.Empty;

    public override string PersistenceId { get; }

    public TenantActor(string tenantId, QuotaLimits defaults)
    {
        PersistenceId = $"tenant-{tenantId}";
        Recover<SnapshotOffer>(offer => _state = _journaled = (TenantState)offer.Snapshot);
        Recover<ITenantEvent>(e => _state = _journaled = _journaled.Apply(e));

        Command<ReserveInstance>(reserve => Decide(TenantDecisions.Reserve(_state, defaults, reserve, DateTimeOffset.UtcNow)));
        Command<ResizeInstance>(resize => Decide(TenantDecisions.Resize(_state, defaults, resize, DateTimeOffset.UtcNow)));
        Command<ReleaseInstance>(release => Decide(TenantDecisions.Release(_state, release, DateTimeOffset.UtcNow)));
        Command<ReserveBackup>(reserve => Decide(TenantDecisions.ReserveBackup(_state, defaults, reserve, DateTimeOffset.UtcNow)));
        Command<ReleaseBackup>(release => Decide(TenantDecisions.ReleaseBackup(_state, release, DateTimeOffset.UtcNow)));
        Command<GetQuotas>(_ => Sender.Tell(new TenantReplies.Quotas(_state.LimitsWith(defaults), _state.Usage)));
        Command<SetQuotas>(set => Decide(TenantDecisions.SetQuotas(_state, defaults, set, DateTimeOffset.UtcNow)));
        Command<SaveSnapshotSuccess>(_ => { });
        Command<SaveSnapshotFailure>(_ => { });
        Command<StopEntity>(_ => Context.Stop(Self));
    }

    /// <summary>A rejected write (an event the journal refused, as one it cannot serialize) does not stop a persistent
    /// actor, but this one already decided on the event: it starts again from what the journal has.</summary>
    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        base.OnPersistRejected(cause, @event, sequenceNr);
        throw new InvalidOperationException($"the journal rejected {@event.GetType().Name}; starting again from the journal", cause);
    }

    /// <summary>Persists the decided event (if any), then replies: nothing is acknowledged before it is durable, neither
    /// a decision nor one that rests on an earlier decision still being written (a repeated reserve, say).</summary>
    private void Decide(TenantDecision decision)
    {
        var sender = Sender;
        if (decision.Event is null)
        {
            DeferAsync(decision.Reply, reply => sender.Tell(reply));
            return;
        }
        var persisting = Stopwatch.GetTimestamp();
        _state = _state.Apply(decision.Event);
        PersistAsync(decision.Event, persisted =>
        {
            TroveMetrics.Persisted(persisting, TenantRegistration.TypeName);
            _journaled = _journaled.Apply(persisted);
            if (LastSequenceNr % 100 == 0)
                SaveSnapshot(_journaled);
            sender.Tell(decision.Reply);
        });
    }

    public static Props Props(string tenantId, QuotaLimits defaults) => Akka.Actor.Props.Create(() => new TenantActor(tenantId, defaults));
}
