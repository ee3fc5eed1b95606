using Trove.Actors.Serialization;
using System.Diagnostics;
using Trove.Actors.Telemetry;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Akka.Persistence;
using Trove.Actors.Compute;
using System.Text.Json;
using System.Text.Json.Nodes;
using Trove.Actors.Guests;
using Trove.Contracts.Guests;
using Trove.Contracts.Datastores;
using Trove.Actors.ReadModel;
using Trove.Actors.Sharding;
using Trove.Actors.Tenants;
using Trove.Actors.WalArchive;
using static Trove.Actors.Instances.InstanceCommands;
using static Trove.Actors.Instances.InstanceEvents;

namespace Trove.Actors.Instances;

/// <summary>
/// One database instance: the sharded, event-sourced owner of its lifecycle (upstream's taskmanager work).
/// Rules live in <see cref="InstanceDecisions"/>; this actor persists what they decide, replies after persisting,
/// and supervises the children that do the slow work: provisioning and deletion.
/// </summary>
public sealed class InstanceActor : ReceivePersistentActor, IWithTimers
{
    private sealed record BuildTimedOut;
    private sealed record HeartbeatExpired;
    private sealed record RetryDelete;
    private sealed record RootWasEnabled(RootCredentials Credentials, IActorRef Requester, string? User);

    private sealed record GuestDid(InstanceEvents.IInstanceEvent Event, IActorRef Requester);
    /// <summary>A guest call's outcome, piped back to be handed to <paramref name="To"/> from inside the actor.</summary>
    private sealed record Deliver(object Message, IActorRef To);
    private sealed record QuotaAnswered(TenantReply? Reply, string? Failure);
    private sealed record LookedUp(Create? Next, InstanceReply? Refusal);
    private sealed record QuotaGivenBack;
    private sealed record GiveBackFailed(string Message);
    private sealed record RetryGiveBack;
    private sealed record GroupRead(SetConfiguration Command, ConfigurationGroup? Group, string? Failure, IActorRef Requester, string? User);
    private sealed record ConfigurationApplied(ConfigurationEvents.Requested Change, IActorRef? Requester);
    private sealed record ConfigurationNotApplied(ConfigurationEvents.Requested Change, InstanceReply Failure, IActorRef? Requester);
    private sealed record ReplicaGranted(string ReplicaId, ReplicaSource Connection, IActorRef Requester)
    {
        private bool PrintMembers(System.Text.StringBuilder builder) => Trove.Contracts.Secrets.PrintMembers(this, builder);
    }
    private sealed record SourceCleaned(string ReplicaId, string? Failure);
    private sealed record PromotionStepped(InstanceEvents.IInstanceEvent Event);
    private sealed record PromotionStepFailed(Promotion.Step Step, string Failure);
    private sealed record RetryPromotion;

    private readonly string _id;
    private readonly ICompute _compute;
    private readonly IGuestRpc _guests;
    private readonly InstanceSettings _settings;
    private readonly IActorRef _tenants;
    private readonly IConfigurationGroups? _configurations;
    private readonly IRestorePoints? _restorePoints;
    private readonly IActorRef? _instances;
    private readonly IWalArchiveGrants? _walGrants;
    private readonly ConductorClock _conductorClock;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Caller _caller = new();
    private readonly OwnRow<InstanceState, IInstanceEvent> _row;
    private InstanceState? _state;
    private QuotaHold? _quota;
    private ResizeHold? _resizeQuota;
    private ConfigurationEvents.Requested? _configurationChange;
    private DateTimeOffset? _lastHeartbeatSent;
    /// <summary>When the guest was last heard of (or the entity started), by the <see cref="ConductorClock"/>.</summary>
    private DateTimeOffset _heardByConductors;
    private double? _volumeUsed;
    private double? _replicationLag;
    private bool _promotionStepRunning;
    /// <summary>No heartbeat is known from before the entity started: a guest counts as heard of then (an eject waits).</summary>
    private readonly DateTimeOffset _started = DateTimeOffset.UtcNow;

    public override string PersistenceId { get; }
    public ITimerScheduler Timers { get; set; } = null!;

    public InstanceActor(string id, ICompute compute, IGuestRpc guests, IActorRef tenants, InstanceSettings settings,
        IConfigurationGroups? configurations = null, IRestorePoints? restorePoints = null, ReadModelDb? readModel = null,
        IActorRef? instances = null, IWalArchiveGrants? walGrants = null, ConductorClock? conductorClock = null)
    {
        _instances = instances;
        _conductorClock = conductorClock ?? new ConductorClock();
        _walGrants = walGrants;
        _row = new OwnRow<InstanceState, IInstanceEvent>(readModel, InstanceRegistration.Projection, _log);
        _tenants = tenants;
        _configurations = configurations;
        _restorePoints = restorePoints;
        _id = id;
        _compute = compute;
        _guests = guests;
        _settings = settings;
        PersistenceId = $"instance-{id}";

        Recover<SnapshotOffer>(offer => _state = (InstanceState)offer.Snapshot);
        Recover<IInstanceEvent>(e =>
        {
            _state = InstanceState.Apply(_state, e);
            _configurationChange = ConfigurationEvents.Apply(_configurationChange, e);
        });
        Recover<ConfigurationEvents.IConfigurationEvent>(e => _configurationChange = ConfigurationEvents.Apply(_configurationChange, e));
        Recover<QuotaEvents.IQuotaEvent>(e => _quota = QuotaHold.Apply(_quota, e));
        Recover<QuotaEvents.IResizeQuotaEvent>(e => _resizeQuota = ResizeHold.Apply(_resizeQuota, e));
        Recover<RecoveryCompleted>(_ => ResumeWork());
        Ready();
    }

