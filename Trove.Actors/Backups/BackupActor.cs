using Trove.Actors.Serialization;
using System.Diagnostics;
using Trove.Actors.Telemetry;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Akka.Persistence;
using Trove.Actors.Guests;
using Trove.Actors.Instances;
using Trove.Actors.ReadModel;
using Trove.Contracts.Guests;
using Trove.Actors.Sharding;
using Trove.Actors.Tenants;
using static Trove.Actors.Backups.BackupCommands;
using static Trove.Actors.Backups.BackupEvents;

namespace Trove.Actors.Backups;

/// <summary>
/// One backup: sharded and event-sourced, it outlives its instance. It asks the guest to take the backup, follows
/// the guest's reports (upstream's conductor update_backup), fails a backup that takes too long, and tells the
/// instance when its backup has ended, retrying until the instance heard it.
/// </summary>
public sealed class BackupActor : ReceivePersistentActor, IWithTimers
{
    private sealed record TimedOut;
    /// <summary>A piped outcome: <paramref name="Message"/> for <paramref name="To"/>, and first, to self, <paramref name="Then"/>.</summary>
    private sealed record Deliver(object Message, IActorRef? To, object? Then = null);
    private sealed record NotifyInstance;
    private sealed record Deleted(IActorRef Requester, BackupState State);
    private sealed record DeleteFailed(IActorRef Requester, string Message);
    private sealed record ChainRefused(IActorRef Requester, BackupReply Reply);
    private sealed record Sealed(Report Report, IActorRef Reporter, SealedBackup Backup);
    private sealed record SealFailed(Report Report, IActorRef Reporter, string Message);
    private sealed record InstanceLooked(InstanceReply Reply);
    private sealed record ParentLooked(BackupReply Reply, InstanceState Instance);
    private sealed record InstanceStarted(InstanceReply Reply, IActorRef? Requester);
    private sealed record ParentLinked(BackupReply Reply, IActorRef Requester);
    private sealed record RetryStart;
    private sealed record QuotaAnswered(TenantReply? Reply, string? Failure, IActorRef? Requester);
    private sealed record RetryQuota;
    private sealed record QuotaGivenBack;
    private sealed record GiveBackFailed;
    private sealed record RetryGiveBack;

    private readonly string _id;
    private readonly IGuestRpc _guests;
    private readonly IActorRef _instances;
    private readonly IActorRef _tenants;
    private readonly Func<IActorRef> _backups;
    private readonly IBackupStorage _storage;
    private readonly WalRetention? _walRetention;
    private readonly BackupSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Caller _caller = new();
    private readonly OwnRow<BackupState, IBackupEvent> _row;
    private BackupState? _state;

    public override string PersistenceId { get; }
    public ITimerScheduler Timers { get; set; } = null!;

    public BackupActor(string id, IGuestRpc guests, IActorRef instances, IActorRef tenants, Func<IActorRef> backups, IBackupStorage storage,
        BackupSettings settings, ReadModelDb? readModel = null, WalRetention? walRetention = null)
    {
        _walRetention = walRetention;
        _row = new OwnRow<BackupState, IBackupEvent>(readModel, BackupRegistration.Projection, _log);
        _tenants = tenants;
        _backups = backups;
        _id = id;
        _guests = guests;
        _instances = instances;
        _storage = storage;
        _settings = settings;
        PersistenceId = $"backup-{id}";

        Recover<IBackupEvent>(e => _state = BackupState.Apply(_state, e));
        Recover<RecoveryCompleted>(_ => Resume());
        Ready();
    }

