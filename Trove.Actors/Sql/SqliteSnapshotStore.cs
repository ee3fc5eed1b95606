using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Sql.Snapshot;
using LinqToDB.Data;

namespace Trove.Actors.Sql;

/// <summary>
/// Akka.Persistence.Sql's snapshot store, whose load of an entity's latest snapshot on SQLite (what every recovery
/// asks for first, and finds nothing for most entities) is one query instead of a LINQ query translated per call in a
/// transaction of its own: 1.0–1.3 ms of a cold show on the 100k journal for a ~0.1 ms seek (bench/results.md
/// 2026-12-07 "cold show"). Other selections, other databases and all writes are the plugin's.
/// </summary>
public sealed class SqliteSnapshotStore : SqlSnapshotStore
{
    private const string LatestSql = """
        SELECT sequence_number, created, snapshot, manifest, serializer_id
        FROM snapshot
        WHERE persistence_id = @persistence_id
        ORDER BY sequence_number DESC
        LIMIT 1
        """;

    private readonly SqlDatabase? _database;
    private readonly Akka.Serialization.Serialization _serialization;

    public SqliteSnapshotStore(Config snapshotConfig) : base(snapshotConfig)
    {
        _serialization = Context.System.Serialization;
        _database = SqlDatabase.SqliteOf(snapshotConfig);
    }

    protected override async Task<SelectedSnapshot?> LoadAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken)
    {
        if (_database is null || criteria.MaxSequenceNr != long.MaxValue || criteria.MaxTimeStamp != DateTime.MaxValue)
            return await base.LoadAsync(persistenceId, criteria, cancellationToken);
        List<Row> rows;
        await using (var db = _database.Open())
            rows = await db.QueryToListAsync(
                r => new Row(r.GetInt64(0), r.GetInt64(1), r.IsDBNull(2) ? null : (byte[])r[2], r.IsDBNull(3) ? null : r.GetString(3),
                    r.IsDBNull(4) ? null : r.GetInt32(4)),
                LatestSql, cancellationToken, new DataParameter("persistence_id", persistenceId));
        if (rows is not [var row])
            return null;
        if (row.SerializerId is null || row.Payload is null) // a snapshot the plugin stored by type name: it reads those
            return await base.LoadAsync(persistenceId, criteria, cancellationToken);
        return new SelectedSnapshot(new SnapshotMetadata(persistenceId, row.SequenceNr, new DateTime(row.Created)),
            _serialization.Deserialize(row.Payload, row.SerializerId.Value, row.Manifest));
    }

    private sealed record Row(long SequenceNr, long Created, byte[]? Payload, string? Manifest, int? SerializerId);
}