    private void Ready()
    {
        Command<Asked>(asked => _caller.Handle(asked, InstanceRegistration.TypeName, OnCommand));
        Command<Create>(StartCreate);
        Command<Get>(get => Sender.Tell(InstanceDecisions.Get(_state, get).Reply is InstanceReplies.Found found
            ? found with { VolumeUsed = _volumeUsed, ReplicationLag = _state!.ReplicaOf is null ? null : _replicationLag }
            : new InstanceReplies.NotFound(get.InstanceId)));
        Command<Inspect>(_ => Sender.Tell(new InstanceReplies.Inspected(_state, Akka.Cluster.Cluster.Get(Context.System).SelfAddress.ToString(),
            _volumeUsed, Context.GetChildren().Select(c => c.Path.Name).ToList())));
        Command<Delete>(delete => Apply(InstanceDecisions.Delete(_state, delete, Now), afterPersist: StartDeletion));
        Command<ReportHeartbeat>(OnHeartbeat);
        Command<CallGuest>(call => CallGuestFor(call.InstanceId, call.TenantId, [call.Message], Sender, Sender,
            result => new InstanceReplies.GuestResult(result)));
        Command<IGuestCommand>(OnGuestCommand);
        Command<PingGuest>(Ping);
        Command<Deliver>(deliver => deliver.To.Tell(deliver.Message));
        Command<EnableRoot>(enable =>
        {
            var (requester, user) = (Sender, _caller.User);
            CallGuestFor(enable.InstanceId, enable.TenantId, [RpcMessage.Create(GuestMethods.EnableRoot, new EnableRootArgs(enable.Password))],
                requester, Self, result => new RootWasEnabled(result.Deserialize<RootCredentials>(RpcMessage.Json)!, requester, user));
        });
        Command<RootWasEnabled>(enabled => Apply(
            Decision.Silent(new InstanceEvents.RootEnabled(enabled.Credentials.Name, Now, enabled.User)),
            afterPersist: () => enabled.Requester.Tell(new InstanceReplies.RootEnabled(enabled.Credentials))));
        Command<DisableRoot>(disable =>
        {
            if (_state is { RootEverEnabled: false } && _state.BelongsTo(disable.TenantId))
                Sender.Tell(new InstanceReplies.GuestFailed(RpcFailureKinds.NotFound, $"Root was never enabled on instance {_id}."));
            else
                CallGuestFor(disable.InstanceId, disable.TenantId, [RpcMessage.Create(GuestMethods.DisableRoot, new { })], Sender, Sender,
                    result => new InstanceReplies.GuestResult(result));
        });
        Command<Restart>(restart => Apply(InstanceDecisions.Restart(_state, restart, Now), afterPersist: RestartGuest));
        Command<GuestActionActor.Ended>(ended =>
        {
            if (ended.Failure is not null)
                _log.Warning("instance {0}: {1} failed: {2}", _id, ended.Action, ended.Failure);
            Apply(ended.Action switch
            {
                GuestMethods.Resize => InstanceDecisions.ResizeFinished(_state, ended.Failure, Now),
                GuestMethods.DetachReplica => ReplicationDecisions.DetachFinished(_state, ended.Failure, Now),
                _ => InstanceDecisions.RestartFinished(_state, Now),
            });
        });
        Command<Rename>(rename => Apply(InstanceDecisions.Rename(_state, rename, Now)));
        Command<ResetStatus>(reset => Apply(InstanceDecisions.ResetStatus(_state, reset, Now)));
        Command<AttachConfiguration>(attach => ChangeConfiguration(attach.InstanceId, attach.TenantId, attach.Overrides,
            new InstanceEvents.ConfigurationAttached(attach.ConfigurationId, attach.RestartRequired, Now, attach.Revision)));
        Command<DetachConfiguration>(detach => ChangeConfiguration(detach.InstanceId, detach.TenantId, new Dictionary<string, string>(),
            new InstanceEvents.ConfigurationDetached(detach.RestartRequired, Now)));
        Command<SetConfiguration>(StartConfigurationChange);
        Command<SetAccess>(set =>
        {
            var (requester, user) = (Sender, _caller.User);
            CallGuestFor(set.InstanceId, set.TenantId,
                [RpcMessage.Create(GuestMethods.UpdateAccess, new AccessArgs(set.Access.AllowedCidrs))],
                requester, Self, _ => new GuestDid(new InstanceEvents.AccessChanged(set.Access, Now, user), requester));
        });
        Command<ConfigurationApplied>(applied =>
        {
            if (_configurationChange != applied.Change) // closed meanwhile (a roll-out's attach): nothing left to journal
                applied.Requester?.Tell(new InstanceReplies.Accepted(_state!));
            else
                Apply(Decision.Silent(applied.Change.Applied(Now)), afterPersist: () => applied.Requester?.Tell(new InstanceReplies.Accepted(_state!)));
        });
        Command<ConfigurationNotApplied>(failed =>
        {
            _log.Warning("instance {0}: the guest did not apply the configuration change: {1}", _id, failed.Failure);
            if (_configurationChange != failed.Change)
                failed.Requester?.Tell(failed.Failure);
            else
                Persist(new ConfigurationEvents.Abandoned(failed.Failure.ToString(), Now), e =>
                {
                    _configurationChange = ConfigurationEvents.Apply(_configurationChange, e);
                    failed.Requester?.Tell(failed.Failure);
                });
        });
        Command<GuestDid>(did => Apply(Decision.Silent(did.Event),
            afterPersist: () => did.Requester.Tell(new InstanceReplies.Accepted(_state!))));
        Command<Resize>(StartResize);
        Command<AttachReplica>(GrantReplica);
        Command<DetachReplica>(detach => Apply(ReplicationDecisions.Detach(_state, detach, Now), afterPersist: DetachFromSource));
        Command<ReplicaGranted>(granted => Apply(ReplicationDecisions.Attached(_state!, granted.ReplicaId, granted.Connection, Now),
            replyTo: granted.Requester));
        Command<DropReplica>(drop => Apply(ReplicationDecisions.Dropped(_state, drop.ReplicaId, Now), afterPersist: () => CleanUpSource(drop.ReplicaId)));
        Command<SourceCleaned>(cleaned =>
        {
            if (cleaned.Failure is not null)
                _log.Warning("instance {0}: the guest did not drop the role and slot of replica {1}: {2}", _id, cleaned.ReplicaId, cleaned.Failure);
        });
        Command<PromoteToReplicaSource>(Promote);
        Command<SwitchOver>(switchOver => Apply(ReplicationDecisions.SwitchOver(_state, switchOver, Now), afterPersist: ContinuePromotion));
        Command<EjectReplicaSource>(eject => Apply(ReplicationDecisions.Eject(_state, eject, LastHeard, _settings.HeartbeatExpiry, Now),
            afterPersist: ContinuePromotion));
        Command<JoinPromotion>(join => Apply(ReplicationDecisions.Join(_state, join, Now)));
        Command<ChangeReplicaSet>(change => Apply(ReplicationDecisions.ChangeSet(_state, change, Now)));
        Command<PromotionStepped>(stepped =>
        {
            _promotionStepRunning = false;
            Apply(Decision.Silent(stepped.Event), afterPersist: ContinuePromotion);
        });
        Command<PromotionStepFailed>(failed =>
        {
            _promotionStepRunning = false;
            _log.Warning("instance {0}: promotion step {1} failed ({2}); retrying", _id, failed.Step.GetType().Name, failed.Failure);
            Timers.StartSingleTimer(nameof(RetryPromotion), new RetryPromotion(), _settings.RetryDelay);
        });
        Command<RetryPromotion>(_ => ContinuePromotion());

        Command<StartBackup>(start => Apply(InstanceDecisions.StartBackup(_state, start, Now)));
        Command<EndBackup>(end => Apply(InstanceDecisions.EndBackup(_state, end, Now)));

        Command<ProvisioningActor.ServerReady>(ready =>
            Apply(InstanceDecisions.ServerCreated(_state, ready.Server.Id, ready.Server.Address, ready.Server.Port, Now)));
        Command<ProvisioningActor.StepFailed>(failed => Apply(InstanceDecisions.BuildFailed(_state, failed.Message, Now)));
        Command<ServerStep.ServerAccepted>(accepted => Apply(InstanceDecisions.ServerAccepted(_state, accepted.ServerId, Now)));
        Command<ServerStep.VolumeMade>(made => Apply(InstanceDecisions.VolumeMade(_state, made.VolumeId, Now)));
        Command<BuildTimedOut>(_ => Apply(InstanceDecisions.BuildFailed(_state,
            $"The instance did not become ACTIVE within {_settings.BuildTimeout.TotalSeconds:0} seconds.", Now)));
        Command<HeartbeatExpired>(_ => OnHeartbeatExpired());

        Command<DeletionActor.Done>(_ => Apply(InstanceDecisions.DeleteCompleted(_state, Now), afterPersist: Passivate));
        Command<DeletionActor.StepFailed>(failed =>
        {
            _log.Warning("instance {0}: delete failed ({1}); retrying", _id, failed.Message);
            Timers.StartSingleTimer(nameof(RetryDelete), new RetryDelete(), _settings.RetryDelay);
        });
        Command<RetryDelete>(_ => StartDeletion());
        Command<Terminated>(_ => StartDeletion()); // the abandoned build has ended
        Command<ReceiveTimeout>(_ => Passivate());
        Command<StopEntity>(_ => Context.Stop(Self));
        Command<Wake>(_ => { });
        Command<SaveSnapshotSuccess>(_ => { });
        Command<SaveSnapshotFailure>(f => _log.Warning("instance {0}: snapshot failed: {1}", _id, f.Cause.Message));
    }

