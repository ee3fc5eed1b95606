using Akka;
using Akka.Actor;
using Akka.Event;
using Akka.Streams;
using Akka.Streams.Dsl;
using Trove.Contracts.Guests;
using Trove.Amqp;

namespace Trove.Actors.Conductor;

/// <summary>
/// Upstream's trove-conductor: a stream from the conductor queue into the instance shards. Each report is
/// acknowledged only once its entity has handled (and, when it changed something, persisted) it. Every report passes
/// <see cref="ReportCheck"/> first: a guest reports for its own instance only.
/// </summary>
public sealed class ConductorActor : ReceiveActor
{
    private readonly UniqueKillSwitch _kill;

    public ConductorActor(AmqpConnector connector, IActorRef instances, IActorRef backups, ReportCheck check, TimeSpan askTimeout)
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
                if (GuestReports.Kinds.TryGetValue(message.Method, out var parse))
                {
                    var report = parse(message);
                    if (check.Refuse(report, incoming.UserId, DateTimeOffset.UtcNow) is { } why)
                        log.Warning("conductor: refused a {0} for instance {1}: {2} ({3} refused so far)", message.Method, report.InstanceId, why, check.Refused);
                    else
                        await report.DeliverAsync(instances, backups, askTimeout);
                }
                else
                {
                    log.Warning("conductor: unknown method '{0}' dropped", message.Method);
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

    protected override void PostStop() => _kill.Shutdown();

    public static Props Props(AmqpConnector connector, IActorRef instances, IActorRef backups, ReportCheck check, TimeSpan askTimeout) =>
        Akka.Actor.Props.Create(() => new ConductorActor(connector, instances, backups, check, askTimeout));
}
