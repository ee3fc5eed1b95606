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

        Command<ReserveInstance>(reserve =>
        {
            if (_state.Instances.ContainsKey(reserve.InstanceId))
            {
                Sender.Tell(TenantReplies.Reserved.Instance);
                return;
            }
            var over = _state.Exceeded(_state.LimitsWith(defaults), reserve.VolumeGb, reserve.RamMb);
            if (over.Count > 0)
                Sender.Tell(new TenantReplies.QuotaExceeded(over));
            else
                PersistAndReply(new InstanceReserved(reserve.InstanceId, reserve.VolumeGb, reserve.RamMb, DateTimeOffset.UtcNow), TenantReplies.Reserved.Instance);
        });
        Command<ResizeInstance>(resize =>
        {
            var held = _state.Instances.GetValueOrDefault(resize.InstanceId);
            var over = _state.Exceeded(_state.LimitsWith(defaults), resize.VolumeGb - (held?.VolumeGb ?? 0), resize.RamMb - (held?.RamMb ?? 0),
                instances: held is null ? 1 : 0);
            if (over.Count > 0)
                Sender.Tell(new TenantReplies.QuotaExceeded(over));
            else
                PersistAndReply(new InstanceReserved(resize.InstanceId, resize.VolumeGb, resize.RamMb, DateTimeOffset.UtcNow), TenantReplies.Reserved.Instance);
        });
        Command<ReleaseInstance>(release =>
        {
            if (_state.Instances.ContainsKey(release.InstanceId))
                PersistAndReply(new InstanceReleased(release.InstanceId, DateTimeOffset.UtcNow), TenantReplies.Released.Instance);
            else
                Sender.Tell(TenantReplies.Released.Instance);
        });
        Command<GetQuotas>(_ => Sender.Tell(new TenantReplies.Quotas(_state.LimitsWith(defaults), _state.Usage)));
        Command<SetQuotas>(set =>
        {
            var unknown = set.Limits.Keys.Except(TenantState.Resources).ToList();
            if (unknown.Count > 0 || set.Limits.Values.Any(v => v < -1))
            {
                Sender.Tell(new TenantReplies.InvalidQuotas(unknown.Count > 0
                    ? $"Unknown quota resources: {string.Join(", ", unknown)}."
                    : "A quota limit must be -1 (unlimited) or more."));
                return;
            }
            var sender = Sender;
            Persist(new QuotasSet(set.Limits, DateTimeOffset.UtcNow), e =>
            {
                _state = _state.Apply(e);
                sender.Tell(new TenantReplies.Quotas(_state.LimitsWith(defaults), _state.Usage));
            });
        });
        Command<SaveSnapshotSuccess>(_ => { });
        Command<SaveSnapshotFailure>(_ => { });
        Command<StopEntity>(_ => Context.Stop(Self));
    }

    private void PersistAndReply(ITenantEvent e, object reply)
    {
        var sender = Sender;
        Persist(e, persisted =>
        {
            _state = _state.Apply(persisted);
            if (LastSequenceNr % 100 == 0)
                SaveSnapshot(_state);
            sender.Tell(reply);
        });
    }

    public static Props Props(string tenantId, QuotaLimits defaults) => Akka.Actor.Props.Create(() => new TenantActor(tenantId, defaults));
}