    private void Ready()
    {
        Command<Asked>(asked => _caller.Handle(asked, BackupRegistration.TypeName, OnCommand));
        Command<Take>(OnTake);
        Command<InstanceStarted>(OnInstanceStarted);
        Command<RetryStart>(_ => StartOnInstance(null));
        Command<QuotaAnswered>(OnQuotaAnswered);
        Command<RetryQuota>(_ => ReserveQuota(null));
        Command<QuotaGivenBack>(_ =>
        {
            if (_state is { MustReturnQuota: true })
                PersistThen(new QuotaReturned(Now), Passivate);
        });
        Command<GiveBackFailed>(_ => Timers.StartSingleTimer(nameof(RetryGiveBack), new RetryGiveBack(), _settings.RetryDelay));
        Command<RetryGiveBack>(_ => GiveBackQuota());
        Command<GetChain>(get => OnGetChain(get, Sender));
        Command<AddChild>(OnAddChild);
        Command<ParentLinked>(linked => linked.Requester.Tell(linked.Reply is BackupReplies.Chain parent
            ? BackupDecisions.Link(_state, new GetChain(_id, _state!.TenantId), parent.Info)
            : linked.Reply));
        Command<Create>(OnCreate);
        Command<Get>(get => Sender.Tell(_state is not null && _state.BelongsTo(get.TenantId)
            ? new BackupReplies.Found(_state)
            : new BackupReplies.NotFound(get.BackupId)));
        Command<Report>(OnReport);
        Command<Sealed>(done => Keep(done.Report, done.Reporter, done.Backup));
        Command<SealFailed>(failed =>
        {
            _log.Warning("backup {0}: {1}", _id, failed.Message);
            Keep(failed.Report with { State = BackupStatus.Failed, Size = null, Checksum = null, Fault = failed.Message }, failed.Reporter);
        });
        Command<TimedOut>(_ =>
        {
            if (_state is { IsRunning: true })
                PersistThen(new Failed($"The backup did not finish within {_settings.Timeout.TotalMinutes:0} minutes.", Now), Notify);
        });
        Command<BackupReplies.ReportAck>(_ => { });
        Command<NotifyInstance>(_ => Notify());
        Command<InstanceReplies.BackupEndAck>(_ =>
        {
            Timers.Cancel(nameof(NotifyInstance));
            if (_state is { IsRunning: false, EndAcknowledged: false })
                PersistThen(new EndAcknowledged(Now), () => { });
        });
        Command<Wake>(_ => { });
        Command<Deliver>(deliver =>
        {
            if (deliver.Then is not null)
                Self.Tell(deliver.Then);
            deliver.To?.Tell(deliver.Message);
        });
        Command<ReceiveTimeout>(_ => Passivate());
        Command<StopEntity>(_ => Context.Stop(Self));
        Command<Status.Failure>(_ => Timers.StartSingleTimer(nameof(NotifyInstance), new NotifyInstance(), _settings.RetryDelay));
        Command<Delete>(OnDelete);
    }

    private static DateTimeOffset Now => DateTimeOffset.UtcNow;

    /// <summary>Looks the instance (and the parent chain) up, keeps the backup, then has the instance mark it: a
    /// crash after the backup is kept resumes from <see cref="Resume"/>, which marks it again (idempotent).</summary>
    private void OnTake(Take take)
    {
        if (_state is not null)
        {
            Sender.Tell(new BackupReplies.Refused($"Backup {_id} already exists."));
            return;
        }
        var (requester, user) = (Sender, _caller.User);
        Become(() =>
        {
            Command<InstanceLooked>(looked =>
            {
                if (BackupDecisions.CheckInstance(looked.Reply, take) is { } refusal)
                    Answer(refusal);
                else if (take.ParentId is null)
                    Keep(((InstanceReplies.Found)looked.Reply).State, null);
                else
                    _backups().AskEntityAsync<BackupReply>(ClusterReleases.Envelope(Context.System, new AddChild(take.ParentId, take.TenantId, _id), user, null), _settings.RetryDelay * 2)
                        .PipeTo(Self, success: r => new ParentLooked(r, ((InstanceReplies.Found)looked.Reply).State),
                            failure: e => new ParentLooked(new BackupReplies.Failed($"Backup {take.ParentId} did not answer: {e.Message}"),
                                ((InstanceReplies.Found)looked.Reply).State));
            });
            Command<ParentLooked>(looked =>
            {
                if (BackupDecisions.CheckParent(looked.Reply, take) is { } refusal)
                    Answer(refusal);
                else
                    Keep(looked.Instance, ((BackupReplies.Chain)looked.Reply).Info);
            });
            CommandAny(_ => Stash.Stash());
        });
        _instances.AskEntityAsync<InstanceReply>(new InstanceCommands.Get(take.InstanceId, take.TenantId), _settings.RetryDelay * 2)
            .PipeTo(Self, success: r => new InstanceLooked(r), failure: e => new InstanceLooked(new InstanceReplies.Failed(e.Message)));

        void Answer(BackupReply reply)
        {
            requester.Tell(reply);
            BecomeReady();
        }

        void Keep(InstanceState instance, BackupInfo? parent) =>
            PersistThen(new Created(_id, BackupDecisions.Request(take, instance, parent), Now, HoldsQuota: true, user), () =>
            {
                Timers.StartSingleTimer(nameof(TimedOut), new TimedOut(), _settings.Timeout);
                BecomeReady();
                ReserveQuota(requester);
            });
    }

