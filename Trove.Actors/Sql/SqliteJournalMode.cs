using Microsoft.Data.Sqlite;

namespace Trove.Actors.Sql;

/// <summary>
/// SQLite files in write-ahead-log mode: a commit is one append and one fsync instead of a rollback journal's
/// several, and readers (lists, queries) no longer wait for the projection's writes. The mode is kept in the file.
/// </summary>
public static class SqliteJournalMode
{
    public static Task UseWriteAheadLogAsync(string providerName, string connectionString, CancellationToken ct = default) =>
        WithCommandAsync(providerName, connectionString, async command =>
        {
            command.CommandText = "PRAGMA journal_mode=WAL";
            await command.ExecuteScalarAsync(ct);
        }, ct);

    /// <summary>Runs <paramref name="work"/> on a command of its own connection, when the file is SQLite's.</summary>
    internal static async Task WithCommandAsync(string providerName, string connectionString, Func<SqliteCommand, Task> work, CancellationToken ct)
    {
        if (!SqlDatabase.IsSqliteProvider(providerName))
            return;
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        await work(command);
    }
}
