using System.Text.Json;
using Akka;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using LinqToDB;
using LinqToDB.Async;

namespace Trove.Actors.ReadModel;

/// <summary>
/// Follows the journal's events of one kind by tag and upserts each entity's row with the entity's own apply
/// function; the offset is stored in the same transaction, so a restart resumes exactly where it stopped.
/// It reads what is new every <c>every</c>: each entity writes its own row as it answers (<see cref="OwnRow{TState,TEvent}"/>),
/// so the projection is the backstop of a row whose write failed and the writer of the quota holds, which nothing reads
/// at once; the journal's live query polls ten times a second, a fifth of an idle node's CPU for three projections.
/// </summary>
public sealed class EntityProjection<TState, TEvent> : ReceiveActor where TState : class
{
    private readonly UniqueKillSwitch _kill;

    public EntityProjection(ReadModelDb db, ProjectedKind<TState, TEvent> kind, TimeSpan every)
    {
        var log = Context.GetLogger();
        var offsetName = $"{kind.Kind}_view";
        var system = Context.System;
        _kill = RestartSource.OnFailuresWithBackoff(
                () => Source.FromTask(StartAsync()).ConcatMany(start =>
                {
                    var (journal, read) = start;
                    return Source.Tick(TimeSpan.Zero, every, NotUsed.Instance).MapMaterializedValue(_ => NotUsed.Instance)
                        .ConcatMany(_ => journal.CurrentEventsByTag(kind.Kind, Offset.Sequence(read)))
                        .Select(e =>
                        {
                            read = ((Sequence)e.Offset).Value;
                            return e;
                        })
                        .GroupedWithin(500, TimeSpan.FromMilliseconds(20))
                        .SelectAsync(1, batch => WriteAsync(batch.ToList()));
                }),
                RestartSettings.Create(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(10), 0.2))
            .ViaMaterialized(KillSwitches.Single<Done>(), Keep.Right)
            .To(Sink.Ignore<Done>())
            .Run(Context.Materializer());
        ReceiveAny(_ => { });

        // The read journal's constructor blocks until the write journal says it is initialised, and throws after 5 s:
        // made here, off the actor's thread and inside the restarts, a journal slow to start delays the projection
        // instead of stopping it (a constructor that throws stops its singleton for good).
        async Task<(SqlReadJournal Journal, long Offset)> StartAsync()
        {
            var journal = await Task.Run(() => PersistenceQuery.Get(system).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier));
            await using var connection = db.Open();
            var stored = await connection.GetTable<ProjectionOffsetRow>().FirstOrDefaultAsync(r => r.Name == offsetName);
            log.Info("{0} projection resumes after offset {1}", kind.Kind, stored?.Offset ?? 0);
            return (journal, stored?.Offset ?? 0);
        }

        async Task<Done> WriteAsync(IReadOnlyList<EventEnvelope> batch)
        {
            await using var connection = db.Open();
            await using var tx = await connection.BeginTransactionAsync();
            var rows = connection.GetTable<EntityRow>();
            var states = new Dictionary<string, (TState? State, long Seq)>();
            foreach (var envelope in batch)
            {
                if (envelope.Event is not TEvent e || !envelope.PersistenceId.StartsWith(kind.PersistenceIdPrefix))
                    continue;
                var id = envelope.PersistenceId[kind.PersistenceIdPrefix.Length..];
                if (!states.TryGetValue(id, out var current))
                {
                    var row = await rows.FirstOrDefaultAsync(r => r.Kind == kind.Kind && r.Id == id);
                    current = row is null ? (null, 0) : (JsonSerializer.Deserialize<TState>(row.State, ReadModelDb.Json), row.Seq);
                }
                // an event the row already holds: its entity wrote the row itself (OwnRow) before this caught up
                states[id] = envelope.SequenceNr <= current.Seq ? current : (kind.Apply(current.State, e), envelope.SequenceNr);
            }
            foreach (var (id, (state, seq)) in states)
                if (state is not null)
                    await ReadModelDb.UpsertNewerAsync(connection, kind.Row(id, state, seq));
            await connection.InsertOrReplaceAsync(new ProjectionOffsetRow { Name = offsetName, Offset = ((Sequence)batch[^1].Offset).Value });
            await tx.CommitAsync();
            foreach (var tenant in states.Values.Select(s => s.State).OfType<TState>().Select(s => kind.Facts(s).TenantId).Distinct())
                db.Invalidate(kind.Kind, tenant);
            return Done.Instance;
        }
    }

    protected override void PostStop() => _kill.Shutdown();

    public static Props Props(ReadModelDb db, ProjectedKind<TState, TEvent> kind, TimeSpan every) =>
        Akka.Actor.Props.Create(() => new EntityProjection<TState, TEvent>(db, kind, every));
}