    private static DateTimeOffset Now => DateTimeOffset.UtcNow;

    /// <summary>A database or user operation: names the datastore does not take are refused here (400) before the
    /// guest is called; a user to delete must be one the guest lists (404 otherwise, as upstream).</summary>
    private void OnGuestCommand(IGuestCommand command)
    {
        if (_state is { } state && state.BelongsTo(command.TenantId) && InstanceNames.Check(state.Datastore, command) is { } invalid)
        {
            Sender.Tell(invalid);
            return;
        }
        if (command is DeleteUser delete)
            CallGuestFor(delete.InstanceId, delete.TenantId, () => DeleteListedUserAsync(delete), Sender, Sender);
        else
            CallGuestFor(command.InstanceId, command.TenantId, GuestOperations.CallsOf(command), Sender, Sender,
                result => GuestOperations.ReplyOf(command, result));
    }

    /// <summary>Calls the guest whatever the instance's task (a ping asks whether the guest answers, not whether it may act).</summary>
    private void Ping(PingGuest ping)
    {
        var requester = Sender;
        if (_state is not { } state || !state.BelongsTo(ping.TenantId))
            requester.Tell(new InstanceReplies.NotFound(ping.InstanceId));
        else if (state.ServerId is null)
            requester.Tell(new InstanceReplies.Refused($"Instance {_id} has no server yet."));
        else
            CallAllAsync([RpcMessage.Create(GuestMethods.RpcPing, new { })]).PipeTo(Self,
                success: _ => new Deliver(InstanceReplies.GuestDone.Instance, requester),
                failure: e => new Deliver(GuestOperations.FailureOf(e), requester));
    }

    private async Task<object> DeleteListedUserAsync(DeleteUser delete)
    {
        var list = new ListUsers(delete.InstanceId, delete.TenantId);
        var listed = GuestOperations.ReplyOf(list, await CallAllAsync(GuestOperations.CallsOf(list)));
        if (listed is InstanceReplies.UsersListed { Users: var users } && !users.Any(u => u.Is(delete.Name, delete.Host)))
            return new InstanceReplies.GuestFailed(RpcFailureKinds.NotFound,
                $"User {(delete.Host is null ? delete.Name : $"{delete.Name}@{delete.Host}")} cannot be found on instance {_id}.");
        return GuestOperations.ReplyOf(delete, await CallAllAsync(GuestOperations.CallsOf(delete)));
    }

    /// <summary>
    /// A new instance: a restore's backup chain first (<see cref="LookUpRestorePoint"/>), then the tenant's quota (asked
    /// for, journaled, then granted and journaled), then the guest's prepare, then <see cref="Created"/>. A create that
    /// does not get that far gives the quota back, here or, after a crash, on recovery (<see cref="QuotaHold.MustGiveBack"/>);
    /// the tenant releases an instance id once only.
    /// </summary>
    private void StartCreate(Create create)
    {
        if (create.Request.User is null && _caller.User is { } user)
            create = create with { Request = create.Request with { User = user } };
        if (_state is not null || _quota is not null)
        {
            Sender.Tell(_state is not null
                ? InstanceDecisions.Create(_state, create, Now).Reply!
                : new InstanceReplies.Refused($"Instance {_id} already exists."));
            return;
        }
        ContinueCreate(create, Sender);
    }

