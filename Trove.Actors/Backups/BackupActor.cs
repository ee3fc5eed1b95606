using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Akka.Persistence;
using Trove.Actors.Guests;
using Trove.Actors.Instances;
using Trove.Contracts.Guests;
using Trove.Actors.Sharding;
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
    private sealed record NotifyInstance;
    private sealed record Deleted(IActorRef Requester, BackupState State);
    private sealed record DeleteFailed(IActorRef Requester, string Message);
    private sealed record Sealed(Report Report, IActorRef Reporter);
    private sealed record SealFailed(Report Report, IActorRef Reporter, string Message);

    private readonly string _id;
    private readonly IGuestRpc _guests;
    private readonly IActorRef _instances;
    private readonly IBackupStorage _storage;
    private readonly BackupSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private BackupState? _state;

    public override string PersistenceId { get; }
    public ITimerScheduler Timers { get; set; } = null!;

    public BackupActor(string id, IGuestRpc guests, IActorRef instances, IBackupStorage storage, BackupSettings settings)
    {
        _id = id;
        _guests = guests;
        _instances = instances;
        _storage = storage;
        _settings = settings;
        PersistenceId = $"backup-{id}";

        Recover<IBackupEvent>(e => _state = BackupState.Apply(_state, e));
        Recover<RecoveryCompleted>(_ => Resume());

        Command<Create>(OnCreate);
        Command<Get>(get => Sender.Tell(_state is not null && _state.BelongsTo(get.TenantId)
            ? new BackupReplies.Found(_state)
            : new BackupReplies.NotFound(get.BackupId)));
        Command<Report>(OnReport);
        Command<Sealed>(done => Keep(done.Report, done.Reporter));
        Command<SealFailed>(failed =>
        {
            _log.Warning("backup {0}: {1}", _id, failed.Message);
            Keep(failed.Report with { State = BackupStatus.Failed, Size = null, Checksum = null }, failed.Reporter);
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
        Command<ReceiveTimeout>(_ => Passivate());
        Command<StopEntity>(_ => Context.Stop(Self));
        Command<Status.Failure>(_ => Timers.StartSingleTimer(nameof(NotifyInstance), new NotifyInstance(), _settings.RetryDelay));
        Command<BackupCommands.Delete>(OnDelete);
        Command<DeleteFailed>(failed => failed.Requester.Tell(new BackupReplies.Refused(failed.Message)));
        Command<Deleted>(deleted => PersistThen(new BackupEvents.Deleted(Now), () =>
        {
            deleted.Requester.Tell(new BackupReplies.Accepted(_state!));
            Passivate();
        }));
    }

    private static DateTimeOffset Now => DateTimeOffset.UtcNow;

    private void OnCreate(Create create)
    {
        if (_state is not null)
        {
            Sender.Tell(new BackupReplies.Refused($"Backup {_id} already exists."));
            return;
        }
        var sender = Sender;
        Persist(new Created(_id, create.Request, Now), e =>
        {
            _state = BackupState.Apply(_state, e);
            Timers.StartSingleTimer(nameof(TimedOut), new TimedOut(), _settings.Timeout);
            AskGuest(sender);
        });
    }

    /// <summary>Makes the file the guest writes to, queues create_backup for the guest, then answers
    /// <paramref name="requester"/>: an accepted backup's work is in the broker. A guest that cannot be reached fails the backup.</summary>
    private void AskGuest(IActorRef? requester)
    {
        var state = _state!;
        var self = Self;
        ReserveThenCastAsync(state)
            .ContinueWith(cast =>
            {
                if (!cast.IsCompletedSuccessfully)
                    self.Tell(new Report(_id, state.InstanceId, BackupStatus.Failed, null, null, DateTimeOffset.UtcNow));
                requester?.Tell(new BackupReplies.Accepted(state));
            }, TaskScheduler.Default);
    }

    private async Task ReserveThenCastAsync(BackupState state)
    {
        await _storage.ReserveAsync(_id, state.InstanceId, CancellationToken.None);
        await _guests.CastAsync(state.InstanceId,
            RpcMessage.Create(GuestMethods.CreateBackup, new CreateBackupArgs(new BackupInfo(_id, null, null, state.Parent))));
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
            _storage.SealAsync(_id, CancellationToken.None).PipeTo(Self,
                success: () => (object)new Sealed(report, reporter),
                failure: e => new SealFailed(report, reporter, $"sealing the completed backup failed: {e.GetBaseException().Message}"));
            return;
        }
        Keep(report, Sender);
    }

    /// <summary>Whether a report moves the backup on; a stale one, one for another instance, or one after the end does not.</summary>
    private bool Moves(Report report) =>
        _state is { IsDeleted: false, IsRunning: true } && report.InstanceId == _state.InstanceId
        && !(_state.LastReportSent is { } last && report.Sent < last)
        && report.State is BackupStatus.Building or BackupStatus.Completed or BackupStatus.Failed;

    /// <summary>Keeps a report that moves the backup on; the others are dropped.</summary>
    private void Keep(Report report, IActorRef reporter)
    {
        reporter.Tell(BackupReplies.ReportAck.Instance);
        if (!Moves(report))
            return;
        var location = report.State == BackupStatus.Completed ? _storage.LocationOf(_id) : null;
        PersistThen(new Progressed(report.State, report.Size, report.Checksum, location, report.Sent, Now), () =>
        {
            if (!_state!.IsRunning)
                Notify();
        });
    }

    private void OnDelete(BackupCommands.Delete delete)
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
        var requester = Sender;
        var state = _state;
        (state.Location is null ? Task.CompletedTask : _storage.DeleteAsync(state.Location, CancellationToken.None))
            .PipeTo(Self, success: () => (object)new Deleted(requester, state),
                failure: e => new DeleteFailed(requester, $"Deleting the backup's file failed: {e.GetBaseException().Message}"));
    }

    /// <summary>Tells the instance that its backup ended; retried by timer until it acknowledges.</summary>
    private void Notify()
    {
        if (_state is null)
            return;
        Timers.StartSingleTimer(nameof(NotifyInstance), new NotifyInstance(), _settings.RetryDelay);
        _instances.Ask<InstanceReplies.BackupEndAck>(new InstanceCommands.EndBackup(_state.InstanceId, _id), _settings.RetryDelay)
            .PipeTo(Self);
    }

    private void Resume()
    {
        // Idle entities passivate; one in the middle of a delete or a report never does, as a timer would race its replies.
        SetReceiveTimeout(_settings.PassivateAfter);
        if (_state is null || _state.IsDeleted)
            return;
        if (_state.IsRunning)
        {
            var remaining = _state.Created + _settings.Timeout - Now;
            Timers.StartSingleTimer(nameof(TimedOut), new TimedOut(), remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
            if (_state.Status == BackupStatus.New)
                AskGuest(null); // the node may have stopped before the guest's message was queued; a repeat takes the same backup again
        }
        else if (!_state.EndAcknowledged)
        {
            Notify();
        }
    }

    private void PersistThen(IBackupEvent e, Action then) => Persist(e, persisted =>
    {
        _state = BackupState.Apply(_state, persisted);
        if (!_state!.IsRunning)
            Timers.Cancel(nameof(TimedOut));
        then();
    });

    private void Passivate() => Context.Parent.Tell(new Passivate(StopEntity.Instance));

    public static Props Props(string id, IGuestRpc guests, IActorRef instances, IBackupStorage storage, BackupSettings settings) =>
        Akka.Actor.Props.Create(() => new BackupActor(id, guests, instances, storage, settings));
}
