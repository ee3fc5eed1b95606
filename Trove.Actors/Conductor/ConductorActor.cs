using Akka;
using Akka.Actor;
using Akka.Event;
using Akka.Streams;
using Akka.Streams.Dsl;
using Trove.Actors.Backups;
using Trove.Actors.Guests;
using Trove.Actors.Instances;
using Trove.Actors.Messaging;

namespace Trove.Actors.Conductor;

/// <summary>
/// Upstream's trove-conductor: a stream from the conductor queue into the instance shards. Each report is
/// acknowledged only once its entity has handled (and, when it changed something, persisted) it.
/// </summary>
public sealed class ConductorActor : ReceiveActor
{
    private readonly UniqueKillSwitch _kill;

    public ConductorActor(AmqpConnector connector, IActorRef instances, IActorRef backups, TimeSpan askTimeout)
    {
        var log = Context.GetLogger();
        (_kill, var drained) = RestartSource.WithBackoff(
                () => AmqpSource.Create(connector, connector.Settings.ConductorQueue),
                RestartSettings.Create(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5), 0.2))
            .ViaMaterialized(KillSwitches.Single<AmqpIncoming>(), Keep.Right)
            .SelectAsync(connector.Settings.Prefetch, HandleAsync)
            .ToMaterialized(Sink.Ignore<Done>(), Keep.Both)
            .Run(Context.Materializer());
        ReceiveAny(_ => { });

        // A node that leaves stops taking reports before its shards hand off; reports already taken are finished
        // and acknowledged, the rest stay in the queue for the other nodes.
        CoordinatedShutdown.Get(Context.System).AddTask(CoordinatedShutdown.PhaseServiceUnbind, "stop-conductor-intake", async () =>
        {
            _kill.Shutdown();
            await Task.WhenAny(drained, Task.Delay(askTimeout));
            return Done.Instance;
        });

        async Task<Done> HandleAsync(AmqpIncoming incoming)
        {
            try
            {
                var message = RpcMessage.Parse(incoming.Body);
                switch (message.Method)
                {
                    case GuestMethods.Heartbeat:
                        var heartbeat = message.ArgsAs<HeartbeatArgs>();
                        var sent = FromEpoch(heartbeat.Sent);
                        await instances.Ask<InstanceReplies.HeartbeatAck>(
                            new InstanceCommands.ReportHeartbeat(heartbeat.InstanceId, heartbeat.Payload.ServiceStatus, sent, heartbeat.Payload.Fault, heartbeat.Payload.VolumeUsed), askTimeout);
                        break;
                    case GuestMethods.UpdateBackup:
                        var update = message.ArgsAs<UpdateBackupArgs>();
                        await backups.Ask<BackupReplies.ReportAck>(new BackupCommands.Report(update.BackupId, update.InstanceId,
                            update.State, update.Size, update.Checksum, FromEpoch(update.Sent)), askTimeout);
                        break;
                    default:
                        log.Warning("conductor: unknown method '{0}' dropped", message.Method);
                        break;
                }
                await incoming.AckAsync();
            }
            catch (Exception e)
            {
                // A report that cannot be handled is dropped, not retried forever: heartbeats come again.
                log.Warning("conductor: dropping a report: {0}", e.GetBaseException().Message);
                await incoming.RejectAsync();
            }
            return Done.Instance;
        }
    }

    private static DateTimeOffset FromEpoch(double seconds) => DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000));

    protected override void PostStop() => _kill.Shutdown();

    public static Props Props(AmqpConnector connector, IActorRef instances, IActorRef backups, TimeSpan askTimeout) =>
        Akka.Actor.Props.Create(() => new ConductorActor(connector, instances, backups, askTimeout));
}
