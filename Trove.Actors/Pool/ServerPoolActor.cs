using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Trove.Actors.Compute;
using Trove.Actors.Guests;
using Trove.Actors.Instances;
using Trove.Actors.Serialization;
using Trove.Actors.Sharding;
using Trove.Actors.Tenants;
using Trove.Contracts.Guests;
using static Trove.Actors.Pool.PoolEvents;

namespace Trove.Actors.Pool;

/// <summary>
/// The warm pool (a cluster singleton on the workers, event-sourced): servers made ahead of time per datastore version
/// through the same compute driver and guest path as an instance's, under ids made ahead, which become the ids of the
/// instances that claim them. A server is ready once its guest answers a call, which a pool's guest does only once its
/// engine runs. Each claim is journaled before it is answered (a server goes to one create only); the claim stays until
/// its instance is seen to exist (then the server is the instance's) or not (then the server is removed, never given
/// to another). Refilled once claims pause, on each check, and after a restart, which resumes the builds under way.
/// </summary>
public sealed class ServerPoolActor : ReceivePersistentActor, IWithTimers
{
    private sealed record Check;
    private sealed record ClaimsPaused;
    private sealed record CheckGuests;
    private sealed record GuestAnswered(string Id);
    private sealed record GuestSilent(string Id, string Error);
    private sealed record Versions(IReadOnlyList<PoolKey> Keys);
    private sealed record Built(string Id, Server Server);
    private sealed record BuildFailed(string Id, string Error);
    private sealed record ClaimLookedUp(string Id, bool InstanceExists);
    private sealed record ClaimNotLookedUp(string Id, string Error);
    private sealed record VersionsNotRead(string Error);
    private sealed record QuotaSeen(InstanceCommands.Create Create, Asked? Asked, IActorRef Requester, bool Fits);

    private readonly ICompute _compute;
    private readonly IGuestRpc _guests;
    private readonly IActorRef _instances;
    private readonly IActorRef _tenants;
    private readonly Func<CancellationToken, Task<IReadOnlyList<PoolKey>>> _versions;
    private readonly PoolSettings _settings;
    private readonly TimeSpan _askTimeout;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly HashSet<string> _building = [];
    private readonly HashSet<string> _lookingUp = [];
    private readonly HashSet<string> _asking = [];
    private IReadOnlyList<PoolKey> _keys = [];
    /// <summary>When the claims not yet refilled began, while the pool waits for them to pause; null when none wait.</summary>
    private DateTimeOffset? _claimsSince;
    /// <summary>What the pool has decided, written or on its way to the journal: claims and refills are decided on it at
    /// once (a server goes to one create only) and written in the background, those decided during a write together in
    /// the next one; what they lead to (a create forwarded, a build started) waits for their write.</summary>
    private PoolState _state = PoolState.Empty;
    /// <summary>As the journal has it: what a snapshot holds.</summary>
    private PoolState _journaled = PoolState.Empty;

    public override string PersistenceId => "server-pool";
    public ITimerScheduler Timers { get; set; } = null!;

