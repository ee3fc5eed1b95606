using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Trove.Actors.Telemetry;

namespace Trove.Actors.History;

/// <summary>
/// The node's one reader of the journal for every open live stream: a <see cref="BroadcastHub"/> over the journal's
/// changes, started by the first stream and stopped with the last. A stream that starts after an offset the hub has
/// passed catches up from the journal first (and once more, up to the first change the hub gives it, for the moment
/// between its joining and its catch-up), so it misses nothing and repeats nothing. A stream more than
/// <see cref="MaxBehind"/> changes behind fails, rather than holding back every other stream of the node: its client
/// comes back with its <c>Last-Event-ID</c>.
/// </summary>
public sealed class ChangeFeed(EntityJournal journal)
{
    public const int MaxBehind = 10_000;
    private readonly object _gate = new();
    private Hub? _hub;

    private sealed record Hub(Source<EntityChange, NotUsed> Changes, UniqueKillSwitch Kill)
    {
        public int Streams { get; set; }
    }

    /// <summary>Every change written after <paramref name="after"/>, then as they are written, until the stream is cancelled.</summary>
    public async Task<Source<EntityChange, NotUsed>> ChangesAfterAsync(long after, CancellationToken ct = default)
    {
        var hub = await JoinAsync(ct);
        var last = after;
        var live = hub.Changes
            .Buffer(MaxBehind, OverflowStrategy.Fail)
            .PrefixAndTail(1)
            .ConcatMany(joined => joined.Item1 is [var first, ..]
                ? journal.CurrentChanges(Volatile.Read(ref last), first.Offset).Concat(Source.From(joined.Item1)).Concat(joined.Item2)
                : Source.Empty<EntityChange>());
        return journal.CurrentChanges(after)
            .Concat(live)
            .Where(c => c.Offset > Volatile.Read(ref last))
            .Select(c =>
            {
                Volatile.Write(ref last, c.Offset);
                return c;
            })
            .WatchTermination((_, done) =>
            {
                done.ContinueWith(_ => Leave(hub), TaskScheduler.Default);
                return NotUsed.Instance;
            });
    }

    private async Task<Hub> JoinAsync(CancellationToken ct)
    {
        lock (_gate)
            if (_hub is { } running)
                return Joined(running);
        var newest = await journal.NewestOffsetAsync(ct);
        lock (_gate)
            return Joined(_hub ??= Start(newest));
    }

    private static Hub Joined(Hub hub)
    {
        hub.Streams++;
        TroveMetrics.StreamsOpen.Add(1);
        return hub;
    }

    private Hub Start(long after)
    {
        var materializer = journal.Materializer;
        var ((kill, stopped), changes) = journal.Changes(after)
            .ViaMaterialized(KillSwitches.Single<EntityChange>(), Keep.Right)
            .WatchTermination(Keep.Both)
            .ToMaterialized(BroadcastHub.Sink<EntityChange>(bufferSize: 256), Keep.Both)
            .Run(materializer);
        // Always drained, so that the hub never waits for a stream to join; each stream buffers on its own.
        changes.RunWith(Sink.Ignore<EntityChange>(), materializer);
        var hub = new Hub(changes, kill);
        TroveMetrics.StreamReaders.Add(1);
        // A journal that fails ends every stream (their clients come back); the next stream starts a new hub.
        stopped.ContinueWith(_ =>
        {
            TroveMetrics.StreamReaders.Add(-1);
            lock (_gate)
                if (ReferenceEquals(_hub, hub))
                    _hub = null;
        }, TaskScheduler.Default);
        return hub;
    }

    private void Leave(Hub hub)
    {
        TroveMetrics.StreamsOpen.Add(-1);
        lock (_gate)
        {
            if (--hub.Streams > 0 || !ReferenceEquals(_hub, hub))
                return;
            _hub = null;
        }
        hub.Kill.Shutdown();
    }
}
