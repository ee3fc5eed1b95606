using Akka;
using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using LinqToDB.Async;
using LinqToDB.Data;
using Trove.Actors.Backups;
using Trove.Actors.Instances;
using Trove.Actors.Sql;

namespace Trove.Actors.History;

/// <summary>
/// The journal as the history and the live stream read it: one entity's events, and every instance's and backup's
/// events as they are written, in the journal's order (its ordering column, the same on every node: a change made
/// through one node is seen by a stream on any other).
/// </summary>
public sealed class EntityJournal(ActorSystem system, SqlDatabase journal)
{
    private SqlReadJournal Queries => PersistenceQuery.Get(system).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);

    public IMaterializer Materializer => system.Materializer();

    /// <summary>The entity's events up to <paramref name="toSequenceNr"/>, in order.</summary>
    public async Task<IReadOnlyList<EventEnvelope>> EventsOfAsync(string persistenceId, long toSequenceNr = long.MaxValue, CancellationToken ct = default) =>
        await Queries.CurrentEventsByPersistenceId(persistenceId, 0, toSequenceNr)
            .RunAggregate(new List<EventEnvelope>(), (all, e) => { all.Add(e); return all; }, Materializer)
            .WaitAsync(ct);

    public async Task<IReadOnlyList<HistoryStep<InstanceState>>> InstanceHistoryAsync(string instanceId, CancellationToken ct = default) =>
        InstanceHistory.Steps((await EventsOfAsync(InstanceRegistration.Projection.PersistenceIdPrefix + instanceId, ct: ct))
            .Where(e => e.Event is InstanceEvents.IInstanceEvent)
            .Select(e => (e.SequenceNr, (InstanceEvents.IInstanceEvent)e.Event))).ToList();

    public async Task<IReadOnlyList<HistoryStep<BackupState>>> BackupHistoryAsync(string backupId, CancellationToken ct = default) =>
        BackupHistory.Steps((await EventsOfAsync(BackupRegistration.Projection.PersistenceIdPrefix + backupId, ct: ct))
            .Where(e => e.Event is BackupEvents.IBackupEvent)
            .Select(e => (e.SequenceNr, (BackupEvents.IBackupEvent)e.Event))).ToList();

    /// <summary>The offset of the journal's newest event: a stream that starts "now" starts after it.</summary>
    public async Task<long> NewestOffsetAsync(CancellationToken ct = default)
    {
        await using var db = journal.Open();
        return await db.ExecuteAsync<long?>("SELECT MAX(ordering) FROM journal", ct) ?? 0;
    }

    /// <summary>Every change to an instance or a backup written after <paramref name="offset"/>, then as they are written.</summary>
    public Source<EntityChange, NotUsed> ChangesAfter(long offset) =>
        Source.Single(NotUsed.Instance).ConcatMany(_ =>
        {
            var folder = new ChangeFolder(this);
            return Queries.AllEvents(Offset.Sequence(offset))
                .Where(e => e.Event is InstanceEvents.IInstanceEvent or BackupEvents.IBackupEvent)
                .SelectAsync(1, folder.FoldAsync)
                .SelectMany(changes => changes);
        });
}
