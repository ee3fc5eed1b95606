using Trove.Actors.Broker;
using Trove.Actors.Sharding;
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
/// acknowledged only once its entity has handled (and, when it changed something, persisted) it, together with the
/// reports before it: many in flight at once (the prefetch), in their delivery order, one ack for each batch. The
/// reports come in runs (what the consumer had buffered, <see cref="AmqpSource.CommittableRuns"/>), each handled as one
/// element of the stream with one deadline for its entities' answers. Every report passes
/// <see cref="ReportCheck"/> first: a guest reports for its own instance only. A broker error restarts the whole
/// stream with backoff; the reports it had taken and not acknowledged come again. Every second it tells
/// <c>lagTo</c> (its node's <see cref="ConductorClockActor"/>) how far behind it is (<see cref="ConductorLag"/>).
/// </summary>
public sealed class ConductorActor : ReceiveActor, IWithTimers
{
    private sealed record Measure;

    public static readonly TimeSpan MeasureEvery = TimeSpan.FromSeconds(1);

    /// <summary>How long a handled report may wait for the rest of its batch before they are acked together: its guest
    /// waits for no ack, and the broker redelivers it after a crash meanwhile.</summary>
    private static readonly TimeSpan AckWithin = TimeSpan.FromMilliseconds(20);

    private readonly SharedKillSwitch _intake = KillSwitches.Shared("conductor-intake");
    private readonly ConductorLag _lag = new();

    public ITimerScheduler Timers { get; set; } = null!;

