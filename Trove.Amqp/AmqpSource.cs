using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Util;

namespace Trove.Amqp;

/// <summary>What a consuming stage reads: one queue, with what it declares first, and how many unacknowledged messages
/// the broker may hand it at once.</summary>
public sealed record NamedQueueSourceSettings(string Queue)
{
    public IReadOnlyList<IDeclaration> Declarations { get; init; } = [];
    public ushort Prefetch { get; init; } = 64;
}

/// <summary>Akka Streams sources consuming a queue.</summary>
public static class AmqpSource
{
    /// <summary>Backoff for restarting a consuming flow after a broker error.</summary>
    public static readonly RestartSettings DefaultRestart =
        RestartSettings.Create(RestartBackoff.Default.Min, RestartBackoff.Default.Max, RestartBackoff.Default.RandomFactor);

    /// <summary>
    /// Each message of the queue, to be acked or nacked by whoever handles it. The source fails when its channel or
    /// connection closes, or the broker cancels its consumer (the queue was deleted): run it inside
    /// <see cref="Restarting{T}"/>, which starts it again on a new channel.
    /// </summary>
    public static Source<CommittableIncomingMessage, NotUsed> CommittableSource(AmqpConnector connector, NamedQueueSourceSettings settings) =>
        Source.UnfoldResourceAsync<CommittableIncomingMessage, QueueSubscription>(
            () => QueueSubscription.StartAsync(connector, settings),
            async subscription => await subscription.NextAsync() is { } next ? next : Option<CommittableIncomingMessage>.None,
            async subscription => { await subscription.DisposeAsync(); return Done.Instance; });

    /// <summary>
    /// The queue's messages in runs: each element is what the subscription had buffered when the stream asked for more,
    /// at most <paramref name="maxRun"/> and at least one, in delivery order. Under load a run is many messages, so
    /// that the stages after it pay once per run what they would pay per message (a hop between threads, an element
    /// through each stage); at a trickle it is one. Fails and completes as <see cref="CommittableSource"/> does.
    /// </summary>
    public static Source<IReadOnlyList<CommittableIncomingMessage>, NotUsed> CommittableRuns(AmqpConnector connector,
        NamedQueueSourceSettings settings, int maxRun) =>
        Source.UnfoldResourceAsync<IReadOnlyList<CommittableIncomingMessage>, QueueSubscription>(
            () => QueueSubscription.StartAsync(connector, settings),
            async subscription => await subscription.NextRunAsync(maxRun) is { } run
                ? Option<IReadOnlyList<CommittableIncomingMessage>>.Create(run)
                : Option<IReadOnlyList<CommittableIncomingMessage>>.None,
            async subscription => { await subscription.DisposeAsync(); return Done.Instance; });

    /// <summary>
    /// Acks handled messages in batches: one ack (<see cref="CommittableIncomingMessage.AckThroughAsync"/>) for the runs
    /// that together hold up to <paramref name="max"/> messages, or for those handled within <paramref name="within"/>;
    /// emits whether the broker took it. Each element is the handled messages of one run; the runs must come from one
    /// source in their delivery order (through ordered stages such as <c>SelectAsync</c>), none of their messages
    /// settled already (leave out one nacked): each ack settles every earlier delivery of its channel, so one handed on
    /// before its handling ended would be acked with the rest.
    /// </summary>
    public static Flow<IReadOnlyList<CommittableIncomingMessage>, bool, NotUsed> AckInBatches(int max, TimeSpan within) =>
        Flow.Create<IReadOnlyList<CommittableIncomingMessage>>()
            .Where(handled => handled.Count > 0)
            .GroupedWeightedWithin(max, int.MaxValue, within, handled => (long)handled.Count)
            .SelectAsync(1, runs => runs.Last()[^1].AckThroughAsync());

    /// <summary>
    /// A consuming flow (a source and everything that handles its messages) that starts again, whole, with backoff, after
    /// any failure: a broker error fails the source, and the messages it had handed out and not acked are redelivered
    /// to the new one. It completes when the flow completes (a kill switch inside it, say).
    /// </summary>
    /// <param name="flow">makes the flow; called again at each restart</param>
    /// <param name="onRestart">told each failure that restarts the flow</param>
    public static Source<T, NotUsed> Restarting<T>(Func<Source<T, NotUsed>> flow, Action<Exception>? onRestart = null,
        RestartSettings? restart = null) =>
        RestartSource.OnFailuresWithBackoff(
            () => flow().SelectError(e => { onRestart?.Invoke(e); return e; }),
            restart ?? DefaultRestart);
}