    /// <summary>What the create names is looked up first, each answered inside the entity while commands wait: its
    /// configuration group, then a restore's backup chain; then the quota is reserved.</summary>
    private void ContinueCreate(Create create, IActorRef requester)
    {
        var r = create.Request;
        if (r is { ReplicaOf: { } sourceId, ReplicaSource: null })
            LookUp(requester, _instances is null ? null
                    : async () => ReplicationDecisions.AsReplica(create, await _instances.AskEntityAsync<InstanceReply>(
                        new AttachReplica(sourceId, r.TenantId, _id), _settings.GuestCallTimeout + _settings.QuotaTimeout)),
                failed: error => $"The replica source {sourceId} did not answer: {error}", unavailable: "This node cannot reach replica sources.");
        else if (r is { ConfigurationId: { } groupId, Configuration: null })
            LookUp(requester, _configurations is null ? null
                    : async () => InstanceDecisions.WithConfiguration(create, await _configurations.FindAsync(r.TenantId, groupId)),
                failed: error => $"The configuration group could not be read: {error}", unavailable: "This node cannot read configuration groups.");
        else if (r is { RestoreBackupId: { } backupId, RestoreFrom: null })
            LookUp(requester, _restorePoints is null ? null
                    : async () => InstanceDecisions.Restore(create, await _restorePoints.FindAsync(r.TenantId, backupId, _settings.BackupLookupTimeout)),
                failed: error => $"Backup {backupId} did not answer: {error}", unavailable: "This node cannot look backups up.");
        else
            Reserve(create, requester);
    }

    /// <summary>Looks up what the create names (its configuration group, which the guest applies at prepare; a restore's
    /// backup chain, which its <see cref="Created"/> event keeps) while commands wait, then goes on with the create the
    /// decision gives, or answers its refusal: nothing is journaled or reserved before.</summary>
    private void LookUp(IActorRef requester, Func<Task<(Create? Next, InstanceReply? Refusal)>>? decide, Func<string, string> failed,
        string unavailable)
    {
        if (decide is null)
        {
            requester.Tell(new InstanceReplies.Failed(unavailable));
            BecomeReady();
            return;
        }
        Become(() =>
        {
            Command<LookedUp>(looked =>
            {
                if (looked.Next is { } next)
                    ContinueCreate(next, requester);
                else
                {
                    requester.Tell(looked.Refusal!);
                    BecomeReady();
                }
            });
            WaitingOnTenant(); // the same waiting: a stop meanwhile leaves nothing journaled, and the requester unanswered
        });
        decide().PipeTo(Self, success: d => new LookedUp(d.Next, d.Refusal),
            failure: e => new LookedUp(null, new InstanceReplies.Failed(failed(e.GetBaseException().Message))));
    }

    private void Reserve(Create create, IActorRef requester)
    {
        if (InstanceNames.Check(create.Request.Datastore, create) is { } invalid)
        {
            requester.Tell(invalid);
            BecomeReady();
            return;
        }
        var r = create.Request;
        Become(() => Creating(create, requester));
        Persist(new QuotaEvents.Requested(r.TenantId, r.VolumeSize, r.RamMb, Now, r.ReplicaOf), e =>
        {
            _quota = QuotaHold.Apply(_quota, e);
            AskTenant(new TenantCommands.ReserveInstance(r.TenantId, _id, r.VolumeSize, r.RamMb));
        });
    }

    private void Creating(Create create, IActorRef requester)
    {
        Command<QuotaAnswered>(answer =>
        {
            switch (answer.Reply)
            {
                case TenantReplies.Reserved:
                    Persist(new QuotaEvents.Reserved(Now), e =>
                    {
                        _quota = QuotaHold.Apply(_quota, e);
                        var r = create.Request;
                        Context.ActorOf(ProvisioningActor.Props(ServerSpecOf(create), new PrepareArgs(r.Databases, r.Users, r.RestoreFrom,
                            r.Configuration?.Overrides, r.Configuration?.RestartRequired ?? false,
                            r.Access is { } access ? new AccessArgs(access.AllowedCidrs) : null, r.ReplicaSource,
                            r.RestoreWalOf is null ? null : new RecoveryArgs(r.RestoreTime, r.RestoreWalUri),
                            create.FromPool is null ? null : new FlavorArgs(r.RamMb, r.VolumeSize)),
                            _compute, _guests, ServerRetry, create.FromPool), "provisioning");
                    });
                    break;
                case TenantReplies.QuotaExceeded exceeded:
                    Persist(new QuotaEvents.Released(Now), e =>
                    {
                        _quota = QuotaHold.Apply(_quota, e);
                        ForgetSource();
                        requester.Tell(new InstanceReplies.QuotaExceeded(exceeded.Message));
                        BecomeReady();
                        Passivate();
                    });
                    break;
                default:
                    requester.Tell(new InstanceReplies.Failed(
                        $"The tenant's quota could not be reserved: {answer.Failure ?? answer.Reply?.GetType().Name}"));
                    GiveBackQuota();
                    break;
            }
        });
        Command<ProvisioningActor.PrepareQueued>(_ =>
        {
            var decision = InstanceDecisions.Create(_state, create, Now);
            // kept in the same write as the instance: the quota-hold projection never sees a created instance's hold open
            PersistAll(decision.Events.Cast<object>().Append(new QuotaEvents.Kept(Now)), e =>
            {
                if (e is IInstanceEvent created)
                {
                    _state = InstanceState.Apply(_state, created);
                    _row.Write(_id, _state, LastSequenceNr);
                }
                else
                    _quota = QuotaHold.Apply(_quota, (QuotaEvents.IQuotaEvent)e);
            });
            DeferAsync(decision, d =>
            {
                requester.Tell(d.Reply);
                Context.Child("provisioning").Tell(new ProvisioningActor.CreateServer());
                Timers.StartSingleTimer(nameof(BuildTimedOut), new BuildTimedOut(), _settings.BuildTimeout);
                BecomeReady();
            });
        });
        Command<ProvisioningActor.StepFailed>(failed =>
        {
            requester.Tell(new InstanceReplies.Failed(failed.Message));
            GiveBackQuota();
        });
        WaitingOnTenant();
    }

    /// <summary>A replica whose create did not happen: its source drops what it made for it (told, not asked: the source
    /// answers nothing that this create waits for).</summary>
    private void ForgetSource()
    {
        if (_quota?.ReplicaOf is { } sourceId)
            _instances?.Tell(new DropReplica(sourceId, _id));
    }

