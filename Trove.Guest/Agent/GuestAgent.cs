using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Trove.Guest.Datastores;
using Trove.Contracts.Guests;
using Trove.Amqp;

namespace Trove.Guest.Agent;

/// <summary>
/// Consumes the guest's queue, dispatches each message by method to the datastore manager, replies to calls,
/// acknowledges a message only once handled, and reports heartbeats to the conductor.
/// </summary>
public sealed class GuestAgent(GuestInfo info, IDatastoreManager manager, GuestDispatcher dispatcher, BackupRunner backups,
    EngineWatchdog watchdog, ILogger<GuestAgent> log) : BackgroundService
{
    private readonly string _preparedMarker = Path.Combine(info.Directory, ".guestagent.prepare.end");
    private readonly string _restoredMarker = Path.Combine(info.Directory, ".guestagent.restore.end");
    private readonly string _copiedMarker = Path.Combine(info.Directory, ".guestagent.replica-copy.end");
    private AmqpPublisher? _publisher;
    private volatile bool _preparing;
    private readonly ServerLimits _limits = ServerLimits.Load(info);
    private bool? _readOnly;
    private Task _initialised = Task.CompletedTask;
    private Task _engineStarted = Task.CompletedTask;
    private readonly LongCallRuns _runs = new();

    /// <summary>How often a backup's end is tried while the broker is away (about a minute with backoff): it is what
    /// tells the node the backup ended.</summary>

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await File.WriteAllTextAsync(Path.Combine(info.Directory, "guest.pid"), Environment.ProcessId.ToString(), stoppingToken);
        // A new server initialises its engine while the guest connects: the slowest step of a build starts at once. A
        // plain create's server starts it too, as a pool's does; their calls wait for that start (the pool counts its
        // server ready once its guest answers). A restore's or a replica's data comes with its prepare.
        // On a thread of its own: what it does before its first wait (a look for leftover processes) does not hold up
        // the connection either.
        _initialised = File.Exists(_preparedMarker) ? Task.CompletedTask
            : Task.Run(() => info.Pooled ? WarmAsync(stoppingToken)
                : info.StartsEngineAtOnce ? StartAheadAsync(stoppingToken)
                : manager.InitialiseAsync(stoppingToken));
        if ((info.Pooled || info.StartsEngineAtOnce) && !File.Exists(_preparedMarker))
            _engineStarted = Settled(_initialised);
        // Its own broker user, which may declare nothing: the node declared the queues and exchanges.
        await using var connector = await AmqpConnector.ConnectAsync(new AmqpConnectionSettings(info.AmqpUri, $"guest-{info.InstanceId}"),
            stoppingToken, e => log.LogWarning("broker unreachable, retrying: {Error}", e.GetBaseException().Message));
        await using var publisher = _publisher = new AmqpPublisher(connector);

        // A guest restarted after prepare: its engine comes back too. It may take long (crash recovery after a kill), and
        // meanwhile the guest heartbeats (SHUTDOWN until the engine runs) and holds calls until the start ends.
        if (File.Exists(_preparedMarker))
            _engineStarted = StartEngineAsync(stoppingToken);

        // A broker error subscribes again on a new channel: the call in hand when it broke comes again. A plain loop, not
        // an Akka stream: the guest is published Native AOT, where an actor system does not start (AmqpConsumer).
        var queue = new NamedQueueSourceSettings(TroveBroker.GuestQueue(info.InstanceId)) { Prefetch = 1 };
        using var stopIntake = new CancellationTokenSource();
        var done = AmqpConsumer.RunAsync(connector, queue, HandleAsync,
            e => log.LogWarning("restarting the consumer of {Queue} after a broker error: {Error}", queue.Queue, e.GetBaseException().Message),
            ct: stopIntake.Token);
        log.LogInformation("guest {Id} ({Datastore} {Version}) serving {Queue}", info.InstanceId, info.Datastore, info.DatastoreVersion, queue.Queue);

        try
        {
            await HeartbeatLoopAsync(stoppingToken);
        }
        finally
        {
            await stopIntake.CancelAsync();
            await Task.WhenAny(done, Task.Delay(TimeSpan.FromSeconds(5)));
            await Task.WhenAny(_engineStarted); // a start under way ends first (it never throws into the stop)
            await manager.StopAsync(CancellationToken.None); // like a server shutting down, the engine stops with it
            log.LogInformation("guest {Id} stopped", info.InstanceId);
        }
    }

    /// <summary>A pool's server: the engine initialised with the pool's memory settings and started, holding nothing of a
    /// tenant until a prepare gives it the tenant's databases, users and flavor.</summary>
    private async Task WarmAsync(CancellationToken ct)
    {
        await manager.InitialiseAsync(ct);
        await manager.ApplyMemoryAsync(_limits.RamMb, ct);
        await manager.StartAsync(ct);
        await ClaimRehearsal.RunAsync(manager, info.InstanceId, ct);
        await manager.PrepareAheadAsync(ct);
        log.LogInformation("engine started ahead of a prepare (a pool's server)");
    }

    /// <summary>A plain create's server: the engine initialised with the flavor's memory and started while the guest
    /// connects, so that its prepare, queued before the server was made, finds it running and only makes the tenant's
    /// databases and users.</summary>
    private async Task StartAheadAsync(CancellationToken ct)
    {
        await manager.InitialiseAsync(ct);
        await manager.ApplyMemoryAsync(_limits.RamMb, ct);
        await manager.StartAsync(ct);
        await manager.GetStatusAsync(ct); // a first session: the engine's client library loads now, not in the prepare
        log.LogInformation("engine started ahead of its prepare");
    }

    /// <summary>Done when <paramref name="task"/> is, whether it failed or not (its failure is the prepare's to retry).</summary>
    private async Task Settled(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogWarning("starting the engine ahead failed ({Error}); the prepare tries again", e.Message);
        }
    }

    /// <summary>A start that fails is the watchdog's to retry, with backoff, as for an engine that stopped.</summary>
    private async Task StartEngineAsync(CancellationToken ct)
    {
        try
        {
            await watchdog.LifecycleAsync(meantToRun: true, () => manager.StartAsync(ct));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogWarning("starting the engine failed ({Error}); the watchdog tries again", e.Message);
        }
    }

    private async Task HeartbeatLoopAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(info.HeartbeatIntervalSeconds));
        do
        {
            if (File.Exists(_preparedMarker) && !_preparing)
            {
                var used = UsedGigabytes();
                await EnforceVolumeAsync(used, ct);
                var status = await manager.GetStatusAsync(ct);
                await TryReportAsync(status, ct, used: used, lag: await ReplicationLagAsync(ct));
                await watchdog.CheckAsync(status, ct); // a killed engine: SHUTDOWN was reported, then it is started again
            }
        } while (await timer.WaitForNextTickAsync(ct));
    }

    private async Task HandleAsync(CommittableIncomingMessage incoming)
    {
        RpcMessage message;
        try
        {
            message = RpcMessage.Parse(incoming.Message.Body);
        }
        catch (JsonException e)
        {
            log.LogWarning("dropping a malformed message: {Error}", e.Message);
            await incoming.NackAsync(requeue: false);
            return;
        }

        if (incoming.Message.HasExpired(DateTimeOffset.UtcNow))
        {
            // Its caller has answered with an error already: running it now would do what the API said failed.
            log.LogWarning("dropping {Method}: it expired before it could run (its caller stopped waiting)", message.Method);
            await incoming.NackAsync(requeue: false);
            return;
        }

        using var span = TraceHeaders.Continue(incoming.Message.Properties, $"guest {message.Method}");
        log.LogInformation("{Method} called{InTrace}", message.Method, span is null ? "" : $" in trace {span.TraceId}");
        RpcReply reply;
        try
        {
            await _engineStarted;
            reply = new RpcReply(await DispatchAsync(message), null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogError(e, "{Method} failed", message.Method);
            reply = new RpcReply(null, e.Message, GuestDispatcher.KindOf(e));
        }
        if (incoming.Message.Properties is { ReplyTo: not null, CorrelationId: not null })
            await TryReplyAsync(incoming.Message, message.Method, reply);
        if (!await incoming.AckAsync())
            log.LogWarning("{Method} done but its ack was lost with its channel: the broker delivers it again", message.Method);
    }

    /// <summary>A reply that cannot be sent (the broker went away) is logged: the caller's wait times out, as it would
    /// for a guest that is down.</summary>
    private async Task TryReplyAsync(IncomingMessage call, string method, RpcReply reply)
    {
        try
        {
            await _publisher!.PublishAsync(AmqpRpcClient.Reply(TroveBroker.ReplyExchange(info.Exchange), call, reply.ToBytes()));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogWarning("the reply to {Method} was not sent: {Error}", method, e.GetBaseException().Message);
        }
    }

    /// <summary>Methods that change the engine's state report it at once; the rest go to the dispatcher.</summary>
    private async Task<JsonNode?> DispatchAsync(RpcMessage message)
    {
        switch (message.Method)
        {
            case GuestMethods.Prepare:
                // Prepare keeps what exists and may run again once ended, never twice at once.
                var prepare = message.ArgsAs<PrepareArgs>();
                await _runs.RunOnceAsync(GuestMethods.Prepare, () => PrepareAsync(prepare), keepFinished: false, Repeated(message.Method));
                return null;
            case GuestMethods.StopDb:
                await watchdog.LifecycleAsync(meantToRun: false, () => manager.StopAsync(CancellationToken.None));
                break;
            case GuestMethods.StartDb:
                await watchdog.LifecycleAsync(meantToRun: true, () => manager.StartAsync(CancellationToken.None));
                break;
            case GuestMethods.Restart:
                await watchdog.LifecycleAsync(meantToRun: true, () => manager.RestartAsync(CancellationToken.None));
                break;
            case GuestMethods.Resize:
                var resize = message.ArgsAs<ResizeArgs>();
                await _limits.SaveAsync(resize.VolumeSize, resize.RamMb);
                await watchdog.LifecycleAsync(meantToRun: true, () => manager.ApplyMemoryAsync(resize.RamMb, CancellationToken.None));
                await EnforceVolumeAsync(UsedGigabytes(), CancellationToken.None);
                break;
            case GuestMethods.MakeReadOnly:
                // fenced, the engine is meant to stay down: the watchdog does not start it again
                var readOnly = message.ArgsAs<ReadOnlyArgs>().ReadOnly;
                ReplicationPosition? fenced = null;
                await watchdog.LifecycleAsync(meantToRun: !readOnly, async () =>
                {
                    if (readOnly)
                        fenced = await manager.FenceAsync(CancellationToken.None);
                    else
                        await manager.UnfenceAsync(CancellationToken.None);
                });
                await TryReportAsync(await manager.GetStatusAsync(CancellationToken.None), CancellationToken.None);
                return fenced is null ? null : JsonSerializer.SerializeToNode(fenced, RpcMessage.Json.Info<ReplicationPosition>());
            case GuestMethods.AttachReplica:
                var source = message.ArgsAs<ReplicaSource>();
                await watchdog.LifecycleAsync(meantToRun: true, () => manager.AttachAsync(source, CancellationToken.None));
                break;
            case GuestMethods.CreateBackup:
                // A backup is taken once: a second run would fail on the first one's file, and its end would stand.
                var backup = message.ArgsAs<CreateBackupArgs>().BackupInfo;
                await _runs.RunOnceAsync($"{GuestMethods.CreateBackup} {backup.Id}", () => BackupAsync(backup), keepFinished: true,
                    Repeated($"{message.Method} of backup {backup.Id}"));
                return null;
            default:
                return await dispatcher.DispatchAsync(message, CancellationToken.None);
        }
        await TryReportAsync(await manager.GetStatusAsync(CancellationToken.None), CancellationToken.None);
        return null;
    }

    private Action<bool> Repeated(string call) => ended => log.LogWarning(ended
        ? "{Call} came again (its ack was lost); it ran already and does not run again"
        : "{Call} came again (its ack was lost) while it runs; the run under way answers it", call);

    private async Task PrepareAsync(PrepareArgs args)
    {
        _preparing = true;
        // Not waited for before the work: its broker confirm waits on the broker's disk (~0.1 s), and the conductor has
        // the report as soon as it is published. The reports that follow wait for it, so they stay in order.
        var building = TryReportAsync(ServiceStatusNames.Building, CancellationToken.None);
        try
        {
            try
            {
                await _initialised;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning("initialising early failed ({Error}); prepare tries again", e.Message);
            }
            if (args.BackupInfo is { } backup && !File.Exists(_restoredMarker))
            {
                await backups.RestoreAsync(backup, CancellationToken.None);
                if (args.Recovery is { } recovery)
                    await backups.RecoverAsync(recovery, CancellationToken.None);
                await File.WriteAllTextAsync(_restoredMarker, backup.Id);
                backups.DiscardRestoreCopies();
            }
            if (args.ReplicaOf is { } source && !File.Exists(_copiedMarker))
            {
                await manager.FollowAsync(source, CancellationToken.None);
                await File.WriteAllTextAsync(_copiedMarker, DateTimeOffset.UtcNow.ToString("O"));
            }
            if (args.Flavor is { } flavor)
                await _limits.SaveAsync(flavor.VolumeSize, flavor.RamMb);
            await manager.ApplyMemoryAsync(_limits.RamMb, CancellationToken.None);
            await PrepareEngineAsync(args);
            if (info.Pooled && !_initialised.IsCompletedSuccessfully) // its claim's rehearsal may have stopped half done
                await ClaimRehearsal.ForgetAsync(manager, CancellationToken.None);
            await ApplyCreateConfigurationAsync(args);
            await manager.UpdateAccessAsync(args.Access?.Networks() ?? [], CancellationToken.None);
            await File.WriteAllTextAsync(_preparedMarker, DateTimeOffset.UtcNow.ToString("O"));
        }
        catch (Exception e)
        {
            await building;
            await TryReportAsync(ServiceStatusNames.Failed, CancellationToken.None, e.Message);
            throw;
        }
        finally
        {
            _preparing = false;
        }
        var status = await manager.GetStatusAsync(CancellationToken.None);
        await building;
        await TryReportAsync(status, CancellationToken.None);
    }

    /// <summary>Prepare keeps what exists, so it can run again: an engine that stopped under it (killed, crashed) is
    /// started again by the next try, as the watchdog does for a prepared one, a few times before the build fails.</summary>
    private async Task PrepareEngineAsync(PrepareArgs args)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await manager.PrepareAsync(args, CancellationToken.None);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException && attempt < PrepareAttempts)
            {
                if (await manager.GetStatusAsync(CancellationToken.None) != ServiceStatusNames.Shutdown)
                    throw;
                log.LogWarning("the engine stopped during prepare ({Error}); starting it again (attempt {Attempt})", e.Message, attempt + 1);
                await Task.Delay(TimeSpan.FromSeconds(attempt));
            }
        }
    }

    private const int PrepareAttempts = 4;

    /// <summary>A configuration group given at create: its overrides are written and applied as an attach would, and the
    /// engine restarted when one of them needs it, before the build is reported done. Safe to repeat.</summary>
    private async Task ApplyCreateConfigurationAsync(PrepareArgs args)
    {
        if (args.Overrides is not { Count: > 0 } overrides)
            return;
        await manager.ApplyOverridesAsync(overrides, CancellationToken.None);
        if (args.OverridesNeedRestart)
            await watchdog.LifecycleAsync(meantToRun: true, () => manager.RestartAsync(CancellationToken.None));
        log.LogInformation("applied the {Count} override(s) of the configuration group given at create", overrides.Count);
    }

    /// <summary>A report without a fault of its own carries the running server's (a full volume), so that the instance
    /// shows it until a report comes without it.</summary>
    private Task TryReportAsync(string serviceStatus, CancellationToken ct, string? fault = null, double? used = null, double? lag = null) =>
        TryPublishAsync(GuestMethods.Heartbeat,
            new HeartbeatArgs(info.InstanceId, new HeartbeatPayload(serviceStatus, fault ?? VolumeFault(), used ?? UsedGigabytes(), lag),
                HeartbeatArgs.Now()), ct);

    /// <summary>A replica's lag, when its engine can say (not while it is down).</summary>
    private async Task<double?> ReplicationLagAsync(CancellationToken ct)
    {
        try
        {
            return await manager.ReplicationLagAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return null;
        }
    }

    private string? VolumeFault() => _readOnly == true
        ? $"The volume is full ({_limits.VolumeSize} GB): the datastore refuses writes until the volume is resized."
        : null;

    /// <summary>LocalCompute's volume is a quota on the server's directory: past it, the engine takes no new writes.</summary>
    private async Task EnforceVolumeAsync(double usedGigabytes, CancellationToken ct)
    {
        var full = _limits.VolumeSize > 0 && usedGigabytes >= _limits.VolumeSize;
        if (full == _readOnly)
            return;
        try
        {
            await manager.SetReadOnlyAsync(full, ct);
            _readOnly = full;
            if (full)
                log.LogWarning("the data reached the volume's {Size} GB: writes are off until it is resized", _limits.VolumeSize);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogWarning("could not set read-only to {Full}: {Error}", full, e.Message);
        }
    }

    /// <summary>What the server's directory (the engine's data and logs) takes, in GB: the volume's "used".</summary>
    private double UsedGigabytes()
    {
        try
        {
            var bytes = new DirectoryInfo(info.Directory).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
            return Math.Round(bytes / (1024.0 * 1024 * 1024), 3);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0; // files come and go while the engine runs
        }
    }

    /// <summary>Reports to the conductor; a report that cannot be sent is logged, and the next one will be. A report
    /// that must arrive (<paramref name="untilSent"/>: a backup's end, which nothing repeats) is tried again, with
    /// backoff, for as long as the broker is away: its backup would otherwise wait for the backup timeout.</summary>
    private async Task TryPublishAsync<TArgs>(string method, TArgs args, CancellationToken ct, bool untilSent = false)
    {
        var report = OutgoingMessage.Json(info.Exchange, info.ConductorQueue, RpcMessage.Create(method, args).ToBytes());
        var delay = TimeSpan.FromMilliseconds(500);
        while (true)
        {
            try
            {
                await _publisher!.PublishAsync(report, ct);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                if (!untilSent)
                {
                    log.LogWarning("{Method} not sent: {Error}", method, e.GetBaseException().Message);
                    return;
                }
                log.LogWarning("{Method} not sent ({Error}); trying again in {Delay} s", method, e.GetBaseException().Message, delay.TotalSeconds);
                await Task.Delay(delay, ct);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }

    /// <summary>Takes a backup, reporting BUILDING, then COMPLETED with size, checksum and location, or FAILED with why.</summary>
    private async Task BackupAsync(BackupInfo backup)
    {
        UpdateBackupArgs Update(string state) => new(info.InstanceId, backup.Id, HeartbeatArgs.Now(), state);
        await TryPublishAsync(GuestMethods.UpdateBackup, Update(BackupStatus.Building), CancellationToken.None);
        try
        {
            var result = await backups.BackupAsync(backup, CancellationToken.None);
            log.LogInformation("backup {Id} completed: {Size} bytes", backup.Id, result.Size);
            await TryPublishAsync(GuestMethods.UpdateBackup,
                Update(BackupStatus.Completed) with { Size = result.Size, Checksum = result.Checksum, Location = result.Location, Etag = result.Etag },
                CancellationToken.None,
                untilSent: true);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogError(e, "backup {Id} failed", backup.Id);
            await TryPublishAsync(GuestMethods.UpdateBackup, Update(BackupStatus.Failed) with { Fault = e.Message }, CancellationToken.None,
                untilSent: true);
        }
    }
}