    private void BecomeReady()
    {
        Become(Ready);
        Stash.UnstashAll();
    }

    /// <summary>Takes one of the tenant's <c>backups</c> quota, keyed by this backup's id: asked again after a crash (the
    /// tenant reserves an id once), and given back once the backup is deleted or abandoned (<see cref="GiveBackQuota"/>).</summary>
    private void ReserveQuota(IActorRef? requester) =>
        _tenants.AskEntityAsync<TenantReply>(new TenantCommands.ReserveBackup(_state!.TenantId, _id), _settings.RetryDelay * 2)
            .PipeTo(Self, success: r => new QuotaAnswered(r, null, requester),
                failure: e => new QuotaAnswered(null, e.GetBaseException().Message, requester));

    /// <summary>Granted: the instance is marked. Over the quota (or released meanwhile): nothing was taken, the backup is
    /// abandoned. No answer: asked again later, or, with a requester waiting, abandoned (its quota given back in case).</summary>
    private void OnQuotaAnswered(QuotaAnswered answer)
    {
        if (_state is not { IsDeleted: false, IsRunning: true, Status: BackupStatus.New })
            return;
        var requester = answer.Requester;
        switch (answer.Reply)
        {
            case TenantReplies.Reserved:
                StartOnInstance(requester);
                break;
            case TenantReplies.QuotaExceeded exceeded:
                Abandon(exceeded.Message, new BackupReplies.QuotaExceeded(exceeded.Message), requester);
                break;
            case TenantReplies.AlreadyReleased:
                var givenUp = $"Backup {_id} was given up before its quota was taken.";
                Abandon(givenUp, new BackupReplies.Refused(givenUp), requester);
                break;
            case var other:
                var notChecked = $"The tenant's quota could not be checked: {answer.Failure ?? other?.GetType().Name}";
                if (requester is not null)
                    Abandon(notChecked, new BackupReplies.Failed(notChecked), requester);
                else
                {
                    _log.Warning("backup {0}: {1}; trying again", _id, notChecked);
                    Timers.StartSingleTimer(nameof(RetryQuota), new RetryQuota(), _settings.RetryDelay);
                }
                break;
        }
    }

    /// <summary>Nothing was taken: the backup is shown nowhere, and its quota (if the tenant granted it) goes back.</summary>
    private void Abandon(string reason, BackupReply refusal, IActorRef? requester) =>
        PersistThen(new Abandoned(reason, Now), () =>
        {
            requester?.Tell(refusal);
            GiveBackQuotaThenPassivate();
        });

    private void GiveBackQuotaThenPassivate()
    {
        if (_state is { MustReturnQuota: true })
            GiveBackQuota();
        else
            Passivate();
    }

    /// <summary>Gives a deleted or abandoned backup's quota back, retrying until the tenant acknowledges; then
    /// <see cref="QuotaReturned"/> closes it. A crash meanwhile leaves the backup with work, woken to give it back.</summary>
    private void GiveBackQuota() =>
        _tenants.AskEntityAsync<TenantReply>(new TenantCommands.ReleaseBackup(_state!.TenantId, _id), _settings.RetryDelay * 2)
            .PipeTo(Self, success: r => r is TenantReplies.Released ? new QuotaGivenBack() : (object)new GiveBackFailed(),
                failure: _ => new GiveBackFailed());