    /// <summary>A new replica asks for what it streams with: the guest makes it, then the replica is journaled and answered.</summary>
    private void GrantReplica(AttachReplica attach)
    {
        if (ReplicationDecisions.CanAttach(_state, attach) is { } refusal)
        {
            Sender.Tell(refusal);
            return;
        }
        var requester = Sender;
        _guests.CallAsync(_id, RpcMessage.Create(GuestMethods.GetReplicaContext, new ReplicaArgs(attach.ReplicaId)), _settings.GuestCallTimeout)
            .PipeTo(Self, success: result => new ReplicaGranted(attach.ReplicaId, result.Deserialize<ReplicaSource>(RpcMessage.Json)!, requester),
                failure: e => new Deliver(GuestOperations.FailureOf(e), requester));
    }

    /// <summary>Best effort once the replica is forgotten: a guest that cannot drop the slot now leaves it (and the WAL it
    /// keeps) until an operator does; a guest that has no such slot has nothing to do.</summary>
    private void CleanUpSource(string replicaId)
    {
        if (_state is not { IsDeleted: false, ServerId: not null, Task: not InstanceTask.Deleting })
            return;
        _guests.CallAsync(_id, RpcMessage.Create(GuestMethods.CleanupSourceOnReplicaDetach, new ReplicaArgs(replicaId)), _settings.GuestCallTimeout)
            .PipeTo(Self, success: _ => new SourceCleaned(replicaId, null), failure: e => new SourceCleaned(replicaId, e.GetBaseException().Message));
    }

    /// <summary>Gives the quota of a create that did not happen back to the tenant, then journals it and passivates.</summary>
    private void GiveBackQuota() => GiveBack(new TenantCommands.ReleaseInstance(_quota!.TenantId, _id), () =>
        Persist(new QuotaEvents.Released(Now), e =>
        {
            _quota = QuotaHold.Apply(_quota, e);
            ForgetSource();
            BecomeReady();
            Passivate();
        }));

    /// <summary>
    /// A resize: the growth is taken from the tenant's quota first (asked for and journaled, then granted and journaled
    /// before the resize starts). A resize the tenant refuses, or that fails or is abandoned, gives the size before
    /// back (<see cref="ResizeHold.MustGiveBack"/>): here, or after a crash when the entity recovers.
    /// </summary>
    private void StartResize(Resize resize)
    {
        var decision = InstanceCallers.Stamp(InstanceDecisions.Resize(_state, resize, Now), _caller.User);
        if (decision.Events is not [ResizeStarted started])
        {
            Sender.Tell(decision.Reply!);
            return;
        }
        var requester = Sender;
        var tenantId = _state!.TenantId;
        Become(() => ResizingQuota(decision, requester));
        Persist(new QuotaEvents.ResizeRequested(started.VolumeSize, started.RamMb, _state.VolumeSize, _state.RamMb, Now), e =>
        {
            _resizeQuota = ResizeHold.Apply(_resizeQuota, e);
            AskTenant(new TenantCommands.ResizeInstance(tenantId, _id, started.VolumeSize, started.RamMb));
        });
    }

    /// <summary>Asks the tenant for quota; its answer (or why there is none) comes back as <see cref="QuotaAnswered"/>.</summary>
    private void AskTenant(IWithTenantId command) =>
        _tenants.AskEntityAsync<TenantReply>(command, _settings.QuotaTimeout)
            .PipeTo(Self, success: reply => new QuotaAnswered(reply, null), failure: e => new QuotaAnswered(null, e.GetBaseException().Message));

    private void ResizingQuota(Decision decision, IActorRef requester)
    {
        Command<QuotaAnswered>(answer =>
        {
            switch (answer.Reply)
            {
                case TenantReplies.Reserved:
                    Persist(new QuotaEvents.ResizeReserved(Now), e =>
                    {
                        _resizeQuota = ResizeHold.Apply(_resizeQuota, e);
                        Apply(decision, afterPersist: ResizeGuest, replyTo: requester);
                        BecomeReady();
                    });
                    break;
                case TenantReplies.QuotaExceeded exceeded:
                    Persist(new QuotaEvents.ResizeReleased(Now), e =>
                    {
                        _resizeQuota = ResizeHold.Apply(_resizeQuota, e);
                        requester.Tell(new InstanceReplies.QuotaExceeded(exceeded.Message));
                        BecomeReady();
                    });
                    break;
                default:
                    requester.Tell(new InstanceReplies.Failed(
                        $"The tenant's quota could not be changed: {answer.Failure ?? answer.Reply?.GetType().Name}"));
                    GiveBackResize();
                    break;
            }
        });
        WaitingOnTenant();
    }

    /// <summary>Gives the tenant back the size the instance had before a resize that did not happen, then journals it.</summary>
    private void GiveBackResize()
    {
        var hold = _resizeQuota!;
        GiveBack(new TenantCommands.ResizeInstance(_state!.TenantId, _id, hold.PreviousVolumeGb, hold.PreviousRamMb), () =>
            Persist(new QuotaEvents.ResizeReleased(Now), e =>
            {
                _resizeQuota = ResizeHold.Apply(_resizeQuota, e);
                BecomeReady();
            }));
    }

    /// <summary>Journals that the tenant keeps what a settled resize holds (<see cref="ResizeHold.MustKeep"/>).</summary>
    private void KeepResize() => Persist(new QuotaEvents.ResizeKept(Now), e => _resizeQuota = ResizeHold.Apply(_resizeQuota, e));

    /// <summary>Asks the tenant to take quota back, retrying until it acknowledges; commands wait meanwhile. A tenant that
    /// released the whole instance already (it was deleted) has it back too.</summary>
    private void GiveBack(IWithTenantId command, Action givenBack)
    {
        Become(() =>
        {
            Command<QuotaGivenBack>(_ => givenBack());
            Command<GiveBackFailed>(failed =>
            {
                _log.Warning("instance {0}: giving the quota back failed ({1}); retrying", _id, failed.Message);
                Timers.StartSingleTimer(nameof(RetryGiveBack), new RetryGiveBack(), _settings.RetryDelay);
            });
            Command<RetryGiveBack>(_ => AskGiveBack(command));
            WaitingOnTenant();
        });
        AskGiveBack(command);
    }