    public ServerPoolActor(ICompute compute, IGuestRpc guests, IActorRef instances, IActorRef tenants,
        Func<CancellationToken, Task<IReadOnlyList<PoolKey>>> versions, PoolSettings settings, TimeSpan askTimeout)
    {
        (_compute, _guests, _instances, _tenants, _versions, _settings, _askTimeout) = (compute, guests, instances, tenants, versions, settings, askTimeout);

        Recover<SnapshotOffer>(offer => _state = _journaled = (PoolState)offer.Snapshot);
        Recover<IPoolEvent>(e => _state = _journaled = PoolState.Apply(_journaled, e));
        Recover<RecoveryCompleted>(_ =>
        {
            foreach (var member in _state.Members.Where(m => m.Status == PoolMemberStatus.Building))
                Build(member);
            Timers.StartPeriodicTimer(nameof(Check), new Check(), _settings.CheckEvery);
            Timers.StartPeriodicTimer(nameof(CheckGuests), new CheckGuests(), _settings.GuestCheckEvery);
            Self.Tell(new Check());
        });

        Command<Check>(_ => OnCheck());
        Command<ClaimsPaused>(_ =>
        {
            _claimsSince = null;
            Refill();
        });
        Command<CheckGuests>(_ => AskReadyGuests());
        Command<GuestAnswered>(answered => _asking.Remove(answered.Id));
        Command<GuestSilent>(silent =>
        {
            _asking.Remove(silent.Id);
            if (_state.Find(silent.Id) is not { Status: PoolMemberStatus.Ready })
                return; // claimed meanwhile: its instance finds out
            _log.Warning("pool: the guest of ready server {0} did not answer ({1}); it is removed", silent.Id, silent.Error);
            Discard(new ServerRemoved(silent.Id, $"its guest did not answer: {silent.Error}", Now));
        });
        Command<Versions>(v =>
        {
            _keys = v.Keys;
            Refill();
        });
        Command<Asked>(asked =>
        {
            if (asked.Message is PoolCommands.CreateInstance create)
                CreateInstance(create.Create, asked);
            else
                Unhandled(asked);
        });
        Command<PoolCommands.CreateInstance>(create => CreateInstance(create.Create, null));
        Command<QuotaSeen>(seen =>
        {
            if (seen.Fits)
                Claim(seen.Create, seen.Asked, seen.Requester);
            else
                Forward(seen.Create, seen.Asked, seen.Requester); // the instance refuses it, and no server is spent on it
        });
        Command<PoolCommands.List>(_ => Sender.Tell(new PoolReplies.Listed(_state.Members)));
        Command<PoolCommands.Remove>(remove =>
        {
            var (removed, refusal) = PoolDecisions.Remove(_state, remove.Id, Now);
            if (removed is null)
            {
                Sender.Tell(new PoolReplies.NotRemoved(refusal!));
                return;
            }
            var requester = Sender;
            Discard(removed, () => requester.Tell(new PoolReplies.Removed(remove.Id)));
        });
        Command<Built>(built =>
        {
            _building.Remove(built.Id);
            if (_state.Find(built.Id) is not { Status: PoolMemberStatus.Building })
            {
                DeleteServer(built.Id, built.Server.Id); // removed while it was being made
                return;
            }
            _log.Info("pool: server {0} ready", built.Id);
            Persist(new ServerReady(built.Id, built.Server.Id, built.Server.Address, built.Server.Port, Now), e =>
            {
                Update(e);
                Refill();
            });
        });
        Command<BuildFailed>(failed =>
        {
            _building.Remove(failed.Id);
            _log.Warning("pool: server {0} was not made ready ({1}); it is removed", failed.Id, failed.Error);
            if (_state.Find(failed.Id) is { Status: PoolMemberStatus.Building })
                Discard(new ServerRemoved(failed.Id, $"not made ready: {failed.Error}", Now));
        });
        Command<ClaimLookedUp>(looked =>
        {
            _lookingUp.Remove(looked.Id);
            if (_state.Find(looked.Id) is not { Status: PoolMemberStatus.Claimed })
                return;
            var outcome = PoolDecisions.ClaimOutcome(looked.Id, looked.InstanceExists, Now);
            if (outcome is ServerRemoved removed)
            {
                _log.Warning("pool: server {0} was claimed but no instance has it; it is removed", looked.Id);
                Discard(removed);
            }
            else
                Persist(outcome, Update);
        });
        Command<ClaimNotLookedUp>(failed =>
        {
            _lookingUp.Remove(failed.Id);
            _log.Warning("pool: the instance of claimed server {0} did not answer ({1}); asked again later", failed.Id, failed.Error);
        });
        Command<VersionsNotRead>(failed =>
        {
            _log.Warning("pool: the catalog could not be read ({0}); refilling with the versions read before", failed.Error);
            Refill();
        });
        Command<SaveSnapshotSuccess>(_ => { });
        Command<SaveSnapshotFailure>(f => _log.Warning("pool: snapshot failed: {0}", f.Cause.Message));
    }

    private static DateTimeOffset Now => DateTimeOffset.UtcNow;