    public ConductorActor(AmqpConnector connector, BrokerSettings broker, IActorRef instances, IActorRef backups, ReportCheck check,
        TimeSpan askTimeout, IActorRef lagTo)
    {
        var log = Context.GetLogger();
        var provider = ((ExtendedActorSystem)Context.System).Provider;
        var source = new NamedQueueSourceSettings(broker.ConductorQueue) { Declarations = broker.Topology, Prefetch = broker.Prefetch };
        var maxRun = Math.Max(1, broker.Prefetch / 4);
        var drained = AmqpSource.Restarting(
                () => AmqpSource.CommittableRuns(connector, source, maxRun)
                    .Via(_intake.Flow<IReadOnlyList<CommittableIncomingMessage>>())
                    .SelectAsync(broker.Prefetch, HandleRunAsync)
                    .Via(AmqpSource.AckInBatches(maxRun, AckWithin))
                    .Select(acked =>
                    {
                        if (!acked)
                            log.Info("conductor: reports were handled but their ack was lost with its channel; they come again");
                        return Done.Instance;
                    }),
                e => log.Warning("conductor: restarting its stream after a broker error: {0}", e.GetBaseException().Message))
            .RunWith(Sink.Ignore<Done>(), Context.Materializer());
        Receive<Measure>(_ => lagTo.Tell(new ConductorClockActor.Measured(_lag.Measure(DateTimeOffset.UtcNow))));
        ReceiveAny(_ => { });

        // A node that leaves stops taking reports before its shards hand off; reports already taken are finished
        // and acknowledged, the rest stay in the queue for the other nodes.
        CoordinatedShutdown.Get(Context.System).AddTask(CoordinatedShutdown.PhaseServiceUnbind, "stop-conductor-intake", async () =>
        {
            _intake.Shutdown();
            await Task.WhenAny(drained, Task.Delay(askTimeout));
            return Done.Instance;
        });

        // A run of reports, handled side by side (each on its own entity): those to be acked once all are handled, in
        // their delivery order (the ones given back to the queue already left out). Their entities answer one collector
        // (RunReplies), within one deadline for the run.
        async Task<IReadOnlyList<CommittableIncomingMessage>> HandleRunAsync(IReadOnlyList<CommittableIncomingMessage> run)
        {
            var acked = new bool[run.Count];
            var taken = new List<(int Index, string Method, GuestReport Report)>(run.Count);
            for (var i = 0; i < run.Count; i++)
            {
                if (Take(run[i]) is { } report)
                    taken.Add((i, report.Method, report.Report));
                else
                    acked[i] = true;
            }
            if (taken.Count > 0)
            {
                using var deadline = new CancellationTokenSource(askTimeout);
                using var replies = new RunReplies(provider, taken.Count);
                for (var k = 0; k < taken.Count; k++)
                {
                    _lag.Taken();
                    taken[k].Report.RegionOf(instances, backups).Tell(taken[k].Report.Command, replies.ReceiverFor(k));
                }
                await replies.AllAnsweredAsync(deadline.Token);
                List<(int Index, Task<bool> Acked)>? slower = null;
                for (var k = 0; k < taken.Count; k++)
                {
                    var (index, method, report) = taken[k];
                    switch (replies.AnswerOf(k))
                    {
                        case var answer when report.HandledBy(answer):
                            _lag.Handled(report.Sent, DateTimeOffset.UtcNow);
                            acked[index] = true;
                            break;
                        case Undelivered:
                            // It never reached its entity (a shard moving): asked again, as any ask of an entity is.
                            (slower ??= []).Add((index, AskAgainAsync(run[index], method, report, deadline.Token)));
                            break;
                        case var other:
                            _lag.NotHandled();
                            (slower ??= []).Add((index, GiveBackAsync(run[index], method, report, other switch
                            {
                                null => new AskTimeoutException($"no answer from its entity within {askTimeout}"),
                                Exception failure => failure,
                                _ => report.NotHandledBy(other),
                            })));
                            break;
                    }
                }
                if (slower is not null)
                    foreach (var (index, acking) in slower)
                        acked[index] = await acking;
            }
            var handled = new List<CommittableIncomingMessage>(run.Count);
            for (var i = 0; i < run.Count; i++)
                if (acked[i])
                    handled.Add(run[i]);
            return handled;
        }

        // The report to deliver; null when it is not to be (malformed, unknown, refused), and is acked with its batch.
        (string Method, GuestReport Report)? Take(CommittableIncomingMessage incoming)
        {
            string method;
            GuestReport report;
            try
            {
                method = RpcMessage.MethodOf(incoming.Message.Body);
                if (!GuestReports.Kinds.TryGetValue(method, out var parse))
                {
                    log.Warning("conductor: unknown method '{0}' dropped", method);
                    return null;
                }
                report = parse(incoming.Message.Body);
            }
            catch (Exception e)
            {
                // Malformed: it would fail the same way every time.
                log.Warning("conductor: dropping a malformed report: {0}", e.GetBaseException().Message);
                return null;
            }
            if (check.Refuse(report, incoming.Message.Properties.UserId, DateTimeOffset.UtcNow) is { } why)
            {
                log.Warning("conductor: refused a {0} for instance {1}: {2} ({3} refused so far)", method, report.InstanceId, why, check.Refused);
                return null;
            }
            return (method, report);
        }

        // Whether the report is to be acked (with its batch); false when it was given back to the queue already.
        async Task<bool> AskAgainAsync(CommittableIncomingMessage incoming, string method, GuestReport report, CancellationToken deadline)
        {
            try
            {
                await Task.Delay(EntityAsk.Pause, deadline);
                var answer = await report.RegionOf(instances, backups).AskEntityAsync<object>(report.Command, deadline);
                if (!report.HandledBy(answer))
                    throw report.NotHandledBy(answer);
            }
            catch (Exception e)
            {
                _lag.NotHandled();
                await RetryOrDropAsync(incoming, method, report, e);
                return false;
            }
            _lag.Handled(report.Sent, DateTimeOffset.UtcNow);
            return true;
        }

        async Task<bool> GiveBackAsync(CommittableIncomingMessage incoming, string method, GuestReport report, Exception e)
        {
            await RetryOrDropAsync(incoming, method, report, e);
            return false;
        }

        // A report its entity could not take (a shard moving, a journal down) goes back to the queue once: an
        // update_backup COMPLETED lost here would leave its backup to time out as FAILED. Failing again on its
        // redelivery, it is dropped, so that a report that always fails cannot loop forever.
        async Task RetryOrDropAsync(CommittableIncomingMessage incoming, string method, GuestReport report, Exception e)
        {
            var requeue = !incoming.Message.Redelivered;
            if (requeue)
                log.Warning("conductor: a {0} for instance {1} failed ({2}); requeued to be tried once more",
                    method, report.InstanceId, e.GetBaseException().Message);
            else
                log.Error("conductor: dropping a {0} for instance {1}: it failed again after its redelivery ({2})",
                    method, report.InstanceId, e.GetBaseException().Message);
            await incoming.NackAsync(requeue);
        }
    }

    protected override void PreStart() => Timers.StartPeriodicTimer(nameof(Measure), new Measure(), MeasureEvery);

    protected override void PostStop() => _intake.Shutdown();

    public static Props Props(AmqpConnector connector, BrokerSettings broker, IActorRef instances, IActorRef backups, ReportCheck check,
        TimeSpan askTimeout, IActorRef lagTo) =>
        Akka.Actor.Props.Create(() => new ConductorActor(connector, broker, instances, backups, check, askTimeout, lagTo));
}