    private void AskGiveBack(IWithTenantId command) =>
        _tenants.AskEntityAsync<TenantReply>(command, _settings.QuotaTimeout).PipeTo(Self,
            success: reply => reply is TenantReplies.Released or TenantReplies.Reserved or TenantReplies.AlreadyReleased
                ? new QuotaGivenBack()
                : new GiveBackFailed($"the tenant answered {reply.GetType().Name}"),
            failure: e => new GiveBackFailed(e.GetBaseException().Message));

    /// <summary>While the tenant is asked: commands wait. A handoff does not wait for a tenant that may be moving too (the
    /// whole shard would wait): the quota events are journaled, and the entity carries on when it starts again.</summary>
    private void WaitingOnTenant()
    {
        Command<StopEntity>(_ => Context.Stop(Self));
        CommandAny(_ => Stash.Stash());
    }

    /// <summary>Calls the guest (each call in turn) if the tenant may act on the instance now. The mapped result of
    /// the last call goes to <paramref name="resultTo"/>, a failure straight to <paramref name="requester"/>; nothing is persisted here.</summary>
    private void CallGuestFor(string instanceId, string tenantId, IReadOnlyList<RpcMessage> calls, IActorRef requester, IActorRef resultTo,
        Func<JsonNode?, object> onResult) =>
        CallGuestFor(instanceId, tenantId, async () => onResult(await CallAllAsync(calls)), requester, resultTo);

    /// <summary>Runs <paramref name="work"/> (guest calls) if the tenant may act on the instance now; its outcome goes to
    /// <paramref name="resultTo"/>, a failure straight to <paramref name="requester"/>.</summary>
    private void CallGuestFor(string instanceId, string tenantId, Func<Task<object>> work, IActorRef requester, IActorRef resultTo)
    {
        if (InstanceDecisions.Guard(_state, instanceId, tenantId) is { } refusal)
        {
            requester.Tell(refusal);
            return;
        }
        work().PipeTo(Self,
            success: result => new Deliver(result, resultTo),
            failure: e => new Deliver(GuestOperations.FailureOf(e), requester));
    }

    private async Task<JsonNode?> CallAllAsync(IReadOnlyList<RpcMessage> calls)
    {
        JsonNode? result = null;
        foreach (var call in calls)
            result = await _guests.CallAsync(_id, call, _settings.GuestCallTimeout);
        return result;
    }

    /// <summary>The guest writes the overrides and applies what it can at once; the change is persisted only once it did.</summary>
    private void ChangeConfiguration(string instanceId, string tenantId, IReadOnlyDictionary<string, string> overrides, InstanceEvents.IInstanceEvent change)
    {
        var (requester, asked) = (Sender, InstanceCallers.Stamp(change, _caller.User));
        CallGuestFor(instanceId, tenantId, [RpcMessage.Create(GuestMethods.UpdateOverrides, new UpdateOverridesArgs(overrides))],
            requester, Self, _ => new GuestDid(asked, requester));
    }

    /// <summary>
    /// Attach or detach, owned here: the group is read (commands wait), checked, and the change journaled before the guest
    /// applies it; once it did, <see cref="InstanceEvents.ConfigurationAttached"/> (or Detached) is journaled and the
    /// requester answered. A node that stops in between applies the journaled change again when the entity starts.
    /// </summary>
    private void StartConfigurationChange(SetConfiguration set)
    {
        if (InstanceDecisions.SetConfiguration(_state, set, _configurationChange is not null) is { } refusal)
        {
            Sender.Tell(refusal);
            return;
        }
        if (_configurations is null)
        {
            Sender.Tell(new InstanceReplies.Failed("This node cannot read configuration groups."));
            return;
        }
        var (requester, user) = (Sender, _caller.User);
        Become(() =>
        {
            Command<GroupRead>(ChangeConfiguration);
            WaitingOnTenant(); // the same waiting: a stop meanwhile leaves nothing journaled, and the requester unanswered
        });
        _configurations.FindAsync(_state!.TenantId, set.ConfigurationId ?? _state.ConfigurationId!).PipeTo(Self,
            success: group => new GroupRead(set, group, null, requester, user),
            failure: e => new GroupRead(set, null, e.GetBaseException().Message, requester, user));
    }

    private void ChangeConfiguration(GroupRead read)
    {
        var (refusal, change) = read.Failure is { } failure
            ? (new InstanceReplies.Failed($"The configuration group could not be read: {failure}"), null)
            : InstanceDecisions.ConfigurationChange(_state!, read.Command, read.Group, Now);
        if (change is null)
        {
            read.Requester.Tell(refusal!);
            BecomeReady();
            return;
        }
        Persist(change with { User = read.User }, e =>
        {
            _configurationChange = ConfigurationEvents.Apply(_configurationChange, e);
            ApplyConfigurationChange(read.Requester);
            BecomeReady();
        });
    }

    /// <summary>The guest writes the change's overrides (all of them, so that applying it again is harmless).</summary>
    private void ApplyConfigurationChange(IActorRef? requester)
    {
        var change = _configurationChange!;
        _guests.CallAsync(_id, RpcMessage.Create(GuestMethods.UpdateOverrides, new UpdateOverridesArgs(change.Overrides)), _settings.GuestCallTimeout)
            .PipeTo(Self,
                success: _ => new ConfigurationApplied(change, requester),
                failure: e => new ConfigurationNotApplied(change, GuestOperations.FailureOf(e), requester));
    }

    /// <summary>The server gets the new flavor or volume size first (nothing to do for a local server, whose guest holds
    /// the limits itself); then the guest applies the new size (its data quota) and flavor (the engine's memory
    /// settings, with a restart). A resumed resize asks the server again: a server already resized stays as it is.</summary>
    private void ResizeGuest()
    {
        if (_state is not { PendingResize: { } resize, ServerId: { } serverId } state)
            return;
        var compute = _compute;
        StartAction(RpcMessage.Create(GuestMethods.Resize, new ResizeArgs(resize.VolumeSize, resize.RamMb)), async ct =>
        {
            if (resize.FlavorId != state.FlavorId)
                await compute.ResizeServerAsync(serverId, resize.FlavorId, ct);
            if (resize.VolumeSize != state.VolumeSize)
                await compute.ResizeVolumeAsync(serverId, resize.VolumeSize, ct);
        });
    }