    private void StartOnInstance(IActorRef? requester) =>
        _instances.AskEntityAsync<InstanceReply>(ClusterReleases.Envelope(Context.System, new InstanceCommands.StartBackup(_state!.InstanceId, _state.TenantId, _id),
                _state.CreatedBy, null), _settings.RetryDelay * 2)
            .PipeTo(Self, success: r => new InstanceStarted(r, requester),
                failure: e => new InstanceStarted(new InstanceReplies.Failed($"The instance did not answer: {e.Message}"), requester));

    /// <summary>Marked: the guest is asked. Refused: nothing was taken, the backup is abandoned. No answer: the backup
    /// fails, and the instance hears its end (it may have marked it) until it acknowledges.</summary>
    private void OnInstanceStarted(InstanceStarted started)
    {
        if (_state is not { IsRunning: true, Status: BackupStatus.New })
            return;
        switch (BackupDecisions.Started(started.Reply))
        {
            case null:
                AskGuest(started.Requester);
                break;
            case var refusal when BackupDecisions.IsDefiniteRefusal(refusal):
                Abandon(BackupDecisions.MessageOf(refusal), refusal, started.Requester);
                break;
            case var failure when started.Requester is null:
                _log.Warning("backup {0}: the instance did not mark it ({1}); trying again", _id, BackupDecisions.MessageOf(failure));
                Timers.StartSingleTimer(nameof(RetryStart), new RetryStart(), _settings.RetryDelay);
                break;
            case var failure:
                PersistThen(new Failed($"The instance could not be marked as backed up: {BackupDecisions.MessageOf(failure)}", Now), () =>
                {
                    started.Requester.Tell(failure);
                    Notify();
                });
                break;
        }
    }

    /// <summary>One link of the chain: a full backup answers at once, an increment asks its parent first.</summary>
    private void OnGetChain(GetChain get, IActorRef requester)
    {
        if (BackupDecisions.Link(_state, get, null) is not BackupReplies.Chain || _state!.ParentId is null)
        {
            requester.Tell(BackupDecisions.Link(_state, get, null));
            return;
        }
        _backups().AskEntityAsync<BackupReply>(new GetChain(_state.ParentId, get.TenantId), _settings.RetryDelay * 2)
            .PipeTo(Self, success: r => new ParentLinked(r, requester),
                failure: e => new ParentLinked(new BackupReplies.Failed($"Backup {_state.ParentId} did not answer: {e.Message}"), requester));
    }

    /// <summary>Records the increment before answering with the chain: a delete of this backup, which waits behind the
    /// record, finds it. A refused one is answered without a record.</summary>
    private void OnAddChild(AddChild add)
    {
        var get = new GetChain(_id, add.TenantId);
        var requester = Sender;
        if (BackupDecisions.Link(_state, get, null) is not BackupReplies.Chain || _state!.Children?.Contains(add.ChildId) == true)
            OnGetChain(get, requester);
        else
            PersistThen(new ChildAdded(add.ChildId, Now, _caller.User), () => OnGetChain(get, requester));
    }

    private void OnCreate(Create create)
    {
        if (_state is not null)
        {
            Sender.Tell(new BackupReplies.Refused($"Backup {_id} already exists."));
            return;
        }
        var sender = Sender;
        PersistThen(new Created(_id, create.Request, Now), () =>
        {
            Timers.StartSingleTimer(nameof(TimedOut), new TimedOut(), _settings.Timeout);
            AskGuest(sender);
        });
    }

    /// <summary>Makes the place the guest writes to, queues create_backup for the guest, then answers
    /// <paramref name="requester"/>: an accepted backup's work is in the broker. A guest that cannot be reached fails the backup.</summary>
    private void AskGuest(IActorRef? requester)
    {
        var state = _state!;
        var accepted = new BackupReplies.Accepted(state);
        ReserveThenCastAsync(state).PipeTo(Self,
            success: () => new Deliver(accepted, requester),
            failure: e => new Deliver(accepted, requester, new Report(_id, state.InstanceId, BackupStatus.Failed, null, null, DateTimeOffset.UtcNow,
                $"The guest could not be asked to take the backup: {e.GetBaseException().Message}")));
    }

