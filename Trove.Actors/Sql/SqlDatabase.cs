using LinqToDB;
using LinqToDB.Data;

namespace Trove.Actors.Sql;

/// <summary>The node's SQL database for the read model and the catalog (SQLite by default, PostgreSQL for a cluster).</summary>
public sealed class SqlDatabase(string providerName, string connectionString)
{
    /// <summary>How long a SQLite connection waits for another's write lock before its statement fails.</summary>
    public static readonly TimeSpan SqliteBusyTimeout = TimeSpan.FromSeconds(30);

    private readonly DataOptions _options = OptionsFor(providerName, connectionString);

    public DataConnection Open() => new(_options);

    /// <summary>SQLite: one node's own file, written by that node's process alone.</summary>
    public bool IsSqlite { get; } = IsSqliteProvider(providerName);

    public static bool IsSqliteProvider(string providerName) => providerName.Contains("SQLite", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The options every connection of the node is opened with, the journal's included. A SQLite connection waits for
    /// a busy write lock inside SQLite, which retries within a few milliseconds of its release. Without a busy timeout,
    /// Microsoft.Data.Sqlite gets SQLITE_BUSY at once and blocks its thread for 150 ms before each retry, so two
    /// concurrent writes (the journal's writers, entities' read-model rows, the projection) cost the second 150 ms.
    /// </summary>
    public static DataOptions OptionsFor(string providerName, string connectionString)
    {
        var options = new DataOptions().UseConnectionString(providerName, connectionString);
        if (!IsSqliteProvider(providerName))
            return options;
        var pragma = $"PRAGMA busy_timeout = {(int)SqliteBusyTimeout.TotalMilliseconds}";
        return options.UseAfterConnectionOpened(
            connection =>
            {
                using var command = connection.CreateCommand();
                command.CommandText = pragma;
                command.ExecuteNonQuery();
            },
            async (connection, ct) =>
            {
                await using var command = connection.CreateCommand();
                command.CommandText = pragma;
                await command.ExecuteNonQueryAsync(ct);
            });
    }
}
