namespace Trove.Actors.Sql;

/// <summary>
/// Akka.Persistence.Sql indexes its <c>tags</c> table by tag alone, so each poll of a projection (its tag, and an
/// ordering past its offset, every <c>refresh-interval</c>) walks every entry of the tag: at 100,000 instances the
/// instance projection's 400,000, 0.14 s a poll, ~0.4 of a core for an idle node. On (tag, ordering_id) SQLite seeks
/// to the offset instead (bench/results.md 2026-12-07 "a node on 100k instances, idle"). Akka creates the table on the
/// journal's first use, after the node's SQL setup: a new journal has the index from the node's next start. SQLite's
/// journal only: a PostgreSQL journal's tags are not indexed so here (not measured).
/// </summary>
public static class JournalTagIndex
{
    public const string Name = "tags_tag_ordering_idx";

    public static Task EnsureAsync(string providerName, string connectionString, CancellationToken ct = default) =>
        SqliteJournalMode.WithCommandAsync(providerName, connectionString, async command =>
        {
            command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'tags'";
            if ((long)(await command.ExecuteScalarAsync(ct))! == 0)
                return;
            command.CommandText = $"CREATE INDEX IF NOT EXISTS {Name} ON tags (tag, ordering_id)";
            await command.ExecuteNonQueryAsync(ct);
        }, ct);
}