    private async Task ReserveThenCastAsync(BackupState state)
    {
        var access = await _storage.ReserveAsync(PlaceOf(state), CancellationToken.None);
        await _guests.CastAsync(state.InstanceId,
            RpcMessage.Create(GuestMethods.CreateBackup, new CreateBackupArgs(new BackupInfo(_id, null, null, state.Parent, access))));
    }

    /// <summary>A completed backup is sealed in the storage (readable by no guest) before it is kept as completed;
    /// the reporter hears the ack once it is.</summary>
    private void OnReport(Report report)
    {
        if (_state is not null && report.InstanceId != _state.InstanceId)
        {
            _log.Warning("backup {0}: refused a report from instance {1}'s guest; the backup is of instance {2}", _id, report.InstanceId, _state.InstanceId);
            Sender.Tell(BackupReplies.ReportAck.Instance);
            return;
        }
        if (report is { State: BackupStatus.Completed } && Moves(report))
        {
            var reporter = Sender;
            _storage.SealAsync(PlaceOf(_state!), new ReportedBackup(report.Size, report.Checksum, report.Etag), CancellationToken.None).PipeTo(Self,
                success: backup => (object)new Sealed(report, reporter, backup),
                failure: e => new SealFailed(report, reporter, $"sealing the completed backup failed: {e.GetBaseException().Message}"));
            return;
        }
        Keep(report, Sender);
    }

    private bool Moves(Report report) => BackupDecisions.Moves(_state, report);

    private BackupPlace PlaceOf(BackupState state) => new(_id, state.InstanceId, state.TenantId);

    /// <summary>Keeps a report that moves the backup on (a completed one with where it was sealed); the others are dropped.</summary>
    private void Keep(Report report, IActorRef reporter, SealedBackup? sealedAt = null)
    {
        reporter.Tell(BackupReplies.ReportAck.Instance);
        if (!Moves(report))
            return;
        var fault = report.State == BackupStatus.Failed ? report.Fault : null;
        PersistThen(new Progressed(report.State, report.Size, report.Checksum, sealedAt?.Location, report.Sent, Now, fault, sealedAt?.Etag), () =>
        {
            if (!_state!.IsRunning)
                Notify();
            if (_state.Status == BackupStatus.Completed)
                _ = _walRetention?.ApplyAsync(_state); // logs its own failure; the next backup's end tries again
        });
    }

    private void OnDelete(Delete delete)
    {
        if (_state is null || !_state.BelongsTo(delete.TenantId))
        {
            Sender.Tell(new BackupReplies.NotFound(delete.BackupId));
            return;
        }
        if (_state.IsRunning)
        {
            Sender.Tell(new BackupReplies.Refused($"Backup {_id} is still {_state.Status}; it can be deleted once it ends."));
            return;
        }
        var (requester, user) = (Sender, _caller.User);
        var state = _state;
        Become(() =>
        {
            Command<DeleteFailed>(failed =>
            {
                BecomeReady();
                failed.Requester.Tell(new BackupReplies.Refused(failed.Message));
            });
            Command<ChainRefused>(refused =>
            {
                BecomeReady();
                refused.Requester.Tell(refused.Reply);
            });
            Command<Deleted>(deleted =>
            {
                BecomeReady();
                PersistThen(new BackupEvents.Deleted(Now, user), () =>
                {
                    deleted.Requester.Tell(new BackupReplies.Accepted(_state!));
                    _ = _walRetention?.ApplyAsync(_state!);
                    GiveBackQuotaThenPassivate();
                });
            });
            Command<StopEntity>(_ => Context.Stop(Self));
            CommandAny(_ => Stash.Stash());
        });
        var below = (state.Children ?? []).Concat(delete.Descendants ?? []).Distinct().ToList();
        DeleteBelowThenFileAsync(below, delete.TenantId, state, user).PipeTo(Self,
            success: refusal => refusal is null ? new Deleted(requester, state) : (object)new ChainRefused(requester, refusal),
            failure: e => new DeleteFailed(requester, $"Deleting the backup failed: {e.GetBaseException().Message}"));
    }

