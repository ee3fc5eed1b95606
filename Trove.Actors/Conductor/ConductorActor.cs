using Trove.Actors.Broker;
using Akka;
using Akka.Actor;
using Akka.Event;
using Akka.Streams;
using Akka.Streams.Dsl;
using Trove.Amqp;
using Trove.Contracts.Guests;

namespace Trove.Actors.Conductor;

/// <summary>
/// Upstream's trove-conductor: a stream from the conductor queue into the instance shards. Each report is
/// acknowledged only once its entity has handled (and, when it changed something, persisted) it. Every report passes
/// <see cref="ReportCheck"/> first: a guest reports for its own instance only. A broker error restarts the whole
/// stream with backoff; the reports it had taken and not acknowledged come again.
/// </summary>
public sealed class ConductorActor : ReceiveActor
{
    private readonly SharedKillSwitch _intake = KillSwitches.Shared("conductor-intake");

    public ConductorActor(AmqpConnector connector, BrokerSettings broker, IActorRef instances, IActorRef backups, ReportCheck check,
        TimeSpan askTimeout)
    {
        var log = Context.GetLogger();
        var source = new NamedQueueSourceSettings(broker.ConductorQueue) { Declarations = broker.Topology, Prefetch = broker.Prefetch };
        var drained = AmqpSource.Restarting(
                () => AmqpSource.CommittableSource(connector, source)
                    .Via(_intake.Flow<CommittableIncomingMessage>())
                    .SelectAsync(broker.Prefetch, HandleAsync),
                e => log.Warning("conductor: restarting its stream after a broker error: {0}", e.GetBaseException().Message))
            .RunWith(Sink.Ignore<Done>(), Context.Materializer());
        ReceiveAny(_ => { });

        // A node that leaves stops taking reports before its shards hand off; reports already taken are finished
        // and acknowledged, the rest stay in the queue for the other nodes.
        CoordinatedShutdown.Get(Context.System).AddTask(CoordinatedShutdown.PhaseServiceUnbind, "stop-conductor-intake", async () =>
        {
            _intake.Shutdown();
            await Task.WhenAny(drained, Task.Delay(askTimeout));
            return Done.Instance;
        });

        async Task<Done> HandleAsync(CommittableIncomingMessage incoming)
        {
            RpcMessage message;
            GuestReport report;
            try
            {
                message = RpcMessage.Parse(incoming.Message.Body);
                if (!GuestReports.Kinds.TryGetValue(message.Method, out var parse))
                {
                    log.Warning("conductor: unknown method '{0}' dropped", message.Method);
                    await incoming.AckAsync();
                    return Done.Instance;
                }
                report = parse(message);
            }
            catch (Exception e)
            {
                // Malformed: it would fail the same way every time.
                log.Warning("conductor: dropping a malformed report: {0}", e.GetBaseException().Message);
                await incoming.AckAsync();
                return Done.Instance;
            }
            if (check.Refuse(report, incoming.Message.Properties.UserId, DateTimeOffset.UtcNow) is { } why)
            {
                log.Warning("conductor: refused a {0} for instance {1}: {2} ({3} refused so far)", message.Method, report.InstanceId, why, check.Refused);
                await incoming.AckAsync();
                return Done.Instance;
            }
            try
            {
                await report.DeliverAsync(instances, backups, askTimeout);
            }
            catch (Exception e)
            {
                await RetryOrDropAsync(incoming, message, report, e);
                return Done.Instance;
            }
            if (!await incoming.AckAsync())
                log.Info("conductor: a {0} for instance {1} was handled but its ack was lost with its channel; it comes again", message.Method, report.InstanceId);
            return Done.Instance;
        }

        // A report its entity could not take (a shard moving, a journal down) goes back to the queue once: an
        // update_backup COMPLETED lost here would leave its backup to time out as FAILED. Failing again on its
        // redelivery, it is dropped, so that a report that always fails cannot loop forever.
        async Task RetryOrDropAsync(CommittableIncomingMessage incoming, RpcMessage message, GuestReport report, Exception e)
        {
            var requeue = !incoming.Message.Redelivered;
            if (requeue)
                log.Warning("conductor: a {0} for instance {1} failed ({2}); requeued to be tried once more",
                    message.Method, report.InstanceId, e.GetBaseException().Message);
            else
                log.Error("conductor: dropping a {0} for instance {1}: it failed again after its redelivery ({2})",
                    message.Method, report.InstanceId, e.GetBaseException().Message);
            await incoming.NackAsync(requeue);
        }
    }

    protected override void PostStop() => _intake.Shutdown();

    public static Props Props(AmqpConnector connector, BrokerSettings broker, IActorRef instances, IActorRef backups, ReportCheck check,
        TimeSpan askTimeout) =>
        Akka.Actor.Props.Create(() => new ConductorActor(connector, broker, instances, backups, check, askTimeout));
}
