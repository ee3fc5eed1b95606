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
using Trove.Actors.ReadModel;
using Trove.Actors.Sql;

namespace Trove.Actors.History;

/// <summary>
/// The journal as the history and the live stream read it: one entity's events, and every instance's and backup's
/// events as they are written, in the journal's order (its ordering column, the same on every node: a change made
/// through one node is seen by a stream on any other).
/// </summary>
public sealed class EntityJournal(ActorSystem system, SqlDatabase journal, ReadModelDb readModel)
{
    private SqlReadJournal Queries => PersistenceQuery.Get(system).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);

    /// <summary>One for the node's journal reads: <c>system.Materializer()</c> makes a new one (and its supervisor actor)
    /// on every call, and a stream's fold reads an entity's journal often.</summary>
    public IMaterializer Materializer { get; } = system.Materializer();

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

    /// <summary>The tenant an instance was created for, deleted or not; null for an instance never created. Its read
    /// model row says; the journal only for an instance the row does not hold yet (its Created is not always its first
    /// event: a create's quota hold comes before it).</summary>
    public async Task<string?> TenantOfInstanceAsync(string instanceId, CancellationToken ct = default) =>
        await readModel.TenantOfAsync(InstanceRegistration.TypeName, instanceId, ct)
        ?? (await EventsOfAsync(InstanceRegistration.Projection.PersistenceIdPrefix + instanceId, ct: ct)).Select(e => e.Event)
            .OfType<InstanceEvents.Created>().FirstOrDefault()?.TenantId;

    /// <summary>The offset of the journal's newest event: a stream that starts "now" starts after it.</summary>
    public async Task<long> NewestOffsetAsync(CancellationToken ct = default)
    {
        await using var db = journal.Open();
        return await db.ExecuteAsync<long?>("SELECT MAX(ordering) FROM journal", ct) ?? 0;
    }

    /// <summary>Every change to an instance or a backup written after <paramref name="offset"/> and before
    /// <paramref name="before"/> that the journal holds now; then it ends.</summary>
    public Source<EntityChange, NotUsed> CurrentChanges(long offset, long before = long.MaxValue) =>
        Folded(Queries.CurrentAllEvents(Offset.Sequence(offset)).TakeWhile(e => ((Sequence)e.Offset).Value < before));

    /// <summary>Every change to an instance or a backup written after <paramref name="offset"/>, then as they are written.</summary>
    internal Source<EntityChange, NotUsed> Changes(long offset) => Folded(Queries.AllEvents(Offset.Sequence(offset)));

    private Source<EntityChange, NotUsed> Folded(Source<EventEnvelope, NotUsed> events) =>
        Source.Single(NotUsed.Instance).ConcatMany(_ =>
        {
            var folder = new ChangeFolder(this);
            return events.SelectAsync(1, folder.FoldAsync).SelectMany(changes => changes);
        });
}