    /// <summary>A restart restarts the engine. The operator's reboot reboots the server, whose guest starts the engine
    /// as it boots: the action ends when that guest answers.</summary>
    private void RestartGuest()
    {
        if (_state is { RebootingServer: true, ServerId: { } serverId })
        {
            var compute = _compute;
            StartAction(RpcMessage.Create(GuestMethods.RpcPing, new { }), ct => compute.RebootServerAsync(serverId, ct));
        }
        else
            StartAction(RpcMessage.Create(GuestMethods.Restart, new { }));
    }

    /// <summary>The guest promotes its engine, then the source forgets the replica and drops its slot (after the promotion:
    /// a slot dropped first would be made again by nothing, and the replica would stop mid-stream). Both are repeated
    /// harmlessly by a detach resumed after a crash.</summary>
    private void DetachFromSource()
    {
        if (_state is not { Task: InstanceTask.Detaching, ReplicaOf: { } sourceId })
            return;
        var instances = _instances!;
        var id = _id;
        var timeout = _settings.GuestCallTimeout;
        StartAction(RpcMessage.Create(GuestMethods.DetachReplica, new { }), afterCall: () =>
            instances.AskEntityAsync<InstanceReply>(new DropReplica(sourceId, id), timeout));
    }

    /// <summary>A replica asks its source to hand over to it; the source's answer is the requester's.</summary>
    private void Promote(PromoteToReplicaSource promote)
    {
        if (ReplicationDecisions.CanPromote(_state, promote) is { } refusal)
        {
            Sender.Tell(refusal);
            return;
        }
        var requester = Sender;
        _instances!.AskEntityAsync<InstanceReply>(new SwitchOver(_state!.ReplicaOf!, promote.TenantId, _id, _caller.User), _settings.GuestCallTimeout)
            .PipeTo(Self, success: reply => new Deliver(reply, requester),
                failure: e => new Deliver(new InstanceReplies.Failed($"The replica source did not answer: {e.GetBaseException().Message}"), requester));
    }

    /// <summary>The last time the guest was heard of, or the entity's start if later.</summary>
    private DateTimeOffset LastHeard => _lastHeartbeatSent is { } sent && sent > _started ? sent : _started;

    /// <summary>Runs the promotion's next step (<see cref="Promotion.Next"/>), one at a time; its event is journaled, then the
    /// one after runs. Started again by recovery from wherever the journal says it got to.</summary>
    private void ContinuePromotion()
    {
        if (_state is not { Promotion: { } promotion, IsDeleted: false } || _promotionStepRunning || _instances is null)
            return;
        _promotionStepRunning = true;
        var step = promotion.Next(_id);
        _log.Info("instance {0}: {1} step {2}", _id, promotion.Kind, step);
        new PromotionSteps(_id, _guests, _instances, _settings).RunAsync(promotion, step).PipeTo(Self,
            success: e => new PromotionStepped(e), failure: e => new PromotionStepFailed(step, e.GetBaseException().Message));
    }

    private void StartAction(RpcMessage call, Func<CancellationToken, Task>? serverStep = null, Func<Task>? afterCall = null)
    {
        if (Context.Child(call.Method).IsNobody())
            Context.ActorOf(GuestActionActor.Props(_id, call, _settings.RestartTimeout, _guests, serverStep, afterCall), call.Method);
    }

    private void BecomeReady()
    {
        Become(Ready);
        Stash.UnstashAll();
    }

    private void OnHeartbeat(ReportHeartbeat heartbeat)
    {
        var decision = InstanceDecisions.Heartbeat(_state, heartbeat, _lastHeartbeatSent, Now);
        if (_state is { IsDeleted: false } && (_lastHeartbeatSent is null || heartbeat.Sent >= _lastHeartbeatSent))
        {
            _lastHeartbeatSent = heartbeat.Sent;
            _volumeUsed = heartbeat.VolumeUsed ?? _volumeUsed;
            _replicationLag = heartbeat.ReplicationLag;
            ExpectHeartbeat();
            KeepWalArchiveGranted(_state);
        }
        Apply(decision with { Reply = InstanceReplies.HeartbeatAck.Instance });
    }

    /// <summary>The guest counts as heard of now; it is lost if nothing more is heard of it for the expiry.</summary>
    private void ExpectHeartbeat()
    {
        _heardByConductors = _conductorClock.Now(Now);
        Timers.StartSingleTimer(nameof(HeartbeatExpired), new HeartbeatExpired(), _settings.HeartbeatExpiry);
    }

    /// <summary>The expiry is measured by the <see cref="ConductorClock"/>: while the conductors are behind, the guest's
    /// next heartbeat may still be in the queue, and its instance is looked at again when it would be due by that clock,
    /// and at least once per expiry: a conductor catching up moves the clock faster than the wall's.</summary>
    private void OnHeartbeatExpired()
    {
        var expiry = _settings.HeartbeatExpiry;
        var silent = _conductorClock.Now(Now) - _heardByConductors;
        if (silent < expiry)
        {
            var due = TimeSpan.FromTicks(Math.Clamp((expiry - silent).Ticks, expiry.Ticks / 4, expiry.Ticks));
            Timers.StartSingleTimer(nameof(HeartbeatExpired), new HeartbeatExpired(), due);
            return;
        }
        Apply(InstanceDecisions.HeartbeatExpired(_state, Now));
    }

    /// <summary>A guest that archives into object storage needs a URL for it, renewed before it expires (see
    /// <see cref="WalArchiveGrantActor"/>); one of a version that does not archive ignores it.</summary>
    private void KeepWalArchiveGranted(InstanceState state)
    {
        if (_walGrants is null || DatastoreProfiles.Of(state.Datastore).Lacks(DatastoreCapability.PointInTimeRecovery) is not null)
            return;
        var grants = Context.Child(WalArchiveGrantChild);
        if (grants.IsNobody())
            grants = Context.ActorOf(WalArchiveGrantActor.Props(_walGrants), WalArchiveGrantChild);
        grants.Tell(new WalArchiveGrantActor.Heard(state.TenantId, _id));
    }

    private const string WalArchiveGrantChild = "wal-archive-grant";