    /// <summary>Deletes the increments below this backup, the deepest first, then this backup's file; none of them when one
    /// is still running (its refusal is the answer). A crash midway leaves the backups not yet deleted whole: asked again,
    /// the delete goes on where it stopped.</summary>
    private async Task<BackupReply?> DeleteBelowThenFileAsync(IReadOnlyList<string> children, string tenantId, BackupState state, string? user)
    {
        var (timeout, system) = (_settings.RetryDelay * 2, Context.System);
        var found = new List<string>();
        var seen = new HashSet<string> { _id };
        var queue = new Queue<string>(children);
        while (queue.TryDequeue(out var id))
        {
            if (!seen.Add(id) || await _backups().AskEntityAsync<BackupReply>(new Get(id, tenantId), timeout) is not BackupReplies.Found { State: var below })
                continue; // deleted, abandoned or never kept
            if (below.IsRunning)
                return new BackupReplies.Refused($"Backup {_id} has an incremental backup {id} that is still {below.Status}; it can be deleted once it ends.");
            found.Add(id);
            foreach (var child in below.Children ?? [])
                queue.Enqueue(child);
        }
        for (var i = found.Count - 1; i >= 0; i--)
            if (await _backups().AskEntityAsync<BackupReply>(ClusterReleases.Envelope(system, new Delete(found[i], tenantId), user, null), timeout) is not (BackupReplies.Accepted or BackupReplies.NotFound) and var refusal)
                return refusal;
        if (state.Location is not null)
            await _storage.DeleteAsync(state.Location, CancellationToken.None);
        return null;
    }

    /// <summary>Tells the instance that its backup ended; retried by timer until it acknowledges.</summary>
    private void Notify()
    {
        if (_state is null)
            return;
        Timers.StartSingleTimer(nameof(NotifyInstance), new NotifyInstance(), _settings.RetryDelay);
        _instances.AskEntityAsync<InstanceReplies.BackupEndAck>(new InstanceCommands.EndBackup(_state.InstanceId, _id), _settings.RetryDelay)
            .PipeTo(Self);
    }

    private void Resume()
    {
        // Idle entities passivate; one in the middle of a delete or a report never does, as a timer would race its replies.
        SetReceiveTimeout(_settings.PassivateAfter);
        if (_state is { MustReturnQuota: true })
            GiveBackQuota(); // deleted or abandoned before the tenant heard it
        if (_state is null || _state.IsDeleted)
            return;
        if (_state.IsRunning)
        {
            var remaining = _state.Created + _settings.Timeout - Now;
            Timers.StartSingleTimer(nameof(TimedOut), new TimedOut(), remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
            if (_state.Status == BackupStatus.New && _state.HoldsQuota)
                ReserveQuota(null); // the node may have stopped before the tenant, the instance or the guest heard of it; all take a repeat
            else if (_state.Status == BackupStatus.New)
                StartOnInstance(null);
        }
        else if (!_state.EndAcknowledged)
        {
            Notify();
        }
    }

    private void PersistThen(IBackupEvent e, Action then)
    {
        var persisting = Stopwatch.GetTimestamp();
        Persist(e, persisted => Persisted(persisting, persisted, then));
    }

    private void Persisted(long persisting, IBackupEvent persisted, Action then)
    {
        TroveMetrics.Persisted(persisting, BackupRegistration.TypeName);
        var wasRunning = _state?.IsRunning == true;
        _state = BackupState.Apply(_state, persisted);
        if (wasRunning && !_state!.IsRunning)
            TroveMetrics.Outcome(TroveMetrics.BackupDuration, _state.Updated - _state.Created, _state.Status);
        _row.Write(_id, _state, LastSequenceNr);
        if (!_state!.IsRunning)
            Timers.Cancel(nameof(TimedOut));
        then();
    }

    private void Passivate() => Context.Parent.Tell(new Passivate(StopEntity.Instance));

    public static Props Props(string id, IGuestRpc guests, IActorRef instances, IActorRef tenants, Func<IActorRef> backups, IBackupStorage storage,
        BackupSettings settings, ReadModelDb? readModel = null, WalRetention? walRetention = null) =>
        Akka.Actor.Props.Create(() => new BackupActor(id, guests, instances, tenants, backups, storage, settings, readModel, walRetention));
}
