using LinqToDB;
using LinqToDB.Data;

namespace Trove.Actors.Sql;

/// <summary>The node's SQL database for the read model and the catalog (SQLite by default, PostgreSQL for a cluster).</summary>
public sealed class SqlDatabase(string providerName, string connectionString)
{
    private readonly DataOptions _options = new DataOptions().UseConnectionString(providerName, connectionString);

    public DataConnection Open() => new(_options);

    /// <summary>SQLite: one node's own file, written by that node's process alone.</summary>
    public bool IsSqlite { get; } = providerName.Contains("SQLite");
}