    /// <summary>Persists the decided events, then replies; nothing is acknowledged before it is durable.</summary>
    private void Apply(Decision decision, Action? afterPersist = null, IActorRef? replyTo = null)
    {
        decision = InstanceCallers.Stamp(decision, _caller.User);
        var sender = replyTo ?? Sender;
        if (decision.Events.Count == 0)
        {
            if (decision.Reply is not null)
                sender.Tell(decision.Reply);
            return;
        }
        // The reply goes from the last event's handler, while commands are still stashed: a DeferAsync handler
        // would run after the stash is released, so a stop arriving meanwhile could drop the reply.
        var pending = decision.Events.Count;
        var persisting = Stopwatch.GetTimestamp();
        PersistAll(decision.Events, e =>
        {
            TroveMetrics.Persisted(persisting, InstanceRegistration.TypeName);
            _state = InstanceState.Apply(_state, e);
            if (e is BuildCompleted or BuildFailed)
            {
                Timers.Cancel(nameof(BuildTimedOut));
                TroveMetrics.Outcome(TroveMetrics.BuildDuration, Now - _state!.Created, _state.Status);
            }
            _configurationChange = ConfigurationEvents.Apply(_configurationChange, e);
            // a snapshot keeps the state, not a resize's hold on the quota nor a configuration change under way: it
            // waits until they are settled
            if (LastSequenceNr % _settings.SnapshotEvery == 0 && !ResizeHold.IsOpen(_resizeQuota) && _configurationChange is null)
                SaveSnapshot(_state);
            if (--pending > 0)
                return;
            _row.Write(_id, _state, LastSequenceNr);
            if (decision.Reply is not null)
                sender.Tell(decision.Reply);
            afterPersist?.Invoke();
            if (ResizeHold.MustGiveBack(_state, _resizeQuota))
                GiveBackResize(); // the resize failed, or an admin reset it
            else if (ResizeHold.MustKeep(_state, _resizeQuota))
                KeepResize(); // the resize is done, or the instance is being deleted
        });
    }

    /// <summary>After recovery (a node start, a handoff, a passivated entity woken), picks up the unfinished task.</summary>
    private void ResumeWork()
    {
        SetReceiveTimeout(_settings.PassivateAfter);
        if (QuotaHold.MustGiveBack(_state, _quota))
        {
            _log.Info("instance {0}: a create was interrupted before the instance was kept; giving its quota back", _id);
            GiveBackQuota();
            return;
        }
        if (_state is null)
            return;
        if (ResizeHold.MustGiveBack(_state, _resizeQuota))
        {
            _log.Info("instance {0}: a resize was refused, failed or interrupted before it started; giving its quota back", _id);
            GiveBackResize();
        }
        else if (ResizeHold.MustKeep(_state, _resizeQuota))
            KeepResize(); // settled before the node stopped, not yet journaled so
        if (_configurationChange is not null)
        {
            _log.Info("instance {0}: a configuration change was interrupted before its guest applied it; applying it again", _id);
            ApplyConfigurationChange(null);
        }
        _lastHeartbeatSent = _state.ServiceStatusSent;
        ContinuePromotion();
        switch (_state.Task)
        {
            case InstanceTask.Building:
                var remaining = _state.Created + _settings.BuildTimeout - Now;
                Timers.StartSingleTimer(nameof(BuildTimedOut), new BuildTimedOut(), remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
                Context.ActorOf(ProvisioningActor.Props(ServerSpecOf(_state), null, _compute, _guests, ServerRetry), "provisioning")
                    .Tell(new ProvisioningActor.CreateServer());
                break;
            case InstanceTask.Deleting:
                StartDeletion();
                break;
            case InstanceTask.Rebooting:
                RestartGuest();
                break;
            case InstanceTask.Resizing:
                ResizeGuest();
                break;
            case InstanceTask.Detaching:
                DetachFromSource();
                break;
            case InstanceTask.None when !_state.IsDeleted:
                ExpectHeartbeat();
                break;
        }
    }

    private void StartDeletion()
    {
        if (_state is not { Task: InstanceTask.Deleting } || !Context.Child("deletion").IsNobody())
            return;
        Timers.CancelAll();
        if (Context.Child("provisioning") is var building && !building.IsNobody())
        {
            // What a creation in flight makes is reported before the build ends; the deletion then removes it too.
            Context.Watch(building);
            building.Tell(new ProvisioningActor.Abandon());
            return;
        }
        Context.ActorOf(DeletionActor.Props(_id, _state.TenantId, _state.ServerId ?? _state.AcceptedServerId, _compute, _guests, _tenants,
            _settings.StopDbTimeout, _state.ReplicaOf is { } sourceId ? new DeletionActor.Source(sourceId, _instances!) : null), "deletion");
    }

    private ProvisioningActor.Retry ServerRetry => new(_settings.ServerCreateRetries, _settings.ServerCreateBackoff);

    private void Passivate() => Context.Parent.Tell(new Passivate(StopEntity.Instance));

    private static ServerSpec ServerSpecOf(Create c) =>
        new(c.InstanceId, c.Request.Datastore, c.Request.DatastoreVersion, c.Request.RamMb, c.Request.VolumeSize)
        {
            RestoreFrom = c.Request.RestoreLocations(),
            RestoreWalOf = c.Request.RestoreWalOf,
            FlavorId = c.Request.FlavorId,
            StartsEngineAtOnce = c.Request.RestoreFrom is null && c.Request.ReplicaOf is null && c.Request.RestoreWalOf is null,
        };

    /// <summary>A resumed build restores from the same backups: their locations are in the journal.</summary>
    private static ServerSpec ServerSpecOf(InstanceState s) =>
        new(s.Id, s.Datastore, s.DatastoreVersion, s.RamMb, s.VolumeSize)
        {
            RestoreFrom = s.RestoreFrom ?? [], RestoreWalOf = s.RestoreWalOf, FlavorId = s.FlavorId, KnownServerId = s.AcceptedServerId ?? s.ServerId, KnownVolumeId = s.VolumeId,
            StartsEngineAtOnce = s.RestoreFrom is not { Count: > 0 } && s.ReplicaOf is null && s.RestoreWalOf is null,
        };

    public static Props Props(string id, ICompute compute, IGuestRpc guests, IActorRef tenants, InstanceSettings settings,
        IConfigurationGroups? configurations = null, IRestorePoints? restorePoints = null, ReadModelDb? readModel = null, IActorRef? instances = null,
        IWalArchiveGrants? walGrants = null, ConductorClock? conductorClock = null) =>
        Akka.Actor.Props.Create(() => new InstanceActor(id, compute, guests, tenants, settings, configurations, restorePoints, readModel, instances, walGrants,
            conductorClock));
}