    /// <summary>A create for a version with a ready server first has its tenant's quota looked at: one over it would
    /// spend a server on an instance refused at once (each server so spent is gone, and a tenant at its quota could
    /// drain the pool by asking again). The instance's own reservation still decides; this only keeps the pool for
    /// creates that may fit.</summary>
    private void CreateInstance(InstanceCommands.Create create, Asked? asked)
    {
        var requester = Sender;
        var r = create.Request;
        if (!PoolDecisions.HasReady(_state, new PoolKey(r.Datastore, r.DatastoreVersion)))
        {
            Forward(create, asked, requester);
            return;
        }
        _tenants.AskEntityAsync<TenantReply>(new TenantCommands.GetQuotas(r.TenantId), _askTimeout).PipeTo(Self,
            success: reply => new QuotaSeen(create, asked, requester,
                reply is TenantReplies.Quotas q && q.Limits.Exceeded(q.Usage, r.VolumeSize, r.RamMb).Count == 0),
            failure: _ => new QuotaSeen(create, asked, requester, Fits: false));
    }

    /// <summary>Claims a ready server of the create's version, if any, journaled before the create goes on with the
    /// server's id; the instance answers the requester (with the caller and trace of the request's envelope). The creates
    /// of a burst are not held while each claim is written: those that come meanwhile are claimed and written together.</summary>
    private void Claim(InstanceCommands.Create create, Asked? asked, IActorRef requester)
    {
        var r = create.Request;
        if (PoolDecisions.Claim(_state, new PoolKey(r.Datastore, r.DatastoreVersion), Now) is not { } claimed)
        {
            Forward(create, asked, requester);
            return;
        }
        var server = _state.Find(claimed.Id)!.Server;
        _state = PoolState.Apply(_state, claimed);
        PersistAsync(claimed, e =>
        {
            Journaled(e);
            Forward(create with { InstanceId = server.Id, FromPool = server.AsServer() }, asked, requester);
        });
        RefillOncePaused();
    }

    /// <summary>The refill of claims waits until they pause (a burst's creates prepare on the cores its builds would take),
    /// or until it has waited the most it may.</summary>
    private void RefillOncePaused()
    {
        if (_settings.RefillAfterClaimsPause <= TimeSpan.Zero)
        {
            Refill();
            return;
        }
        _claimsSince ??= Now;
        var latest = _claimsSince.Value + _settings.RefillWaitsAtMost - Now;
        var wait = latest < _settings.RefillAfterClaimsPause ? latest : _settings.RefillAfterClaimsPause;
        Timers.StartSingleTimer(nameof(ClaimsPaused), new ClaimsPaused(), wait > TimeSpan.Zero ? wait : TimeSpan.Zero);
    }

