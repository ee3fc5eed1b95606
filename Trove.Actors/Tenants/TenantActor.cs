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
/// serialized here and never go over a limit. Replies only after the reservation is persisted.
/// </summary>
public sealed class TenantActor : ReceivePersistentActor
{
    private TenantState _state = TenantState.Empty;

    public override string PersistenceId { get; }

    public TenantActor(string tenantId, QuotaLimits defaults)
    {
        PersistenceId = $"tenant-{tenantId}";
        Recover<SnapshotOffer>(offer => _state = (TenantState)offer.Snapshot);
        Recover<ITenantEvent>(e => _state = _state.Apply(e));

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

    /// <summary>Persists the decided event (if any), then replies: nothing is acknowledged before it is durable.</summary>
    private void Decide(TenantDecision decision)
    {
        var sender = Sender;
        if (decision.Event is null)
        {
            sender.Tell(decision.Reply);
            return;
        }
        var persisting = Stopwatch.GetTimestamp();
        Persist(decision.Event, persisted =>
        {
            TroveMetrics.Persisted(persisting, TenantRegistration.TypeName);
            _state = _state.Apply(persisted);
            if (LastSequenceNr % 100 == 0)
                SaveSnapshot(_state);
            sender.Tell(decision.Reply);
        });
    }

    public static Props Props(string tenantId, QuotaLimits defaults) => Akka.Actor.Props.Create(() => new TenantActor(tenantId, defaults));
}
