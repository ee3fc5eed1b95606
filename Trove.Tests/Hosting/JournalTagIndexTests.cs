using Microsoft.Data.Sqlite;
using Trove.Actors.Hosting;
using Trove.Actors.Sql;
using Trove.Tests.Support;
using Trove.Tests.Upgrade;

namespace Trove.Tests.Hosting;

/// <summary>A projection's poll of its tag seeks to its offset in the journal's tags, whatever the tag's size.</summary>
public sealed class JournalTagIndexTests : IDisposable
{
    private static readonly string Sqlite = new TroveSettings().DatabaseProvider;
    private readonly string _dataDir = TroveNode.NewDataDir();
    private string Journal => $"Data Source={Path.Combine(_dataDir, "akka.db")};Pooling=False";

    [Fact]
    public async Task A_poll_by_tag_past_an_offset_seeks_the_tag_and_the_ordering()
    {
        UpgradeFixture.RestoreInto(_dataDir); // a journal as Akka.Persistence.Sql made it, with its own tag index
        await JournalTagIndex.EnsureAsync(Sqlite, Journal);
        // Akka.Persistence.Sql's events-by-tag query (TagMode.TagTable), as linq2db words it for SQLite
        var plan = await PlanAsync("""
            SELECT j.ordering FROM journal j LEFT JOIN tags t ON t.ordering_id = j.ordering
            WHERE t.ordering_id > 100 AND t.ordering_id <= 200 AND j.deleted = 0 AND t.tag = 'instance' ORDER BY j.ordering
            """);
        Assert.True(plan.Contains($"{JournalTagIndex.Name} (tag=? AND ordering_id>? AND ordering_id<?)"), plan);
    }

    [Fact]
    public async Task A_journal_not_yet_made_is_left_to_Akka()
    {
        await JournalTagIndex.EnsureAsync(Sqlite, Journal);
        Assert.Empty(await RowsAsync("SELECT name FROM sqlite_master"));
    }

    private async Task<string> PlanAsync(string query) => string.Join("\n", await RowsAsync("EXPLAIN QUERY PLAN " + query));

    /// <summary>The last column of each row.</summary>
    private async Task<List<string>> RowsAsync(string query)
    {
        await using var connection = new SqliteConnection(Journal);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = query;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
            rows.Add(reader.GetString(reader.FieldCount - 1));
        return rows;
    }

    public void Dispose() => Directory.Delete(_dataDir, recursive: true);
}
