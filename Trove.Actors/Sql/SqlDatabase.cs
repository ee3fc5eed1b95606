using Akka.Configuration;
using LinqToDB;
using LinqToDB.Data;

namespace Trove.Actors.Sql;

/// <summary>The node's SQL database for the read model and the catalog (SQLite by default, PostgreSQL for a cluster).</summary>
/// <param name="derived">Its writes only derive from the journal (the read model's rows and the projections' offsets): on
/// SQLite they commit without waiting for the disk (synchronous = NORMAL in WAL mode). A power loss may take the last of
/// them, never part of one, and the offsets roll back with the rows, so the projections write them again. Anything the
/// API acknowledges (the catalog, configuration groups) goes through a connection that waits for the disk, which also
/// makes every earlier commit in the file durable.</param>
public sealed class SqlDatabase(string providerName, string connectionString, bool derived = false)
{
    /// <summary>How long a SQLite connection waits for another's write lock before its statement fails.</summary>
    public static readonly TimeSpan SqliteBusyTimeout = TimeSpan.FromSeconds(30);

    private readonly DataOptions _options = OptionsFor(providerName, connectionString, derived);

    public DataConnection Open() => new(_options);

    /// <summary>SQLite: one node's own file, written by that node's process alone.</summary>
    public bool IsSqlite { get; } = IsSqliteProvider(providerName);

    public static bool IsSqliteProvider(string providerName) => providerName.Contains("SQLite", StringComparison.OrdinalIgnoreCase);

    /// <summary>The database an Akka.Persistence.Sql plugin's <paramref name="pluginConfig"/> names, when it is SQLite; null
    /// for another, whose reads stay the plugin's.</summary>
    public static SqlDatabase? SqliteOf(Config pluginConfig) =>
        pluginConfig.GetString("provider-name") is { } provider && IsSqliteProvider(provider)
            ? new SqlDatabase(provider, pluginConfig.GetString("connection-string"))
            : null;

    /// <summary>
    /// The options every connection of the node is opened with, the journal's included. A SQLite connection waits for
    /// a busy write lock inside SQLite, which retries within a few milliseconds of its release. Without a busy timeout,
    /// Microsoft.Data.Sqlite gets SQLITE_BUSY at once and blocks its thread for 150 ms before each retry, so two
    /// concurrent writes (the journal's writers, entities' read-model rows, the projection) cost the second 150 ms.
    /// </summary>
    public static DataOptions OptionsFor(string providerName, string connectionString, bool derived = false)
    {
        var options = new DataOptions().UseConnectionString(providerName, connectionString);
        if (!IsSqliteProvider(providerName))
            return options;
        var pragma = $"PRAGMA busy_timeout = {(int)SqliteBusyTimeout.TotalMilliseconds}; PRAGMA synchronous = {(derived ? "NORMAL" : "FULL")}";
        return options.UseAfterConnectionOpened(
            connection =>
            {
                if (!SqlitePragmas.Need(connection, pragma))
                    return;
                using var command = connection.CreateCommand();
                command.CommandText = pragma;
                command.ExecuteNonQuery();
                SqlitePragmas.Ran(connection, pragma);
            },
            async (connection, ct) =>
            {
                if (!SqlitePragmas.Need(connection, pragma))
                    return;
                await using var command = connection.CreateCommand();
                command.CommandText = pragma;
                await command.ExecuteNonQueryAsync(ct);
                SqlitePragmas.Ran(connection, pragma);
            });
    }
}
