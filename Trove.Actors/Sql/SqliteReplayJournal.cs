using System.Collections.Concurrent;
using System.Collections.Immutable;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Sql.Journal;
using LinqToDB.Data;

namespace Trove.Actors.Sql;

/// <summary>
/// Akka.Persistence.Sql's journal, whose recovery reads on SQLite are a query each: an entity's highest sequence number,
/// then its events read straight into its recovery. The plugin's own replay goes through two Akka streams (a batching
/// unfold and, per batch, the rows through a deserializing flow) and each read through a LINQ query translated per
/// call: on the 100k journal a woken entity's replay took p50 4.5 ms of a cold show's 7 ms, where the queries take
/// ~0.1 ms (bench/results.md 2026-12-07 "cold show"). Both read what the plugin's reads do: the highest sequence number
/// once this journal's write of the entity in flight (if any) is done, deleted events included; the live events in
/// order, at most <c>max</c>. Writes are the plugin's.
/// </summary>
public sealed class SqliteReplayJournal : SqlWriteJournal
{
    private const string ReplaySql = """
        SELECT sequence_number, message, manifest, identifier, writer_uuid, created
        FROM journal
        WHERE persistence_id = @persistence_id AND sequence_number >= @from AND sequence_number <= @to AND deleted = 0
        ORDER BY sequence_number
        LIMIT @max
        """;

    private const string HighestSql = "SELECT MAX(sequence_number) FROM journal WHERE persistence_id = @persistence_id AND sequence_number > @after";

    /// <summary>The writes in flight, by entity: a recovery's highest sequence number is read once its entity's are done.</summary>
    private readonly ConcurrentDictionary<string, Task> _writing = new();

    private readonly SqlDatabase? _database;
    private readonly Akka.Serialization.Serialization _serialization;

    public SqliteReplayJournal(Config journalConfig) : base(journalConfig)
    {
        _serialization = Context.System.Serialization;
        _database = SqlDatabase.SqliteOf(journalConfig);
    }

    protected override Task<IImmutableList<Exception>> WriteMessagesAsync(IEnumerable<AtomicWrite> messages, CancellationToken cancellationToken)
    {
        if (_database is null)
            return base.WriteMessagesAsync(messages, cancellationToken);
        var writes = messages.ToList();
        var written = base.WriteMessagesAsync(writes, cancellationToken);
        foreach (var persistenceId in writes.Select(w => w.PersistenceId).Distinct())
        {
            _writing[persistenceId] = written;
            written.ContinueWith(_ => _writing.TryRemove(new KeyValuePair<string, Task>(persistenceId, written)), TaskContinuationOptions.ExecuteSynchronously);
        }
        return written;
    }

    public override async Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr, CancellationToken cancellationToken)
    {
        if (_database is null)
            return await base.ReadHighestSequenceNrAsync(persistenceId, fromSequenceNr, cancellationToken);
        if (_writing.TryGetValue(persistenceId, out var written))
            await written.ContinueWith(_ => { }, TaskContinuationOptions.ExecuteSynchronously); // failed or not: it is over
        await using var db = _database.Open();
        return await db.ExecuteAsync<long?>(HighestSql, cancellationToken, new DataParameter("persistence_id", persistenceId), new DataParameter("after", fromSequenceNr)) ?? 0;
    }

    public override async Task ReplayMessagesAsync(IActorContext context, string persistenceId, long fromSequenceNr, long toSequenceNr, long max,
        Action<IPersistentRepresentation> recoveryCallback)
    {
        if (_database is null)
        {
            await base.ReplayMessagesAsync(context, persistenceId, fromSequenceNr, toSequenceNr, max, recoveryCallback);
            return;
        }
        if (max <= 0)
            return;
        List<Row> rows;
        await using (var db = _database.Open())
            rows = await db.QueryToListAsync(
                r => new Row(r.GetInt64(0), (byte[])r[1], r.IsDBNull(2) ? null : r.GetString(2), r.IsDBNull(3) ? null : r.GetInt32(3),
                    r.IsDBNull(4) ? null : r.GetString(4), r.GetInt64(5)),
                ReplaySql, CancellationToken.None, new DataParameter("persistence_id", persistenceId), new DataParameter("from", Math.Max(1, fromSequenceNr)),
                new DataParameter("to", toSequenceNr), new DataParameter("max", max));
        if (rows.Any(r => r.Identifier is null)) // written by a serializer named by type only: the plugin knows those
        {
            await base.ReplayMessagesAsync(context, persistenceId, fromSequenceNr, toSequenceNr, max, recoveryCallback);
            return;
        }
        foreach (var row in rows)
            recoveryCallback(new Persistent(_serialization.Deserialize(row.Message, row.Identifier!.Value, row.Manifest), row.SequenceNr, persistenceId,
                row.Manifest, isDeleted: false, ActorRefs.NoSender, row.WriterUuid, row.Timestamp));
    }

    private sealed record Row(long SequenceNr, byte[] Message, string? Manifest, int? Identifier, string? WriterUuid, long Timestamp);
}