    /// <summary>A rejected write (an event the journal refused, as one it cannot serialize) does not stop a persistent
    /// actor, but this one already decided on the event: it starts again from what the journal has.</summary>
    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        base.OnPersistRejected(cause, @event, sequenceNr);
        throw new InvalidOperationException($"the journal rejected {@event.GetType().Name}; starting again from the journal", cause);
    }

    private void Forward(InstanceCommands.Create create, Asked? asked, IActorRef requester) =>
        _instances.Tell(asked is null ? create : asked with { Message = create }, requester);

    private void Update(IPoolEvent e)
    {
        _state = PoolState.Apply(_state, e);
        Journaled(e);
    }

    private void Journaled(IPoolEvent e)
    {
        _journaled = PoolState.Apply(_journaled, e);
        if (LastSequenceNr % SnapshotEvery == 0)
            SaveSnapshot(_journaled);
    }

    private const int SnapshotEvery = 100;

    /// <summary>Looks at the claims old enough to be settled, and at the catalog's versions to refill.</summary>
    private void OnCheck()
    {
        foreach (var due in PoolDecisions.ClaimsDue(_journaled, Now, _settings.ClaimTimeout).Where(m => _lookingUp.Add(m.Id)))
            _instances.AskEntityAsync<InstanceReplies.Inspected>(new InstanceCommands.Inspect(due.Id), _askTimeout).PipeTo(Self,
                success: inspected => new ClaimLookedUp(due.Id, inspected.State is not null),
                failure: e => new ClaimNotLookedUp(due.Id, e.GetBaseException().Message));
        if (_settings.IsOn)
            _versions(CancellationToken.None).PipeTo(Self, success: keys => new Versions(keys), failure: e => new VersionsNotRead(e.GetBaseException().Message));
    }

    private void AskReadyGuests()
    {
        var ping = RpcMessage.Create(GuestMethods.RpcPing, new { });
        foreach (var ready in _state.Members.Where(m => m.Status == PoolMemberStatus.Ready && _asking.Add(m.Id)))
            _guests.CallAsync(ready.Id, ping, _settings.GuestAnswerTimeout).PipeTo(Self,
                success: _ => new GuestAnswered(ready.Id), failure: e => new GuestSilent(ready.Id, e.GetBaseException().Message));
    }

    private void Refill()
    {
        if (_claimsSince is not null)
            return; // once claims pause
        var requested = PoolDecisions.Refill(_state, _keys.Select(k => (k, _settings.SizeOf(k))), () => Guid.NewGuid().ToString(), Now,
            _settings.BuildsAtOnce);
        if (requested.Count == 0)
            return;
        foreach (var e in requested)
            _state = PoolState.Apply(_state, e);
        PersistAllAsync(requested, e =>
        {
            Journaled(e);
            Build(_state.Find(e.Id)!);
        });
    }

    /// <summary>As an instance's build: the guest's broker user, then the server (again, unchanged, when resumed), then a
    /// call that its guest answers once its engine runs. The call's queue is declared by a cast first.</summary>
    private void Build(PoolMember member)
    {
        if (!_building.Add(member.Id))
            return;
        var (compute, guests, settings) = (_compute, _guests, _settings);
        BuildAsync().PipeTo(Self, success: server => new Built(member.Id, server), failure: e => new BuildFailed(member.Id, e.GetBaseException().Message));

        async Task<Server> BuildAsync()
        {
            var started = DateTimeOffset.UtcNow;
            var broker = await guests.GrantBrokerUserAsync(member.Id);
            var spec = new ServerSpec(member.Id, member.Key.Datastore, member.Key.Version, settings.RamMb, settings.VolumeSize)
            {
                Broker = broker,
                Pooled = true,
            };
            var server = await compute.CreateServerAsync(spec, null, CancellationToken.None);
            var ping = RpcMessage.Create(GuestMethods.RpcPing, new { });
            await guests.CastAsync(member.Id, ping);
            var left = settings.ReadyTimeout - (DateTimeOffset.UtcNow - started);
            await guests.CallAsync(member.Id, ping, left > TimeSpan.Zero ? left : TimeSpan.FromSeconds(1));
            return server;
        }
    }

    /// <summary>Journals the removal, then deletes the server and its guest's broker user and queue (best effort: what
    /// is left, the reconciler removes as a server no instance and no pool owns).</summary>
    private void Discard(ServerRemoved removed, Action? then = null)
    {
        var serverId = _state.Find(removed.Id)?.ServerId ?? removed.Id;
        Persist(removed, e =>
        {
            Update(e);
            DeleteServer(e.Id, serverId);
            then?.Invoke();
            Refill();
        });
    }

    private void DeleteServer(string id, string serverId)
    {
        var (compute, guests, log) = (_compute, _guests, _log);
        _ = DeleteAsync();

        async Task DeleteAsync()
        {
            try
            {
                await compute.DeleteServerAsync(serverId, CancellationToken.None);
                await guests.DeleteQueueAsync(id);
                await guests.DeleteBrokerUserAsync(id);
            }
            catch (Exception e)
            {
                log.Warning("pool: removing server {0} failed ({1}); the reconciler removes what is left", id, e.GetBaseException().Message);
            }
        }
    }

    public static Props Props(ICompute compute, IGuestRpc guests, IActorRef instances, IActorRef tenants,
        Func<CancellationToken, Task<IReadOnlyList<PoolKey>>> versions, PoolSettings settings, TimeSpan askTimeout) =>
        Akka.Actor.Props.Create(() => new ServerPoolActor(compute, guests, instances, tenants, versions, settings, askTimeout));
}
